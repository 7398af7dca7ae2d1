import type { ContentIssue } from "./issues.js";
import { FieldReader, parseYamlFile } from "./yaml-file.js";

/** content/site.yml: what the site says about itself. */
export interface SiteConfig {
  title: string;
  description: string;
  language: string;
  /** Absolute origin and path the site is served from, without a trailing slash. */
  baseUrl: string;
  publisher: string;
  /** Items per listing page (home, entity, topic, archive). */
  pageSize: number;
  /** Entries in each feed. */
  feedSize: number;
}

export const DEFAULT_SITE: SiteConfig = {
  title: "Gazette",
  description: "A news archive",
  language: "en",
  baseUrl: "http://localhost:8080",
  publisher: "Gazette",
  pageSize: 50,
  feedSize: 20,
};

export function parseSiteConfig(file: string, text: string): { site: SiteConfig; issues: ContentIssue[] } {
  const parsed = parseYamlFile(file, text);
  if ("issues" in parsed) return { site: DEFAULT_SITE, issues: parsed.issues };
  const issues: ContentIssue[] = [];
  const value = parsed.yaml.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    return { site: DEFAULT_SITE, issues: [{ file, line: 1, column: 1, message: "site settings must be a mapping, such as title: My Gazette" }] };
  }
  const read = new FieldReader(value as Record<string, unknown>, (field) => parsed.yaml.locate(field ? [field] : []), file, issues, "site");
  const baseUrl = read.string("base_url") ?? DEFAULT_SITE.baseUrl;
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(baseUrl)) read.problem("base_url", `base_url '${baseUrl}' must be an absolute web address, such as https://news.example.org`);
  const language = read.string("language") ?? DEFAULT_SITE.language;
  if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(language)) read.problem("language", `language '${language}' must be a language tag, such as en or en-GB`);
  return {
    site: {
      title: read.string("title") ?? DEFAULT_SITE.title,
      description: read.string("description") ?? DEFAULT_SITE.description,
      language,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      publisher: read.string("publisher") ?? read.string("title") ?? DEFAULT_SITE.publisher,
      pageSize: read.number("page_size", DEFAULT_SITE.pageSize, 1),
      feedSize: read.number("feed_size", DEFAULT_SITE.feedSize, 1),
    },
    issues,
  };
}
