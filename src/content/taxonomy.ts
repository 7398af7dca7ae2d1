import type { ContentIssue } from "./issues.js";
import { isValidSlug, slugify } from "./slug.js";
import { FieldReader, listItems, parseYamlFile } from "./yaml-file.js";

/** One topic of content/topics.yml (IPTC Media Topics) with the rules that assign it. */
export interface Topic {
  code: string;
  label: string;
  slug: string;
  /** Code of the parent topic; an article in a topic is also in its ancestors. */
  parent: string | null;
  /** Words and phrases; `defect*` matches any word starting "defect". */
  keywords: string[];
  /** Words that count only in the headline, such as the sport that starts a Reuters sports headline. */
  headlineKeywords: string[];
  /** Entity names or slugs whose mention assigns the topic. */
  entities: string[];
  /** Score needed to assign the topic (body keyword 1, headline keyword 3, entity 3). */
  minScore: number;
}

export interface Taxonomy {
  topics: Topic[];
}

const EXAMPLE = "- code: medtop:16000000\n    label: conflict, war and peace\n    keywords: [war, ceasefire]";

export function parseTaxonomy(file: string, text: string): { taxonomy: Taxonomy; issues: ContentIssue[] } {
  const parsed = parseYamlFile(file, text);
  if ("issues" in parsed) return { taxonomy: { topics: [] }, issues: parsed.issues };
  const issues: ContentIssue[] = [];
  const topics: Topic[] = [];
  const items = listItems(file, parsed.yaml, issues, EXAMPLE);
  items.forEach((record, index) => {
    const read = new FieldReader(record, (field) => parsed.yaml.locate(field ? [index, field] : [index]), file, issues, `topic ${index + 1}`);
    const code = read.requiredString("code", "medtop:16000000");
    const label = read.requiredString("label", "conflict, war and peace");
    const slug = read.string("slug") ?? slugify(label);
    if (!isValidSlug(slug)) read.problem("slug", `slug '${slug}' must be lowercase letters, digits and single hyphens`);
    if (code === "" || label === "") return;
    topics.push({
      code,
      label,
      slug,
      parent: read.string("parent"),
      keywords: read.stringList("keywords"),
      headlineKeywords: read.stringList("headline_keywords"),
      entities: read.stringList("entities"),
      minScore: read.number("min_score", 3, 1),
    });
  });
  const codes = new Map(topics.map((topic, index) => [topic.code, index]));
  const slugs = new Map<string, string>();
  topics.forEach((topic, index) => {
    const at = (field: string) => parsed.yaml.locate([items.indexOf(items[index]!), field]);
    if (topic.parent !== null && !codes.has(topic.parent)) {
      issues.push({ file, ...at("parent"), message: `topic '${topic.label}': parent '${topic.parent}' is not the code of any topic in this file` });
    }
    const other = slugs.get(topic.slug);
    if (other) issues.push({ file, ...at("label"), message: `topic '${topic.label}' has the same URL slug '${topic.slug}' as '${other}': give one a 'slug' field` });
    slugs.set(topic.slug, topic.label);
  });
  return { taxonomy: { topics }, issues };
}
