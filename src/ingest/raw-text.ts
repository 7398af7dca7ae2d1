import matter from "gray-matter";
import { parseIsoDate, summarise } from "../content/article.js";
import { slugify } from "../content/slug.js";
import { outputSafeText } from "../content/text.js";

/** Where an ingested article came from, as the command line says it. */
export interface IngestOptions {
  date?: string | undefined;
  source?: string | undefined;
  sourceUrl?: string | undefined;
}

/** A raw text turned into an article file, ready to write at content/articles/<relativePath>. */
export interface IngestedArticle {
  relativePath: string;
  markdown: string;
  title: string;
  date: string;
  slug: string;
}

const DATED_NAME = /^(\d{4}-\d{2}-\d{2})-(.+)$/;
/** A lowercase ASCII slug of at most 80 characters, which slugify returns as it is: what most raw file names carry already. */
const ASCII_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slugOf = (text: string): string => (text.length <= 80 && ASCII_SLUG.test(text) ? text : slugify(text));

/**
 * Raw article text (first line the headline, then one paragraph a line) to
 * front matter plus Markdown. The date comes from options or, as in Jekyll,
 * a YYYY-MM-DD- file-name prefix, whose remainder then gives the slug.
 */
export function ingestRawText(fileName: string, text: string, options: IngestOptions = {}): { article: IngestedArticle } | { error: string } {
  const stem = fileName.replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "");
  const dated = DATED_NAME.exec(stem);
  const dateText = options.date ?? dated?.[1];
  if (dateText === undefined) {
    return { error: "no date: name the file YYYY-MM-DD-<slug>.txt or pass --date YYYY-MM-DD" };
  }
  if (options.sourceUrl !== undefined && !/^https?:\/\/[^\s/]+\.[^\s]*$/i.test(options.sourceUrl)) {
    return { error: `--source-url '${options.sourceUrl}' must be a web address starting with https:// or http://` };
  }
  const date = parseIsoDate(dateText);
  if (date === null) return { error: `'${dateText}' is not a real date: use YYYY-MM-DD, such as 2025-05-07` };

  // Control characters and noncharacters (pasted from other systems) are dropped: no page or feed may carry them.
  // Every line is trimmed, so trailing blanks need no pass of their own.
  const lines = outputSafeText(text.replace(/^\ufeff/, "")).split(/\r\n|\r|\n/);
  const titleIndex = lines.findIndex((line) => line.trim() !== "");
  if (titleIndex === -1) return { error: "the file is empty: the first line must be the headline" };
  const title = lines[titleIndex]!.trim().replace(/\s+/g, " ");
  const paragraphs: string[] = [];
  for (let i = titleIndex + 1; i < lines.length; i++) {
    const paragraph = lines[i]!.trim();
    if (paragraph !== "") paragraphs.push(paragraph);
  }

  const slug = (dated && options.date === undefined ? slugOf(dated[2]!) : "") || slugify(title);
  if (slug === "") return { error: "the headline has no letters or digits to make a URL from: rename the file YYYY-MM-DD-<slug>.txt" };

  const body = paragraphs.map(escapeMarkdown).join("\n\n") + "\n";
  const frontMatter: Record<string, string> = { title, date, slug };
  if (options.source) frontMatter.source = options.source;
  if (options.sourceUrl) frontMatter.source_url = options.sourceUrl;
  const summary = summarise(paragraphs[0] ?? "", 240);
  if (summary) frontMatter.summary = summary;

  return {
    article: {
      relativePath: `${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}.md`,
      markdown: withFrontMatter(frontMatter, body),
      title,
      date,
      slug,
    },
  };
}

/**
 * Front matter, then the body, byte for byte as gray-matter's stringify
 * writes them (js-yaml 3's safeDump, lines not folded). Values take the
 * direct route when `yamlScalar` settles their style; the rest go through
 * gray-matter itself.
 */
export function withFrontMatter(fields: Record<string, string>, body: string): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const scalar = SIMPLE_KEY.test(key) ? yamlScalar(value) : null;
    // A file object, not the body string: given a string, gray-matter first parses it for front matter of its own.
    if (scalar === null) return matter.stringify({ content: body }, fields, { lineWidth: -1 } as matter.GrayMatterOption<string, never>);
    lines.push(`${key}: ${scalar}`);
  }
  // Trimmed as gray-matter trims the dump: the last value may end in a character that trim() removes and YAML keeps (U+3000).
  return `---\n${lines.join("\n").trim()}\n---\n${body.endsWith("\n") ? body : `${body}\n`}`;
}

/** Keys js-yaml writes plain: lowercase words that no YAML type reads as anything but a string. */
const SIMPLE_KEY = /^(?:title|date|slug|source|source_url|summary)$/;
/**
 * One line of characters js-yaml 3 prints as they are (its isPrintable, less tab, U+FEFF and the
 * astral characters, which it tests one UTF-16 unit at a time): other values may be double-quoted.
 */
const PRINTABLE_LINE = /^[\x20-\x7e\xa1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+$/;
/** First characters that rule out plain style: the YAML indicators, and a blank. */
const INDICATOR_FIRST = /^[-?:,[\]{}#&*!|=>'"%@` ]/;
/** Characters anywhere that rule out plain style: flow indicators, ':' and a comment's ' #'. */
const NOT_PLAIN = /[,[\]{}:]| #/;
/** Words js-yaml quotes because YAML 1.1 read them as booleans. */
const DEPRECATED_BOOLEANS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
/** A date, which YAML reads as a timestamp: quoted. */
const YAML_DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Every string that js-yaml 3's null, bool, int, float, timestamp and merge types read, and more
 * (`~`, `True`, `0x1F`, `1_000`, `-.inf`, `1e5`, `2025-05-07 10:00:00`, `<<`): such a value might need
 * quotes, and is left to js-yaml.
 */
const MAY_READ_AS_OTHER_TYPE = new RegExp(
  "^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|<<" +
    "|[-+]?0[bx][0-9a-fA-F_]+" +
    "|[-+]?[0-9_]*(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?" +
    "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?" +
    "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)" +
    "|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt \\t].*)?)$",
);

/**
 * How js-yaml 3's safeDump writes a string value, when these rules settle it: plain when nothing in it
 * needs quoting, else single-quoted. Null for a value they leave to js-yaml.
 */
export function yamlScalar(value: string): string | null {
  if (!PRINTABLE_LINE.test(value)) return null;
  if (DEPRECATED_BOOLEANS.has(value) || YAML_DATE.test(value)) return `'${value}'`;
  if (INDICATOR_FIRST.test(value) || value.endsWith(" ") || NOT_PLAIN.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return MAY_READ_AS_OTHER_TYPE.test(value) ? null : value;
}

/**
 * Raw text is prose, not Markdown: escape what Markdown would read as syntax
 * (a leading '#', '>', '-', '1.', and inline '*', '_', '`', '[', '<') so the
 * page shows the text as written.
 */
export function escapeMarkdown(paragraph: string): string {
  return paragraph
    .replace(/[\\`*_[\]<>]/g, "\\$&")
    .replace(/^(\s*)(?:([#+\-=|]|~~~)|(\d+)([.)])(?=\s|$))/, (_, space: string, marker?: string, digits?: string, punctuation?: string) =>
      marker ? `${space}\\${marker}` : `${space}${digits}\\${punctuation}`);
}
