import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDirectory } from "../cache.js";
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
export async function searchIndexFiles(index: Pick<ArchiveIndex, "articles">, site: Pick<SiteConfig, "language">): Promise<OutputFile[]> {
  const language = site.language.split("-")[0]!.toLowerCase();
  const documents = index.articles.map(({ article }) => ({ url: article.url, content: searchDocument(article.title, article.date, article.body, site.language) }));
  // Pagefind re-indexes everything each run (tens of seconds for a large archive), so a bundle is kept
  // under the cache, by a hash of all it is made from; Pagefind's output is deterministic, so a hit is exact.
  const hash = createHash("sha256").update(`${await pagefindVersion()}\0${language}\0`);
  for (const document of documents) hash.update(`${document.url}\0${document.content}\0`);
  const cacheFile = path.join(cacheDirectory(), `search-${hash.digest("hex").slice(0, 32)}.bin`);
  const cached = await readBundle(cacheFile);
  if (cached) return cached;
  const files = await runPagefind(documents, language);
  await writeBundle(cacheFile, files).catch(() => undefined);
  return files;
}

async function runPagefind(documents: { url: string; content: string }[], language: string): Promise<OutputFile[]> {
  const pagefind = await import("pagefind");
  try {
    const { index: search, errors } = await pagefind.createIndex({
      // One index for the whole site, in the site's language (Pagefind wants ISO 639-1).
      forceLanguage: language,
      keepIndexUrl: false,
    });
    if (!search) throw new Error(`search index: Pagefind did not start: ${errors.join("; ")}`);
    // In batches: each file is one message to the Pagefind process, and waiting on each in turn is slow.
    const BATCH = 64;
    for (let i = 0; i < documents.length; i += BATCH) {
      await Promise.all(
        documents.slice(i, i + BATCH).map(async (document) => {
          const added = await search.addHTMLFile(document);
          if (added.errors.length > 0) throw new Error(`search index: ${document.url}: ${added.errors.join("; ")}`);
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

let version: Promise<string> | null = null;

function pagefindVersion(): Promise<string> {
  version ??= (async () => {
    // pagefind's package.json is not exported; it sits two folders above the module's entry (lib/index.js).
    const entry = fileURLToPath(import.meta.resolve("pagefind"));
    return (JSON.parse(await readFile(path.join(path.dirname(entry), "..", "package.json"), "utf8")) as { version: string }).version;
  })();
  return version;
}

const KEEP_BUNDLES = 4;

/** A bundle file: a 4-byte length, a JSON list of [path, size], then the files' bytes in that order. */
async function readBundle(file: string): Promise<OutputFile[] | null> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return null;
  }
  try {
    const headerLength = data.readUInt32LE(0);
    const header = JSON.parse(data.subarray(4, 4 + headerLength).toString("utf8")) as [string, number][];
    let at = 4 + headerLength;
    const files = header.map(([filePath, size]) => {
      const content = data.subarray(at, at + size);
      at += size;
      return { path: filePath, content: new Uint8Array(content) };
    });
    return at === data.length ? files : null;
  } catch {
    return null;
  }
}

async function writeBundle(file: string, files: OutputFile[]): Promise<void> {
  const bodies = files.map((f) => (typeof f.content === "string" ? Buffer.from(f.content) : Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength)));
  const header = Buffer.from(JSON.stringify(files.map((f, i) => [f.path, bodies[i]!.length])));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  // A few recent bundles are kept (a site and its test copies, say); older ones are of no further use.
  const others = (await readdir(dir)).filter((name) => /^search-[0-9a-f]{32}\.bin$/.test(name) && path.join(dir, name) !== file);
  const dated = await Promise.all(others.map(async (name) => ({ name, time: (await stat(path.join(dir, name)).catch(() => null))?.mtimeMs ?? 0 })));
  for (const { name } of dated.sort((a, b) => b.time - a.time).slice(KEEP_BUNDLES - 1)) await rm(path.join(dir, name), { force: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, Buffer.concat([length, header, ...bodies]));
  await rename(temporary, file);
}
