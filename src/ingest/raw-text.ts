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
      // A file object, not the body string: given a string, gray-matter first parses it for front matter of its own.
      markdown: matter.stringify({ content: body }, frontMatter, { lineWidth: -1 } as matter.GrayMatterOption<string, never>),
      title,
      date,
      slug,
    },
  };
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
