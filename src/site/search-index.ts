import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex } from "../index/archive-index.js";
import { plainText } from "./context.js";
import { escapeXml } from "./escape.js";
import type { OutputFile } from "./feeds.js";

/** Where the search bundle goes, relative to the site folder; public/assets/search.js loads it from here. */
export const SEARCH_BUNDLE_DIR = "pagefind";

/**
 * The Pagefind search bundle (`pagefind/...`) as output files, built in
 * memory with Pagefind's Node API, which drives the binary shipped in the
 * npm package (no download at build time).
 *
 * Only articles are indexed, and of each only what a reader searches for:
 * the headline (as a heading, so it weighs more) and the body's paragraphs
 * and headings. Navigation, entity chips, related links and the summary
 * (which repeats the first paragraph) stay out of the index. Each article is
 * given to Pagefind as a small HTML document made from its Markdown, so the
 * index needs no rendered page and is the same for a full and an
 * incremental build. URLs in the bundle are site-relative; the search page
 * gives Pagefind the path prefix at run time, so one bundle serves any
 * sub-folder.
 */
export async function searchIndexFiles(index: ArchiveIndex, site: SiteConfig): Promise<OutputFile[]> {
  const pagefind = await import("pagefind");
  try {
    const { index: search, errors } = await pagefind.createIndex({
      // One index for the whole site, in the site's language (Pagefind wants ISO 639-1).
      forceLanguage: site.language.split("-")[0]!.toLowerCase(),
      keepIndexUrl: false,
    });
    if (!search) throw new Error(`search index: Pagefind did not start: ${errors.join("; ")}`);
    // In batches: each file is one message to the Pagefind process, and waiting on each in turn is slow.
    const BATCH = 64;
    for (let i = 0; i < index.articles.length; i += BATCH) {
      await Promise.all(
        index.articles.slice(i, i + BATCH).map(async ({ article }) => {
          const added = await search.addHTMLFile({ url: article.url, content: searchDocument(article.title, article.date, article.body, site.language) });
          if (added.errors.length > 0) throw new Error(`search index: ${article.url}: ${added.errors.join("; ")}`);
        }),
      );
    }
    const written = await search.getFiles();
    if (written.errors.length > 0) throw new Error(`search index: ${written.errors.join("; ")}`);
    return written.files
      .map((file) => ({ path: `${SEARCH_BUNDLE_DIR}/${file.path.replace(/\\/g, "/")}`, content: file.content }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await pagefind.close();
  }
}

/** The searchable part of an article as HTML: headline, then each Markdown block as a heading or a paragraph of plain text. */
export function searchDocument(title: string, date: string, markdown: string, language: string): string {
  const blocks: string[] = [];
  for (const block of markdown.split(/\n\s*\n/)) {
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(block);
    if (heading && !block.includes("\n")) {
      const level = Math.min(6, heading[1]!.length + 1);
      blocks.push(`<h${level}>${escapeXml(plainText(heading[2]!).trim())}</h${level}>`);
      continue;
    }
    // List markers, quote marks and setext underlines are layout, not words.
    const text = plainText(block.replace(/^\s{0,3}(?:[-*+]|\d+[.)]|>)\s+/gm, " ").replace(/^\s*(?:=+|-+)\s*$/gm, " ")).trim();
    if (text) blocks.push(`<p>${escapeXml(text)}</p>`);
  }
  return [
    `<!doctype html><html lang="${escapeXml(language)}"><head><meta charset="utf-8"><title>${escapeXml(title)}</title></head>`,
    `<body><main data-pagefind-body><h1 data-pagefind-meta="title">${escapeXml(title)}</h1>`,
    `<span data-pagefind-meta="date:${escapeXml(date)}" data-pagefind-sort="date:${escapeXml(date)}" hidden></span>`,
    ...blocks,
    `</main></body></html>`,
  ].join("\n");
}
