import type { EntityType } from "../nlp/types.js";
import { ENTITY_TYPES } from "../nlp/types.js";
import type { ContentIssue } from "./issues.js";
import { isValidSlug } from "./slug.js";
import { FieldReader, listItems, parseYamlFile } from "./yaml-file.js";

/** An entity an editor curates in content/entities.yml. */
export interface RegistryEntity {
  name: string;
  type: EntityType;
  aliases: string[];
  description: string | null;
  wikidata: string | null;
  hidden: boolean;
  /** A fixed URL slug, for when the name's own slug is taken or should stay put through a rename. */
  slug: string | null;
}

const EXAMPLE = "- name: Tehreek-e-Taliban Pakistan\n    type: organization\n    aliases: [TTP]";

/** Parses content/entities.yml; an entry's name or alias claimed twice is an error naming both places. */
export function parseRegistry(file: string, text: string): { registry: RegistryEntity[]; issues: ContentIssue[] } {
  const parsed = parseYamlFile(file, text);
  if ("issues" in parsed) return { registry: [], issues: parsed.issues };
  const issues: ContentIssue[] = [];
  const registry: RegistryEntity[] = [];
  const claimedBy = new Map<string, { name: string; line: number }>();
  listItems(file, parsed.yaml, issues, EXAMPLE).forEach((record, index) => {
    const at = (field?: string) => parsed.yaml.locate(field ? [index, field] : [index]);
    const read = new FieldReader(record, at, file, issues, `entity ${index + 1}`);
    const name = read.requiredString("name", "Haqqani network");
    const typeText = read.string("type") ?? "other";
    const type = ENTITY_TYPES.find((t) => t === typeText);
    if (!type) read.problem("type", `type '${typeText}' is not one of ${ENTITY_TYPES.join(", ")}`);
    const slug = read.string("slug");
    if (slug !== null && !isValidSlug(slug)) read.problem("slug", `slug '${slug}' must be lowercase letters, digits and single hyphens`);
    const entity: RegistryEntity = {
      name,
      type: type ?? "other",
      aliases: read.stringList("aliases"),
      description: read.string("description"),
      wikidata: read.string("wikidata"),
      hidden: read.boolean("hidden"),
      slug,
    };
    for (const claimed of [entity.name, ...entity.aliases]) {
      const key = claimed.toLowerCase();
      const earlier = claimedBy.get(key);
      if (earlier && earlier.name !== entity.name) {
        read.problem("aliases", `'${claimed}' is already claimed by '${earlier.name}' (line ${earlier.line}): a name belongs to one entity`);
      }
      claimedBy.set(key, { name: entity.name, line: at().line });
    }
    if (name !== "") registry.push(entity);
  });
  return { registry, issues };
}
