import { createHash } from "node:crypto";
import type { ContentIssue } from "./issues.js";
import { parseFrontMatter } from "./front-matter.js";
import { isValidSlug, slugify } from "./slug.js";
import { outputSafeText } from "./text.js";

/** One article of the archive, validated: the one typed content model every later stage reads. */
export interface Article {
  /** Path of the source file, as the loader was given it (used in every message). */
  file: string;
  title: string;
  /** Publication date, YYYY-MM-DD. */
  date: string;
  /** Last substantive change, YYYY-MM-DD; the publication date when the editor gave none. */
  updated: string;
  slug: string;
  /** Site-relative URL, /articles/YYYY/MM/<slug>/ */
  url: string;
  source: string | null;
  sourceUrl: string | null;
  summary: string;
  /** The Markdown body, exactly as in the file. */
  body: string;
  /** UTF-16 offset of the body, and of the title when it stands verbatim, in the file's text. */
  bodyOffset: number;
  titleOffset: number | null;
  overrides: EditorOverrides;
  /** sha256 of the file's text: the key of everything cached about this article. */
  hash: string;
  /** Line of the slug field (or of the title it is made from), for messages about the URL. */
  slugLine?: number;
}

/** Entities and topics an editor adds or rejects by hand (design.md's optional fields). */
export interface EditorOverrides {
  entities: string[];
  excludeEntities: string[];
  topics: string[];
  excludeTopics: string[];
}

const KNOWN_FIELDS = new Set([
  "title", "date", "updated", "slug", "source", "source_url", "summary",
  "entities", "exclude_entities", "topics", "exclude_topics",
]);

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** YYYY-MM-DD of a real calendar day, or null. Accepts a full ISO timestamp and keeps its date. */
export function parseIsoDate(value: string): string | null {
  const match = DATE.exec(value.trim());
  if (!match) return null;
  const [, y, m, d] = match;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(m) - 1 || day.getUTCDate() !== Number(d)) return null;
  return `${y}-${m}-${d}`;
}

export function articleUrl(date: string, slug: string): string {
  return `/articles/${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}/`;
}

export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Parses and validates one article file. Every problem in the file is
 * reported, each with its line and column and how to fix it.
 */
export function parseArticle(file: string, text: string): { article: Article } | { issues: ContentIssue[] } {
  const split = parseFrontMatter(file, text);
  if ("issues" in split) return split;
  const fm = split.file;
  const issues: ContentIssue[] = [];
  const problem = (field: string | undefined, message: string) => issues.push({ file, ...fm.locate(field), message });

  const optionalString = (field: string): string | null => {
    const value = fm.data[field];
    if (value === undefined || value === null) return null;
    // Invisible control characters pasted with the text would make the pages and feeds malformed: they are dropped.
    if (typeof value === "string" || typeof value === "number") return outputSafeText(String(value));
    problem(field, `'${field}' must be text, found ${typeName(value)}: put the value in double quotes, such as ${field}: "${typeof value === "boolean" ? String(value) : "..."}"`);
    return null;
  };
  const stringList = (field: string): string[] => {
    const value = fm.data[field];
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    if (items.every((item) => typeof item === "string" && outputSafeText(item).trim() !== "")) return items.map((item: string) => outputSafeText(item).trim());
    problem(field, `'${field}' must be a list of names, such as [Kabul, "Haqqani network"]`);
    return [];
  };

  const title = optionalString("title")?.trim() ?? "";
  const titleValue = fm.data.title;
  // A title of the wrong type already has its own message.
  if (title === "" && (titleValue === undefined || titleValue === null || typeof titleValue === "string")) {
    problem("title", "missing title: add a line such as title: \"Ministers meet in Doha\"");
  }

  const dateText = fm.data.date instanceof Date ? fm.data.date.toISOString() : optionalString("date");
  let date = "";
  if (dateText === null) problem("date", "missing date: add a line such as date: 2025-05-07");
  else {
    date = parseIsoDate(dateText) ?? "";
    if (date === "") problem("date", `'${dateText}' is not a real date: write it as YYYY-MM-DD, such as 2025-05-07`);
  }
  const updatedText = optionalString("updated");
  let updated = date;
  if (updatedText !== null) {
    updated = parseIsoDate(updatedText) ?? date;
    if (parseIsoDate(updatedText) === null) problem("updated", `'${updatedText}' is not a real date: write it as YYYY-MM-DD`);
  }

  const explicitSlug = optionalString("slug");
  let slug = explicitSlug ?? slugify(title);
  if (explicitSlug !== null && !isValidSlug(explicitSlug)) {
    problem("slug", `slug '${explicitSlug}' must be one URL segment of letters, digits and single hyphens (no '/', '.', spaces), such as ${slugify(explicitSlug) || "ministers-meet"}`);
    slug = "";
  } else if (slug === "" && title !== "") {
    problem("title", "the title has no letters or digits to make a URL from: add a slug field, such as slug: ministers-meet");
  }

  const sourceUrl = optionalString("source_url");
  if (sourceUrl !== null && !/^https?:\/\/[^\s/]+\.[^\s]*$/i.test(sourceUrl)) {
    problem("source_url", `source_url '${sourceUrl}' must be a web address starting with https:// or http://`);
  }

  const overrides: EditorOverrides = {
    entities: stringList("entities"),
    excludeEntities: stringList("exclude_entities"),
    topics: stringList("topics"),
    excludeTopics: stringList("exclude_topics"),
  };
  for (const field of Object.keys(fm.data)) {
    const near = [...KNOWN_FIELDS].find((known) => known !== field && isTypo(known, field));
    if (!KNOWN_FIELDS.has(field) && near) issues.push({ file, ...fm.locate(field, { key: true }), message: `unknown field '${field}': did you mean '${near}'?` });
  }
  const summary = optionalString("summary")?.trim() || outputSafeText(summarise(fm.body));

  if (issues.length > 0) return { issues };
  return {
    article: {
      file,
      title,
      date,
      updated,
      slug,
      url: articleUrl(date, slug),
      source: optionalString("source"),
      sourceUrl,
      summary,
      body: fm.body,
      bodyOffset: fm.bodyOffset,
      titleOffset: verbatimTitleOffset(fm.offsetOf("title"), titleValue, title),
      overrides,
      hash: contentHash(text),
      slugLine: fm.locate(explicitSlug !== null ? "slug" : "title").line,
    },
  };
}

/** The first paragraph as plain text, cut at a word near 300 characters. */
export function summarise(markdown: string, maxLength = 300): string {
  // Only the opening of a body can hold the summary: reading (and regex-scanning) a 20 MB body whole
  // would cost time that grows with the square of its length on some inputs.
  const opening = markdown.slice(0, Math.max(20 * maxLength, 8192));
  const paragraph = (opening.split(/\r?\n/).map((p) => p.trim()).find((p) => p !== "" && !/^(#|```|<)/.test(p)) ?? "").slice(0, 4 * maxLength);
  const plain = paragraph.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*_`]+/g, "").replace(/\s+/g, " ").trim();
  if (plain.length <= maxLength) return plain;
  const cut = plain.slice(0, maxLength);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), maxLength / 2))}…`;
}

/** Where the (trimmed) title stands in the file, when it stands there verbatim (no control character dropped). */
function verbatimTitleOffset(valueOffset: number | null, raw: unknown, title: string): number | null {
  if (valueOffset === null || typeof raw !== "string") return null;
  const leading = raw.length - raw.trimStart().length;
  return raw.slice(leading, leading + title.length) === title ? valueOffset + leading : null;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return typeof value;
}

/** One letter added, dropped, changed, or two neighbours swapped ("titel" for "title"). */
function isTypo(known: string, written: string): boolean {
  if (Math.abs(known.length - written.length) > 1) return false;
  let i = 0;
  while (i < known.length && known[i] === written[i]) i++;
  const swapped = known[i] === written[i + 1] && known[i + 1] === written[i] && known.slice(i + 2) === written.slice(i + 2);
  return swapped || known.slice(i + 1) === written.slice(i + 1) || known.slice(i) === written.slice(i + 1) || known.slice(i + 1) === written.slice(i);
}
