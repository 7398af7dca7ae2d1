import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { cacheDirectory, codeFingerprint } from "../cache.js";
import type { Article } from "../content/article.js";
import type { SiteConfig } from "../content/site-config.js";
import { plainText } from "./context.js";
import { escapeXml } from "./escape.js";
import type { KeyedFile, OutputFile, ReusedFile, ReuseFile } from "./feeds.js";

/** Where the search bundles go, relative to the site folder; public/assets/search.js loads them from here. */
export const SEARCH_BUNDLE_DIR = "pagefind";
/** The list of bundles, newest first, that the search page loads and merges. */
export const SEARCH_SHARDS_FILE = `${SEARCH_BUNDLE_DIR}/shards.json`;

/**
 * Articles a bundle holds, at most, unless one month has more. An edit re-indexes its article's bundle, and
 * Pagefind takes ~0.2 s plus ~1.4 ms an article to do it: a year's 911 articles (10,000 in eleven years) took
 * ~1.5 s, most of a build after a small edit, which has a 2 s budget; 300 take ~0.6 s. Each bundle the
 * reader's browser merges costs it a few small files and its own copy of Pagefind's wasm (~60 KB), so bundles
 * are no smaller than that. (Pagefind also holds a bundle's whole index in memory, about 100 KB an article: a
 * year's 9,000 took 0.9 GiB at 100,000 articles.)
 */
export const BUNDLE_ARTICLES_MAX = 300;

/** Up to this share of the archive's articles to index, Pagefind runs in the background (see searchIndexFiles). */
const BACKGROUND_INDEX_SHARE = 0.25;

/**
 * The Pagefind search bundles (`pagefind/<year>/...`, one per publication
 * year, and `pagefind/shards.json` naming them) as output files, built in
 * memory with Pagefind's Node API, which drives the binary shipped in the
 * npm package (no download at build time).
 *
 * One bundle a year, merged in the reader's browser (Pagefind's mergeIndex),
 * because Pagefind indexes everything it is given at once and holds it all in
 * memory: one index over 100,000 articles took over 4 GiB, and an edit to one
 * article re-indexed the whole archive. A year of more than
 * BUNDLE_ARTICLES_MAX articles is split into runs of whole months, each a
 * bundle named by its year and first month (`pagefind/<year>-<month>/`): after
 * an edit, re-indexing the article's bundle is what the build waits for. A
 * bundle depends only on its own articles, so it is cached by their hash and
 * an edit re-indexes one bundle; the bundles are made one after another, so
 * memory is one bundle's (two, once the build waits for them: see buildDone).
 *
 * Only articles are indexed, and of each only what a reader searches for:
 * the headline (as a heading, so it weighs more) and the body's paragraphs
 * and headings. Navigation, entity chips, related links and the summary
 * (which repeats the first paragraph) stay out of the index. Each article is
 * given to Pagefind as a small HTML document made from its Markdown, so the
 * index needs no rendered page and is the same for a full and an
 * incremental build. The articles are as the loader gives them: a bundle
 * is cached by its articles' URLs and hashes (of their files' text), so an
 * unchanged bundle costs no document at all. URLs in the bundles are
 * site-relative; the search page gives Pagefind the path prefix at run time,
 * so the bundles serve any sub-folder.
 */
export async function searchIndexFiles(
  index: { articles: readonly { article: Article }[] },
  site: Pick<SiteConfig, "language">,
  options: {
    /** Run Pagefind's client in a thread of its own (see PagefindThread); a build does, so its own work never stalls Pagefind. */
    thread?: boolean;
    /**
     * Whether the output already has a file made from the bundle with this key: a bundle whose files it all has
     * comes back as reused files, neither read from the cache nor copied (9,500 of them, 21 MB, read and hashed
     * on the build's thread after each edit at 10,000 articles).
     */
    reuse?: ReuseFile;
    /**
     * When the build's own work is done and it waits for the search bundles: from then on, bundles still to
     * index are shared with a second Pagefind process (with `thread`; without it, both lanes share this
     * thread's one service). Pagefind's service indexes one bundle at a time on one core. While the build tags
     * and renders on both cores, a second process only took turns with them (no gain was measured); once the
     * pages are planned, the other core is idle: with all 44 bundles of 10,000 articles to make after that,
     * the build waited 11.7-12.2 s for them with one process and 7.3-8.2 s with two.
     */
    buildDone?: Promise<unknown>;
  } = {},
): Promise<(OutputFile | KeyedFile | ReusedFile)[]> {
  const articlesOf = searchBundles(index.articles.map(({ article }) => article));
  const newestFirst = [...articlesOf.keys()].sort().reverse();
  const files: (OutputFile | KeyedFile | ReusedFile)[] = [{ path: SEARCH_SHARDS_FILE, content: `${JSON.stringify({ bundles: newestFirst.map((name) => `${name}/`) })}\n` }];
  const cache = new BundleCache(cacheDirectory());
  // Pagefind's output is deterministic, so a bundle cached by a hash of all it is made from is exact: each
  // document is made from its article file's text (its hash) and URL by Gazette's code, in the site's language.
  const keys = new Map<string, string>();
  const base = await bundleKeyBase(site);
  for (const name of newestFirst) keys.set(name, bundleKey(base, articlesOf.get(name)!));
  const bundles = new Map<string, OutputFile[]>();
  // Bundles the output already has whole.
  const reused = new Map<string, ReusedFile[]>();
  // Pagefind services, started as bundles need them (a second one only once the build is done).
  const runners: PagefindRunner[] = [];
  // Indexing a small part of the archive (as after an edit), Pagefind yields the CPU to the build's own thread,
  // which is what such a build waits for: at 10,000 articles, the one year Pagefind indexed after an edit took
  // the cores from the build thread while it read the caches, with ~0.7 s of CPU of its own. Indexing much of it
  // (a cold build), Pagefind's work is as long as the build's, and it keeps its share.
  const cached = await Promise.all(newestFirst.map((name) => cache.has(keys.get(name)!)));
  let toIndex = 0;
  newestFirst.forEach((name, i) => (toIndex += cached[i] ? 0 : articlesOf.get(name)!.length));
  const background = toIndex <= BACKGROUND_INDEX_SHARE * index.articles.length;
  const startRunner = (): PagefindRunner => {
    const runner = options.thread ? new PagefindThread(background) : new PagefindHere();
    runners.push(runner);
    return runner;
  };
  const indexBundle = async (runner: PagefindRunner, name: string) => {
    const bundle = await runner.bundle(articlesOf.get(name)!.map(searchArticle), site.language);
    await cache.write(keys.get(name)!, bundle).catch(() => undefined);
    bundles.set(name, bundle);
  };
  // Bundles to index, newest first; each lane takes the next one when it is free. A bundle is the same
  // whichever service makes it, so the files do not depend on how the lanes shared them.
  const toMake = newestFirst.filter((_, i) => !cached[i]);
  const lane = async (): Promise<void> => {
    let runner: PagefindRunner | null = null;
    for (let name = toMake.shift(); name !== undefined; name = toMake.shift()) await indexBundle((runner ??= startRunner()), name);
  };
  try {
    // The bundles to index go first, one after another in each lane (memory is one bundle's per lane), so that
    // Pagefind works in its own process while this thread reads the cached bundles and the build goes on
    // (after an edit, the one bundle Pagefind indexes is what the build waits for last).
    const firstLane = lane();
    // The second lane opens when the build is done, if there is still a bundle to make then (never once the first lane has finished).
    const secondLane = options.buildDone ? Promise.race([options.buildDone, firstLane]).then(() => (toMake.length > 0 ? lane() : undefined)) : Promise.resolve();
    const indexing = Promise.all([firstLane, secondLane]);
    indexing.catch(() => undefined);
    const unreadable: string[] = [];
    for (const [i, name] of newestFirst.entries()) {
      if (!cached[i]) continue;
      const key = keys.get(name)!;
      const kept = options.reuse ? await reusedBundle(cache, name, key, options.reuse) : null;
      if (kept) {
        reused.set(name, kept);
        continue;
      }
      const bundle = await cache.read(key);
      if (bundle) bundles.set(name, bundle);
      else unreadable.push(name);
    }
    await indexing;
    for (const name of unreadable) await indexBundle(runners[0] ?? startRunner(), name);
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
  }
  for (const name of newestFirst) files.push(...(reused.get(name) ?? bundleFiles(name, keys.get(name)!, bundles.get(name)!)));
  await cache.prune().catch(() => undefined);
  return files;
}

/**
 * The files of one search bundle (see searchIndexFiles), for a build that knows the other bundles are as the
 * output has them: its articles in the order searchBundles gives them, newest first. Pagefind runs in a thread
 * of its own at full priority: after a small edit, this bundle is what the build waits for.
 */
export async function searchBundleFiles(name: string, articles: readonly Article[], site: Pick<SiteConfig, "language">, reuse?: ReuseFile): Promise<(KeyedFile | ReusedFile)[]> {
  const key = bundleKey(await bundleKeyBase(site), articles);
  const cache = new BundleCache(cacheDirectory());
  const kept = reuse ? await reusedBundle(cache, name, key, reuse) : null;
  if (kept) return kept;
  let bundle = await cache.read(key);
  if (!bundle) {
    const pagefind = new PagefindThread(false);
    try {
      bundle = await pagefind.bundle(articles.map(searchArticle), site.language);
    } finally {
      await pagefind.close();
    }
    await cache.write(key, bundle).catch(() => undefined);
  }
  return bundleFiles(name, key, bundle);
}

/** A bundle as files the output already has under its key, or null when it does not have them all. */
async function reusedBundle(cache: BundleCache, name: string, key: string, reuse: ReuseFile): Promise<ReusedFile[] | null> {
  const paths = await cache.paths(key);
  if (!paths?.every((file) => reuse(`${SEARCH_BUNDLE_DIR}/${name}/${file}`, key))) return null;
  return paths.map((file) => ({ path: `${SEARCH_BUNDLE_DIR}/${name}/${file}`, key, reused: true }));
}

/** A bundle's files as output files under the bundle's folder. */
function bundleFiles(name: string, key: string, bundle: OutputFile[]): KeyedFile[] {
  return bundle.map((file) => ({ path: `${SEARCH_BUNDLE_DIR}/${name}/${file.path}`, content: file.content, key }));
}

/** What Pagefind is given of an article. */
function searchArticle({ url, title, date, body }: SearchArticle): SearchArticle {
  return { url, title, date, body };
}

/** What every bundle's key starts with: Pagefind's version, Gazette's code and the site's language. */
async function bundleKeyBase(site: Pick<SiteConfig, "language">): Promise<string> {
  return `bundle 3\0${await pagefindVersion()}\0${await codeFingerprint()}\0${site.language}\0`;
}

/** A bundle's key: a hash of all it is made from (each document is made from its article file's text, by its hash, and URL). */
function bundleKey(base: string, articles: readonly Pick<Article, "url" | "hash">[]): string {
  const hash = createHash("sha256").update(base);
  for (const article of articles) hash.update(`${article.url}\0${article.hash}\0`);
  return hash.digest("hex").slice(0, 32);
}

/**
 * The articles of each search bundle, by the bundle's name, in the order given (newest first): a year's, or
 * for a year of more than BUNDLE_ARTICLES_MAX articles, as few runs of its months as keep each run to about
 * that many (a month is never split), each named by its year and first month ("2019-07").
 */
export function searchBundles<A extends Pick<Article, "date">>(articles: A[]): Map<string, A[]> {
  const years = new Map<string, A[]>();
  for (const article of articles) {
    const year = article.date.slice(0, 4);
    if (!years.has(year)) years.set(year, []);
    years.get(year)!.push(article);
  }
  const bundles = new Map<string, A[]>();
  for (const [year, inYear] of years) {
    if (inYear.length <= BUNDLE_ARTICLES_MAX) {
      bundles.set(year, inYear);
      continue;
    }
    const parts = Math.ceil(inYear.length / BUNDLE_ARTICLES_MAX);
    const perMonth = new Map<string, number>();
    for (const article of inYear) {
      const month = article.date.slice(5, 7);
      perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
    }
    // Oldest month first, each in the part its first article falls in when the year is cut into equal parts.
    const nameOf = new Map<string, string>();
    const partNames: string[] = [];
    let before = 0;
    for (const month of [...perMonth.keys()].sort()) {
      const part = Math.min(parts - 1, Math.floor((before * parts) / inYear.length));
      partNames[part] ??= `${year}-${month}`;
      nameOf.set(month, partNames[part]!);
      before += perMonth.get(month)!;
    }
    for (const article of inYear) {
      const name = nameOf.get(article.date.slice(5, 7))!;
      if (!bundles.has(name)) bundles.set(name, []);
      bundles.get(name)!.push(article);
    }
  }
  return bundles;
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
/** What the search thread is started with. */
export interface SearchThreadData {
  /** Run at a lower CPU priority, with the Pagefind process it starts (see searchIndexFiles). */
  background: boolean;
}

/**
 * Pagefind's client in a thread of its own. Pagefind answers each document and the bundle's files through a
 * pipe that a thread reads only between its own tasks: on the build's thread, busy for seconds with the index
 * and pages, Pagefind stalled on a full pipe, and after one edit at 10,000 articles its year's bundle took
 * ~3 s in the build against ~1.5 s alone, and was the last thing the build waited for.
 */
class PagefindThread implements PagefindRunner {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(files: OutputFile[]): void; reject(error: Error): void }>();
  private readonly exited: Promise<void>;
  private nextId = 1;

  /** `background`: the thread, and the Pagefind process it starts, run at a lower CPU priority (see searchIndexFiles). */
  constructor(background: boolean) {
    this.worker = new Worker(new URL("./search-thread.js", import.meta.url), { workerData: { background } satisfies SearchThreadData });
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
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

/**
 * Files Pagefind writes into every bundle that the site never loads: its ready-made search interfaces and the
 * result-page highlighter. The search page (public/assets/search.js) runs Pagefind's API over all bundles at
 * once, which those interfaces cannot; kept, they were ~430 KB and 7 files in each bundle, 19 MB at 10,000
 * articles. (pagefind.js, its worker and the wasm files stay: each merged bundle loads its own.)
 */
const UNUSED_PAGEFIND_FILE = /^pagefind-(?:ui|modular-ui|component-ui)\.(?:js|css)$|^pagefind-highlight\.js$/;

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
      .filter((file) => !UNUSED_PAGEFIND_FILE.test(file.path))
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
