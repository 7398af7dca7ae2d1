import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { cacheDirectory, codeFingerprint } from "../cache.js";
import type { Article } from "../content/article.js";
import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex } from "../index/archive-index.js";
import { plainText } from "./context.js";
import { escapeXml } from "./escape.js";
import type { KeyedFile, OutputFile, ReusedFile, ReuseFile } from "./feeds.js";

/** Where the search bundles go, relative to the site folder; public/assets/search.js loads them from here. */
export const SEARCH_BUNDLE_DIR = "pagefind";
/** The list of bundles, newest year first, that the search page loads and merges. */
export const SEARCH_SHARDS_FILE = `${SEARCH_BUNDLE_DIR}/shards.json`;

/**
 * The Pagefind search bundles (`pagefind/<year>/...`, one per publication
 * year, and `pagefind/shards.json` naming them) as output files, built in
 * memory with Pagefind's Node API, which drives the binary shipped in the
 * npm package (no download at build time).
 *
 * One bundle a year, merged in the reader's browser (Pagefind's mergeIndex),
 * because Pagefind indexes everything it is given at once and holds it all in
 * memory: one index over 100,000 articles took over 4 GiB, and an edit to one
 * article re-indexed the whole archive. A year's bundle depends only on that
 * year's articles, so it is cached by their hash and an edit re-indexes one
 * year; the bundles are made one after another, so memory is one year's.
 *
 * Only articles are indexed, and of each only what a reader searches for:
 * the headline (as a heading, so it weighs more) and the body's paragraphs
 * and headings. Navigation, entity chips, related links and the summary
 * (which repeats the first paragraph) stay out of the index. Each article is
 * given to Pagefind as a small HTML document made from its Markdown, so the
 * index needs no rendered page and is the same for a full and an
 * incremental build. The articles are as the loader gives them: a year's
 * bundle is cached by their URLs and hashes (of their files' text), so an
 * unchanged year costs no document at all. URLs in the bundles are
 * site-relative; the search page gives Pagefind the path prefix at run time,
 * so the bundles serve any sub-folder.
 */
export async function searchIndexFiles(
  index: Pick<ArchiveIndex, "articles">,
  site: Pick<SiteConfig, "language">,
  options: {
    /** Run Pagefind's client in a thread of its own (see PagefindThread); a build does, so its own work never stalls Pagefind. */
    thread?: boolean;
    /**
     * Whether the output already has a file made from the bundle with this key: a year whose files it all has
     * comes back as reused files, neither read from the cache nor copied (9,500 of them, 21 MB, read and hashed
     * on the build's thread after each edit at 10,000 articles).
     */
    reuse?: ReuseFile;
  } = {},
): Promise<(OutputFile | KeyedFile | ReusedFile)[]> {
  const years = new Map<string, ArchiveIndex["articles"][number]["article"][]>();
  for (const { article } of index.articles) {
    const year = article.date.slice(0, 4);
    if (!years.has(year)) years.set(year, []);
    years.get(year)!.push(article);
  }
  const newestFirst = [...years.keys()].sort().reverse();
  const files: (OutputFile | KeyedFile | ReusedFile)[] = [{ path: SEARCH_SHARDS_FILE, content: `${JSON.stringify({ bundles: newestFirst.map((year) => `${year}/`) })}\n` }];
  const cache = new BundleCache(cacheDirectory());
  // Pagefind's output is deterministic, so a bundle cached by a hash of all it is made from is exact: each
  // document is made from its article file's text (its hash) and URL by Gazette's code, in the site's language.
  const keys = new Map<string, string>();
  const base = `bundle 3\0${await pagefindVersion()}\0${await codeFingerprint()}\0${site.language}\0`;
  for (const year of newestFirst) {
    const hash = createHash("sha256").update(base);
    for (const article of years.get(year)!) hash.update(`${article.url}\0${article.hash}\0`);
    keys.set(year, hash.digest("hex").slice(0, 32));
  }
  const bundles = new Map<string, OutputFile[]>();
  // Years the output already has whole: their files' paths.
  const reused = new Map<string, string[]>();
  // (Started by indexYear, if a year needs it: typed here so the compiler does not take it for null below.)
  let pagefind = null as PagefindRunner | null;
  const indexYear = async (year: string) => {
    pagefind ??= options.thread ? new PagefindThread() : new PagefindHere();
    const articles = years.get(year)!.map(({ url, title, date, body }) => ({ url, title, date, body }));
    const bundle = await pagefind.bundle(articles, site.language);
    await cache.write(keys.get(year)!, bundle).catch(() => undefined);
    bundles.set(year, bundle);
  };
  try {
    // The years to index go first, one after another (memory is one year's), so that Pagefind works in its own
    // process while this thread reads the cached years and the build goes on (after an edit, the one year
    // Pagefind indexes is what the build waits for last).
    const cached = await Promise.all(newestFirst.map((year) => cache.has(keys.get(year)!)));
    const indexing = (async () => {
      for (const [i, year] of newestFirst.entries()) if (!cached[i]) await indexYear(year);
    })();
    indexing.catch(() => undefined);
    const unreadable: string[] = [];
    for (const [i, year] of newestFirst.entries()) {
      if (!cached[i]) continue;
      const key = keys.get(year)!;
      const paths = options.reuse ? await cache.paths(key) : null;
      if (paths?.every((file) => options.reuse!(`${SEARCH_BUNDLE_DIR}/${year}/${file}`, key))) {
        reused.set(year, paths);
        continue;
      }
      const bundle = await cache.read(key);
      if (bundle) bundles.set(year, bundle);
      else unreadable.push(year);
    }
    await indexing;
    for (const year of unreadable) await indexYear(year);
  } finally {
    await pagefind?.close();
  }
  for (const year of newestFirst) {
    const key = keys.get(year)!;
    const kept = reused.get(year);
    if (kept) for (const file of kept) files.push({ path: `${SEARCH_BUNDLE_DIR}/${year}/${file}`, key, reused: true });
    else for (const file of bundles.get(year)!) files.push({ path: `${SEARCH_BUNDLE_DIR}/${year}/${file.path}`, content: file.content, key });
  }
  await cache.prune().catch(() => undefined);
  return files;
}

type PagefindService = typeof import("pagefind");

/** What a search document is made from: an article's URL, headline, date and Markdown body. */
export type SearchArticle = Pick<Article, "url" | "title" | "date" | "body">;

/** Makes one bundle from the articles given, each as its search document (one Pagefind service for all bundles). */
export interface PagefindRunner {
  bundle(articles: SearchArticle[], language: string): Promise<OutputFile[]>;
  close(): Promise<void>;
}

/** Pagefind's client on this thread (the search thread runs one of these too). */
export class PagefindHere implements PagefindRunner {
  private service: Promise<PagefindService> | null = null;

  async bundle(articles: SearchArticle[], language: string): Promise<OutputFile[]> {
    this.service ??= import("pagefind");
    return pagefindBundle(await this.service, articles, language);
  }

  async close(): Promise<void> {
    if (this.service) await (await this.service).close();
  }
}

/** A request to the search thread (search-thread.ts), and its reply. */
export type SearchThreadRequest = { type: "bundle"; id: number; articles: SearchArticle[]; language: string } | { type: "close" };
export type SearchThreadReply = { id: number; files: OutputFile[] } | { id: number; error: string };

/**
 * Pagefind's client in a thread of its own. Pagefind answers each document and the bundle's files through a
 * pipe that a thread reads only between its own tasks: on the build's thread, busy for seconds with the index
 * and pages, Pagefind stalled on a full pipe, and after one edit at 10,000 articles its year's bundle took
 * ~3 s in the build against ~1.5 s alone, and was the last thing the build waited for.
 */
class PagefindThread implements PagefindRunner {
  private readonly worker = new Worker(new URL("./search-thread.js", import.meta.url));
  private readonly waiting = new Map<number, { resolve(files: OutputFile[]): void; reject(error: Error): void }>();
  private readonly exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
  private nextId = 1;

  constructor() {
    this.worker.on("message", (reply: SearchThreadReply) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ("error" in reply) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.files);
    });
    const fail = (error: Error) => {
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`search thread exited with code ${code}`)));
  }

  bundle(articles: SearchArticle[], language: string): Promise<OutputFile[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ type: "bundle", id, articles, language } satisfies SearchThreadRequest);
    });
  }

  /** Closes the Pagefind service and waits for the thread to end (at once, if it has already). */
  async close(): Promise<void> {
    this.worker.postMessage({ type: "close" } satisfies SearchThreadRequest);
    await this.exited;
  }
}

/** One bundle from one Pagefind index, its files relative to the bundle's folder; the index is dropped after. */
async function pagefindBundle(pagefind: PagefindService, articles: SearchArticle[], siteLanguage: string): Promise<OutputFile[]> {
  const { index: search, errors } = await pagefind.createIndex({
    // One index in the site's language (Pagefind wants ISO 639-1).
    forceLanguage: siteLanguage.split("-")[0]!.toLowerCase(),
    keepIndexUrl: false,
  });
  if (!search) throw new Error(`search index: Pagefind did not start: ${errors.join("; ")}`);
  try {
    // All of the bundle's documents at once: each is one message to the Pagefind process; waiting for replies
    // batch by batch left Pagefind idle between them. A document is made only when its bundle is: all of
    // them at once were a copy of the archive.
    await Promise.all(
      articles.map(async (article) => {
        const added = await search.addHTMLFile({ url: article.url, content: searchDocument(article.title, article.date, article.body, siteLanguage) });
        if (added.errors.length > 0) throw new Error(`search index: ${article.url}: ${added.errors.join("; ")}`);
      }),
    );
    const written = await search.getFiles();
    if (written.errors.length > 0) throw new Error(`search index: ${written.errors.join("; ")}`);
    return written.files
      .map((file) => ({ path: file.path.replace(/\\/g, "/"), content: file.content }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await search.deleteIndex();
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

/**
 * Search bundles under the cache folder, one file each: a 4-byte length, a JSON list of [path, size], then
 * the files' bytes in that order. Bundles not used by this build are kept for a while (other sites and test
 * copies share the cache), up to as many again as this build used, the newest first.
 */
class BundleCache {
  private readonly used = new Set<string>();

  constructor(private readonly dir: string) {}

  private fileOf(key: string): string {
    return path.join(this.dir, `search-${key}.bin`);
  }

  /** Whether a bundle is stored under the key (it may yet prove unreadable); the key counts as used either way. */
  async has(key: string): Promise<boolean> {
    this.used.add(key);
    return stat(this.fileOf(key)).then(
      () => true,
      () => false,
    );
  }

  /** The paths of a stored bundle's files, from its header alone; null when it is missing or not whole. */
  async paths(key: string): Promise<string[] | null> {
    this.used.add(key);
    let handle: FileHandle | null = null;
    try {
      handle = await open(this.fileOf(key), "r");
      const { size } = await handle.stat();
      const start = Buffer.alloc(4);
      await handle.read(start, 0, 4, 0);
      const head = Buffer.alloc(4 + start.readUInt32LE(0));
      await handle.read(head, 0, head.length, 0);
      const { entries, bodyAt } = bundleHeader(head);
      // A bundle cut short (a killed write that was renamed all the same) is not taken as whole.
      return bodyAt + entries.reduce((sum, [, bytes]) => sum + bytes, 0) === size ? entries.map(([file]) => file) : null;
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  }

  async read(key: string): Promise<OutputFile[] | null> {
    this.used.add(key);
    let data: Buffer;
    try {
      data = await readFile(this.fileOf(key));
    } catch {
      return null;
    }
    try {
      const { entries, bodyAt } = bundleHeader(data);
      let at = bodyAt;
      const files = entries.map(([filePath, size]) => {
        const content = data.subarray(at, at + size);
        at += size;
        return { path: filePath, content: new Uint8Array(content) };
      });
      return at === data.length ? files : null;
    } catch {
      return null;
    }
  }

  async write(key: string, files: OutputFile[]): Promise<void> {
    const bodies = files.map((f) => (typeof f.content === "string" ? Buffer.from(f.content) : Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength)));
    const header = Buffer.from(JSON.stringify(files.map((f, i) => [f.path, bodies[i]!.length])));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(key);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, Buffer.concat([length, header, ...bodies]));
    await rename(temporary, file);
  }

  async prune(): Promise<void> {
    const others = (await readdir(this.dir)).filter((name) => /^search-[0-9a-f]{32}\.bin$/.test(name) && !this.used.has(name.slice(7, 39)));
    const dated = await Promise.all(others.map(async (name) => ({ name, time: (await stat(path.join(this.dir, name)).catch(() => null))?.mtimeMs ?? 0 })));
    for (const { name } of dated.sort((a, b) => b.time - a.time).slice(Math.max(KEEP_UNUSED_MIN, this.used.size))) await rm(path.join(this.dir, name), { force: true });
  }
}

/** A bundle file's header, from its first bytes: each file's path and size, and where the files' bytes begin. */
function bundleHeader(data: Buffer): { entries: [string, number][]; bodyAt: number } {
  const headerLength = data.readUInt32LE(0);
  return { entries: JSON.parse(data.subarray(4, 4 + headerLength).toString("utf8")) as [string, number][], bodyAt: 4 + headerLength };
}

/** Unused bundles kept at least, whatever this build used. */
const KEEP_UNUSED_MIN = 4;
