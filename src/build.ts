import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { copyFile, link, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AnalysisCache, type CachedAnalysis } from "./analysis-cache.js";
import { cacheDirectory, codeFingerprint, PACKAGE_ROOT, SpanCacheFile, taggerFingerprint, TextCache } from "./cache.js";
import type { Article } from "./content/article.js";
import { ContentError } from "./content/issues.js";
import type { Archive, SettingsText } from "./content/load.js";
import type { SiteConfig } from "./content/site-config.js";
import { loadArchiveCached, type ArticleMemory, type FileIdentities } from "./content-cache.js";
import { buildArchiveIndex, entityKeyOf, newestFirst, type ArchiveIndex, type IndexedArticle } from "./index/archive-index.js";
import { analysisTextOf } from "./nlp/analysis-text.js";
import { indexRegistry } from "./nlp/canonical.js";
import { analyseArticle, shareTexts, textHash, type ArticleAnalysis } from "./nlp/extract.js";
import { loadTagger } from "./nlp/tagger/index.js";
import { compileTaxonomy } from "./nlp/topics.js";
import type { TaggedSpan } from "./nlp/types.js";
import { cleanStaleLeftovers, guardOutputDir } from "./output-guard.js";
import { inputsSignature, type InputFolder } from "./input-check.js";
import { folderIdentity, listTree, OutputState, scanTree, type Manifest } from "./output-state.js";
import { OwnPagesRecorder, type ArticleSource } from "./own-pages.js";
import { ownPagesEdit, type AnalysisHandover } from "./own-pages-edit.js";
import { PageStore } from "./page-store.js";
import { BODY_TOKEN, bodyToken, dataFileHash, keyedFileHash, pageBaseKey, sha } from "./page-plan.js";
import { renderWithEleventy } from "./render/eleventy.js";
import type { BodyJob, Globals, PageJob } from "./render/page-renderer.js";
import { WorkerPool } from "./render/pool.js";
import { outputPathOf, scanTemplates, type ParsedTemplate, type TemplateSet, type TemplateSpec } from "./render/templates.js";
import { apiFiles } from "./site/api.js";
import { atomFeeds, jsonFeed, type KeyedFile, type OutputFile, type ReusedFile, type ReuseFile } from "./site/feeds.js";
import { buildPages, eachPage, PAGE_LISTS, pageCounts, pagesIn, type PageContext, type SitePages } from "./site/pages.js";
import { newsSitemap, robotsTxt, SitemapCollector, SITEMAP_LIMIT } from "./site/sitemap.js";
import { mentionCounts, type MentionTally } from "./site/own-page.js";
import { searchBundles, searchIndexFiles } from "./site/search-index.js";
import { locate, type SiteLocation } from "./site/urls.js";

export interface BuildOptions {
  contentDir: string;
  outDir: string;
  baseUrl?: string | undefined;
  pathPrefix?: string | undefined;
  /** Project folders; default to ./templates and ./public, else Gazette's own. */
  templatesDir?: string | undefined;
  publicDir?: string | undefined;
  /** Update the output folder in place, touching only what changed (falls back to a full build when it cannot trust the folder). */
  incremental?: boolean | undefined;
  /** Called with each stage's name as it starts, for progress display. */
  onStage?: (stage: string, detail?: string) => void;
  /** Called as a long stage advances: items done of total. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Kept by the caller between builds (gazette serve): see BuildMemory. */
  memory?: BuildMemory | undefined;
}

/**
 * What a long-running process (`gazette serve`) keeps between its builds: the parsed articles and their
 * analyses, each by the key of its disk cache, so a rebuild after an edit reads neither cache back (their
 * files and decoding took ~1 s at 10,000 articles). Each holds the last build's entries only.
 */
export interface BuildMemory {
  articles: ArticleMemory;
  /** Analyses by article hash, valid under `fingerprint` (what they depend on besides the article). */
  analyses: { fingerprint: string; byHash: Map<string, CachedAnalysis> };
}

export function newBuildMemory(): BuildMemory {
  return { articles: new Map(), analyses: { fingerprint: "", byHash: new Map() } };
}

export interface BuildResult {
  articles: number;
  entities: number;
  topics: number;
  pages: number;
  files: number;
  /** How the output folder was updated: swapped whole, or patched in place. */
  mode: "full" | "incremental";
  /** Set when only the edited articles' own pages (and the search bundles) could have changed: no other page was planned (see ownPagesEdit). */
  editedPagesOnly: boolean;
  /** Files rendered or written by this build (the rest were unchanged). */
  written: number;
  deleted: number;
  timings: Record<string, number>;
}

/** Below this many articles to analyse, starting workers costs more than it saves (the tagger runs here). */
const PARALLEL_ANALYSE_MIN = 48;
/** Below this many articles to tag, reading the tagger's span cache costs more than tagging them. */
const SPAN_CACHE_MIN = 32;
const ANALYSE_BATCH = 24;
/** Pages sent to a worker at once. */
const RENDER_BATCH = 200;

/** Reads and validates the archive (through the content cache); throws a ContentError naming every problem. */
export async function loadContent(contentDir: string, memory?: BuildMemory, identities?: FileIdentities): Promise<Archive> {
  const loaded = await loadArchiveCached(contentDir, cacheDirectory(), await codeFingerprint(), memory?.articles, identities);
  if ("issues" in loaded) throw new ContentError(loaded.issues);
  return loaded.archive;
}

/** What analyseArchive may be given besides the archive; all optional. */
export interface AnalyseOptions {
  onStage?: BuildOptions["onStage"];
  /** Workers for extraction (without them, the tagger runs on this thread). */
  pool?: WorkerPool;
  onProgress?: BuildOptions["onProgress"];
  memory?: BuildMemory | undefined;
  /** Analyses the quick edit path made before it declined: used for the same articles under the same registry and taxonomy. */
  handover?: AnalysisHandover;
}

/** What an article's analysis depends on besides the article file: the tagger, the registry, the taxonomy and Gazette's code. */
async function analysisFingerprint({ registry, taxonomy }: SettingsText): Promise<string> {
  return createHash("sha256")
    .update(`${await taggerFingerprint()}\0${await codeFingerprint()}\0${registry}\0${taxonomy}`)
    .digest("hex")
    .slice(0, 16);
}

/** Analyses the archive's articles (through the caches), then builds its index: everything before rendering. */
export async function analyseArchive(archive: Archive, { onStage, pool, onProgress, memory, handover }: AnalyseOptions = {}): Promise<{ analyses: Map<Article, ArticleAnalysis>; index: ArchiveIndex }> {
  onStage?.("extract", `${archive.articles.length} articles`);
  const cacheDir = cacheDirectory();
  const tagger = await taggerFingerprint();
  const fingerprint = await analysisFingerprint(archive.settingsText);
  // Analyses in memory (gazette serve) are used first; the disk cache is read when they are not enough for the
  // tagger's work to be small (as after the first build, or a registry change), and then it keeps what is new.
  const known = memory?.analyses.fingerprint === fingerprint ? memory.analyses.byHash : new Map<string, CachedAnalysis>();
  const remembered = new Map<string, CachedAnalysis>();
  const analyses = new Map<Article, ArticleAnalysis>();
  let missing: Article[] = [];
  for (const article of archive.articles) {
    const hit = known.get(article.hash);
    if (hit) {
      remembered.set(article.hash, hit);
      analyses.set(article, hit.analysis);
    } else missing.push(article);
  }
  const cache = missing.length >= PARALLEL_ANALYSE_MIN || !memory ? await AnalysisCache.open(cacheDir, fingerprint) : null;
  if (cache) {
    // The memory's hits are this build's entries too: the disk cache keeps them.
    for (const hash of remembered.keys()) cache.touch(hash);
    const stillMissing: Article[] = [];
    for (const article of missing) {
      const hit = cache.get(article);
      if (!hit) stillMissing.push(article);
      else {
        remembered.set(article.hash, hit);
        analyses.set(article, hit.analysis);
      }
    }
    missing = stillMissing;
  }
  const remember = (article: Article, analysis: ArticleAnalysis, text: string) => {
    analyses.set(article, analysis);
    remembered.set(article.hash, { analysis, textHash: text });
    cache?.set(article, analysis, text);
  };
  // The edited articles the quick path analysed before it declined are not tagged a second time (this process
  // has the same tagger and code: the registry and taxonomy are what can have changed since).
  const settingsThen = handover?.settingsText;
  if (handover && settingsThen?.registry === archive.settingsText.registry && settingsThen.taxonomy === archive.settingsText.taxonomy && missing.length > 0) {
    const stillMissing: Article[] = [];
    for (const article of missing) {
      const analysis = handover.byHash.get(article.hash);
      if (analysis) remember(article, analysis, textHash(analysisTextOf(article).text));
      else stillMissing.push(article);
    }
    missing = stillMissing;
  }
  // The tagger's span cache is read (and saved) only when there is enough to tag: reading it cost ~0.1 s at
  // 10,000 articles, the time the tagger takes for a few dozen, and untouched it stays as it was. Opened, it
  // keeps the spans of the analyses found above too, for the day their registry or taxonomy changes.
  const spans = missing.length >= SPAN_CACHE_MIN ? await SpanCacheFile.open(cacheDir, tagger) : undefined;
  if (spans) for (const hit of remembered.values()) spans.touch(hit.textHash);
  if (missing.length > 0 && (missing.length < PARALLEL_ANALYSE_MIN || !pool)) {
    const registry = indexRegistry(archive.registry);
    const taxonomy = compileTaxonomy(archive.taxonomy);
    const nerTagger = loadTagger();
    missing.forEach((article, i) => {
      remember(article, analyseArticle(article, nerTagger, registry, taxonomy, spans), textHash(analysisTextOf(article).text));
      if (i % 64 === 0) onProgress?.("extract", i, missing.length);
    });
  } else if (missing.length > 0) {
    pool!.setup({ type: "setup-analysis", registry: archive.registry, taxonomy: archive.taxonomy });
    // Texts repeated across the analyses that come back from the workers, held once.
    const shared = new Map<string, string>();
    let done = 0;
    const batches: (() => Promise<void>)[] = [];
    for (let i = 0; i < missing.length; i += ANALYSE_BATCH) {
      const batch = missing.slice(i, i + ANALYSE_BATCH);
      batches.push(() => {
        const hashes = batch.map((article) => textHash(analysisTextOf(article).text));
        const cachedSpans = hashes.map((hash) => spans?.get(hash) ?? null);
        return pool!.run<{ analysis: ArticleAnalysis; tagged: { hash: string; spans: TaggedSpan[] }[] }[]>({ type: "analyse", articles: batch, cachedSpans }).then((results) => {
          results.forEach((result, j) => {
            for (const tagged of result.tagged) spans?.set(tagged.hash, tagged.spans);
            shareTexts(result.analysis, shared);
            remember(batch[j]!, result.analysis, hashes[j]!);
          });
          done += batch.length;
          onProgress?.("extract", done, missing.length);
        });
      });
    }
    await boundedAll(batches, 2 * pool!.size);
  }
  await Promise.all([spans?.save(), cache?.save()]);
  if (memory) memory.analyses = { fingerprint, byHash: remembered };

  onStage?.("index");
  const index = buildArchiveIndex({ articles: archive.articles, analyses, registry: archive.registry, topics: archive.taxonomy.topics });
  return { analyses, index };
}

/** How one output file is made, and the hash of everything that goes into it. */
type Planned =
  /** `job` is kept only when the page may yet have to be rendered (a file of the old output that cannot be linked). */
  | { kind: "page"; hash: string; template: string; job?: PageJob }
  | { kind: "eleventy"; hash: string }
  | { kind: "copy"; hash: string; from: string }
  | { kind: "text"; hash: string; content: string | Uint8Array }
  /** A data file the folder has, made from inputs with the key it was made with (never made here). */
  | { kind: "kept"; hash: string };

const UTF8 = new TextEncoder();
/** Changes when what the record of the article pages holds, or how it is read, does. */
const OWN_PAGES_FORMAT = "own-pages 3";

/**
 * A build: content -> analyses -> index -> page objects -> output plan
 * (every output path with the hash of its inputs) -> only what changed is
 * rendered. Where the output folder has a manifest to trust, changed files
 * are staged and moved in (a full build first checks the folder against the
 * manifest, so files lost are written again and files Gazette did not write
 * are removed); otherwise everything is rendered into a staging folder
 * (reusing unchanged files of the previous output by hard link) that is
 * swapped in. Both commit through the
 * journal in output-state.ts, so a failed build leaves the output as it was
 * and a killed one is finished by the next.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  let stageStart = performance.now();
  let stageName = "";
  const stage = (name: string, detail?: string) => {
    if (stageName) timings[stageName] = (timings[stageName] ?? 0) + Math.round(performance.now() - stageStart);
    stageName = name;
    stageStart = performance.now();
    options.onStage?.(name, detail);
  };

  const outDir = path.resolve(options.outDir);
  // Safety (issue 7): never replace a folder that is not a site; a killed build's leftovers go once the journal is rolled forward.
  await guardOutputDir(outDir, [
    { label: "content", dir: options.contentDir },
    { label: "templates", dir: options.templatesDir ?? "templates" },
    { label: "public", dir: options.publicDir ?? "public" },
  ]);
  const state = new OutputState(outDir);
  await state.recover();
  await cleanStaleLeftovers(outDir);
  const pool = new WorkerPool();
  const temporaries: string[] = [];
  const templatesDir = options.templatesDir ?? (await firstExisting(path.resolve("templates"), path.join(PACKAGE_ROOT, "templates")));
  const publicDir = options.publicDir ?? (await firstExisting(path.resolve("public"), path.join(PACKAGE_ROOT, "public")));
  // Every input file's identity and times: when nothing changed since the build that wrote the folder (and,
  // for a full build, the folder holds exactly the files it wrote), the build stops here.
  stage("inputs");
  // Everything a build's output depends on besides its folders' files.
  const settings = [await codeFingerprint(), await taggerFingerprint(), outDir, options.baseUrl ?? "", options.pathPrefix ?? "", process.env.GAZETTE_RENDERER ?? ""];
  const inputs = await inputsSignature([path.resolve(options.contentDir), path.resolve(templatesDir), path.resolve(publicDir)], settings);
  const upToDate = async (summary: NonNullable<Manifest["inputs"]>["summary"]): Promise<BuildResult> => {
    stage("");
    await pool.close();
    return { ...summary, mode: "incremental", editedPagesOnly: false, written: 0, deleted: 0, timings };
  };
  // An incremental build whose inputs are those of the build that wrote the folder has nothing to do; it
  // reads the manifest's first line only.
  const recorded = options.incremental && inputs.hash !== null ? await state.readInputs() : null;
  if (recorded && recorded.hash === inputs.hash) return upToDate(recorded.summary);
  const old = await state.read();
  // With a manifest to trust, a full build patches the folder in place like an incremental one, after checking
  // the folder against the manifest: re-linking every unchanged file into a new folder and deleting the old
  // tree cost more than all the rest of a warm 10,000-article build. A folder holding anything but plain
  // files and folders (a symbolic link, say) is rebuilt whole and swapped in, as without a manifest.
  const audit = old && !options.incremental ? await auditOutput(outDir) : null;
  const intact = !audit || (audit.plain && audit.files.size === Object.keys(old!.files).length && Object.keys(old!.files).every((file) => audit.files.has(file)));
  // (For a full build: an incremental one with these inputs has stopped above.)
  if (inputs.hash !== null && old?.inputs?.hash === inputs.hash && intact) return upToDate(old.inputs.summary);
  try {
    const incremental = Boolean(old && (options.incremental || audit?.plain));
    // A full build also writes what is missing from the folder, and removes what Gazette did not write there.
    const present = (file: string) => !audit || audit.files.has(file);
    // Article, entity and listing pages, the feeds and the search bundles carry the key of their inputs
    // (PageContext.reuse, atomFeeds, searchIndexFiles), recorded in the manifest; in a folder patched in place,
    // a file whose key is the one it was made with is not made again. GAZETTE_VERIFY_REUSE=1 (the differential
    // tests) makes such files anyway and checks they came out the same.
    const keys: Record<string, string> = {};
    const verifyReuse = process.env.GAZETTE_VERIFY_REUSE === "1";
    const sameAsBefore = new Set<string>();
    const reuseIn =
      (oldKeys: Record<string, string> | null): ReuseFile =>
      (file, key) => {
        if (!incremental || !oldKeys) return false;
        if (oldKeys[file] !== key || old!.files[file] === undefined || !present(file)) return false;
        if (!verifyReuse) return true;
        sameAsBefore.add(file);
        return false;
      };
    const keyLeftOut = (file: string) => new Error(`internal error: ${file} changed although the key of its inputs did not: site/ leaves an input out of its key`);
    const madeAsBefore = (file: string, hash: string) => {
      if (sameAsBefore.has(file) && hash !== old!.files[file]) throw keyLeftOut(file);
    };
    // A file recorded by its key (see planFile) is checked against the folder's bytes.
    const madeAsBeforeBytes = (file: string, content: string | Uint8Array) => {
      if (sameAsBefore.has(file) && !readFileSync(path.join(outDir, file)).equals(typeof content === "string" ? UTF8.encode(content) : content)) throw keyLeftOut(file);
    };

    // The project's inputs besides the content, and what the record of the article pages holds under
    // (OwnPagesRecord): every input but the article files, by its bytes.
    const templateCache = await TextCache.open<ParsedTemplate>(cacheDirectory(), "templates", await codeFingerprint());
    const templateSet = await scanTemplates(templatesDir, templateCache);
    await templateCache.save();
    const publicFiles = await publicCopies(publicDir);
    const pagesFingerprintOf = (settingsText: SettingsText) => sha(OWN_PAGES_FORMAT, ...settings, templateSet.hash, JSON.stringify(publicFiles.map(({ file, hash }) => [file, hash])), JSON.stringify(settingsText));
    const handover: AnalysisHandover = { settingsText: null, byHash: new Map() };
    if (options.incremental && incremental && old!.pages) {
      const edited = await ownPagesEdit({
        contentDir: options.contentDir,
        old: old!,
        record: old!.pages,
        content: inputs.folders[0]!,
        fingerprint: pagesFingerprintOf,
        templateSet,
        prepareRendering: (site) => prepareRendering(pool, templateSet, site, options),
        state,
        pool,
        publicPaths: new Set(publicFiles.map(({ file }) => file)),
        inputsHash: inputs.hash,
        stage,
        root: `${outDir}.gazette-patch-${process.pid}`,
        temporaries,
        timings,
        handover,
      });
      if (edited) return edited;
    }

    stage("load");
    const archive = await loadContent(options.contentDir, options.memory, inputs.identities);
    // Pagefind's index needs only the articles (newest first, as the index orders them): it runs in its own
    // process while the workers extract, instead of after them with both workers idle (~14 s of CPU at 10k).
    // A bundle's key holds all it is made from (not the pages' templates and settings): its files are trusted by it alone.
    const newestArticles = [...archive.articles].sort(newestFirst);
    // Once every page is planned, the build waits for the search bundles: they then get a second Pagefind lane.
    let pagesPlanned = () => {};
    const buildDone = new Promise<void>((resolve) => (pagesPlanned = resolve));
    const search = searchIndexFiles({ articles: newestArticles.map((article) => ({ article })) }, archive.site, { thread: true, reuse: reuseIn(old?.keys?.files ?? null), buildDone });
    search.catch(() => undefined);
    // The page templates are compiled in a worker meanwhile too (see prepareRendering).
    const renderSetup = prepareRendering(pool, templateSet, archive.site, options);
    renderSetup.catch(() => undefined);
    const location = siteLocation(archive.site, options);
    const pagesFingerprint = pagesFingerprintOf(archive.settingsText);
    const { analyses, index } = await analyseArchive(archive, { onStage: stage, pool, onProgress: options.onProgress, memory: options.memory, handover });

    stage("plan");
    // Article bodies are rendered where their page is (in a worker, and only when the page changed):
    // the page object carries a token naming the body's content until then.
    const bodies = new Map<string, BodyJob>();
    const pageContext: PageContext = {
      index,
      site: archive.site,
      location,
      renderBody: (article, links) => {
        const token = bodyToken(article, links);
        bodies.set(token, { markdown: article.body, links });
        return token;
      },
    };
    const { globals, fast } = await renderSetup;
    const baseKey = await pageBaseKey(templateSet, globals);
    const eleventyTemplates = templateSet.templates.filter((t) => !fast.includes(t));
    // Gazette's own templates get each page as it is made, and it is let go once handed on; templates a
    // newsroom adds are rendered by Eleventy from whole lists, so then the lists are made whole first.
    const allPages = eleventyTemplates.length > 0 ? buildPages(pageContext) : null;

    const plan = new Map<string, Planned>();

    // The keys of pages and feeds are trusted under what every page shares (code, templates, globals: baseKey).
    const keyBase = sha(baseKey);
    const reuseFile = reuseIn(old?.keys?.base === keyBase ? old.keys.files : null);

    const root = incremental ? `${outDir}.gazette-patch-${process.pid}` : `${outDir}.gazette-staging-${process.pid}`;
    let rootMade: Promise<void> | null = null;
    const makeRoot = () =>
      (rootMade ??= (async () => {
        temporaries.push(root);
        await rm(root, { recursive: true, force: true });
        await mkdir(root, { recursive: true });
      })());
    const queue = new RenderQueue(async (jobs) => {
      await makeRoot();
      await pool.run<number>({ type: "render", root, jobs }, jobs.map((job) => job.json.buffer as ArrayBuffer));
    }, 2 * pool.size);

    // Public files and data files win over a page at the same path (and Eleventy only fills paths still free).
    for (const { file, from, hash } of publicFiles) plan.set(file, { kind: "copy", hash, from });

    stage("feeds");
    // A data file made here, or, with its inputs' key unchanged, kept as the folder has it. The API files are
    // recorded by their key (under keyBase), which stands for their bytes as it does when they are kept:
    // hashing their 17 MB of JSON after every edit cost ~35 ms at 10,000 articles. (Not so the feeds, whose
    // keys name their articles' files: a body edit changes a key but seldom a feed, which is then not written.)
    const planFile = (file: OutputFile | KeyedFile | ReusedFile, byKey = false) => {
      if ("key" in file) keys[file.path] = file.key;
      if ("reused" in file) return void plan.set(file.path, { kind: "kept", hash: old!.files[file.path]! });
      const byItsKey = byKey && "key" in file;
      const hash = byItsKey ? keyedFileHash(keyBase, file.path, file.key) : dataFileHash(file.content);
      plan.set(file.path, { kind: "text", hash, content: file.content });
      if (byItsKey) madeAsBeforeBytes(file.path, file.content);
      else madeAsBefore(file.path, hash);
    };
    for (const feed of atomFeeds(index, archive.site, location, reuseFile)) planFile(feed);
    for (const file of [jsonFeed(index, archive.site, location), newsSitemap(index, archive.site, location), robotsTxt(location)]) planFile(file);
    for (const file of apiFiles(index, location, reuseFile)) planFile(file, true);

    // Each page is hashed, and rendered in the workers at once when its hash changed: its JSON lives only
    // until a worker has written it, so memory stays flat however large the archive.
    stage("render");
    let pageCount = 0;
    let pagesRendered = 0;
    const counts = pageCounts(index, archive.site.pageSize);
    const pagesTotal = fast.reduce((sum, template) => sum + counts[template.list as keyof SitePages], 0);
    queue.onRendered = (count) => {
      pagesRendered += count;
      options.onProgress?.("render", pagesRendered, pagesTotal);
    };
    // An article page's body, found by the token its page carries; let go here unless Eleventy may need it.
    const bodyOf = (page: Record<string, unknown>): BodyJob | undefined => {
      const html = (page.article as { html?: string } | undefined)?.html;
      if (typeof html !== "string" || !html.startsWith(BODY_TOKEN)) return undefined;
      const body = bodies.get(html);
      if (!allPages) bodies.delete(html);
      return body;
    };
    // Eleventy renders the rest in one run: its outputs share one hash over what those templates can read.
    let eleventyHash: string | null = null;
    let eleventyFiles: string[] = [];
    let eleventyRun: string | null = null;
    const runEleventy = async () => {
      const started = performance.now();
      options.onStage?.("eleventy", `${eleventyTemplates.length} templates`);
      const dir = `${outDir}.gazette-eleventy-${process.pid}`;
      eleventyRun = dir;
      temporaries.push(dir);
      await rm(dir, { recursive: true, force: true });
      // Article bodies are tokens until rendered: templates that may read them get them rendered.
      const eleventyPages = eleventyTemplates.some((t) => t.list === null || t.list === "article") ? await withBodies(allPages!, bodies) : allPages!;
      await renderWithEleventy({ templatesDir, outDir: dir, pages: eleventyPages, site: archive.site, location, ignore: fast.map((t) => t.file) });
      const files = await listTree(dir);
      // Eleventy runs on this thread while the workers render pages: its time is part of "render", shown apart.
      timings["eleventy (during render)"] = (timings["eleventy (during render)"] ?? 0) + Math.round(performance.now() - started);
      return files;
    };
    // Its hash: a template of its own shape may read any page, so it depends on all of them (known once
    // every page is planned); one that reads certain lists depends on those, and it runs while pages render.
    const eleventyLists = new Set(eleventyTemplates.map((t) => t.list));
    const eleventyReadsAll = eleventyLists.has(null);
    // The hash of every page Gazette makes, only for such a template (18,000 hash updates otherwise spent at 10,000 articles).
    const pageHashes = eleventyReadsAll ? createHash("sha256") : null;
    const eleventyPlan = async (): Promise<void> => {
      const hash = createHash("sha256").update(baseKey).update("eleventy\0");
      for (const t of eleventyTemplates) hash.update(`${t.name}\0${t.list ?? "*"}\0`);
      for (const [name, list] of Object.entries(allPages!) as [string, unknown[]][]) {
        if (eleventyReadsAll ? !fast.some((t) => t.list === name) : eleventyLists.has(name)) hash.update(`${name}\0${JSON.stringify(list)}\0`);
      }
      if (pageHashes) hash.update(pageHashes.digest("hex"));
      eleventyHash = `E${hash.digest("base64url").slice(0, 22)}`;
      const previous = old?.eleventy;
      const reusable = previous?.hash === eleventyHash && previous.files.every((file) => old!.files[file] === eleventyHash);
      eleventyFiles = reusable ? previous!.files : await runEleventy();
    };
    let eleventyPlanned: Promise<void> | null = null;
    const startEleventy = () => {
      eleventyPlanned = eleventyPlan();
      eleventyPlanned.catch(() => undefined);
    };
    if (eleventyTemplates.length > 0 && !eleventyReadsAll) startEleventy();

    // Pages come list by list (PAGE_LISTS order); each is planned, and rendered at once if it changed.
    const templateOf = new Map(fast.map((template) => [template.list, template.name]));
    const reuse: PageContext["reuse"] = (list, url, key) => templateOf.has(list) && reuseFile(outputPathOf(url), key);
    // Unchanged files of the old output are linked into the new folder later; a page whose file cannot be
    // linked is rendered then, so its job is kept.
    const mayRelink = !incremental && Boolean(old);
    const sitemap = new SitemapCollector();
    // The article pages' record, for the build after a small edit (own-pages.ts); not when Eleventy renders any page.
    const recorder = allPages ? null : new OwnPagesRecorder(state.manifestFile, pagesFingerprint, await analysisFingerprint(archive.settingsText), old?.pages);
    const articleAt = recorder ? articleSources(archive, newestArticles, inputs.folders[0]!) : null;
    const indexedAt = recorder ? new Map(index.articles.map((indexed) => [indexed.article.url, indexed])) : null;
    for (const item of allPages ? pagesIn(allPages) : eachPage({ ...pageContext, reuse })) {
      sitemap.add(item);
      const template = templateOf.get(item.list);
      if ("reused" in item) {
        const file = outputPathOf(item.url);
        if (plan.has(file)) continue;
        const hash = old!.files[file]!;
        pageHashes?.update(hash);
        plan.set(file, { kind: "page", hash, template: template! });
        keys[file] = item.key;
        pageCount++;
        if (item.list === "article" && recorder) {
          const source = articleAt!.get(item.url)!;
          recorder.kept(file, source, analyses.get(source.article)!);
        }
        continue;
      }
      const page = item.page as unknown as Record<string, unknown>;
      const body = bodyOf(page);
      if (!template) continue;
      const file = outputPathOf(page.url as string);
      if (plan.has(file)) continue;
      // The JSON hashed here is what a worker gets: one buffer is far cheaper to send than a cloned object graph,
      // and moved to the worker rather than copied. Held as a string until its batch was sent, it outlived the
      // young generation, and sending flattened it into a copy there: garbage only a full collection frees, of
      // which the build's heap held up to 1 GiB at 100,000 articles.
      const json = UTF8.encode(JSON.stringify(page));
      const hash = sha(baseKey, template, "\0", json);
      pageHashes?.update(hash);
      const job: PageJob = { template, path: file, json, ...(body ? { body } : {}) };
      if (recorder && item.list === "article" && body) {
        const source = articleAt!.get(item.page.url);
        const indexed = indexedAt!.get(item.page.url);
        if (source && indexed) {
          const analysis = analyses.get(source.article)!;
          recorder.made(file, source, analysis, body.links, mentionTally(index, indexed, analysis), json);
        }
      }
      if (item.key !== undefined) keys[file] = item.key;
      madeAsBefore(file, hash);
      pageCount++;
      const changed = old?.files[file] !== hash || !present(file);
      plan.set(file, { kind: "page", hash, template, ...(mayRelink && !changed ? { job } : {}) });
      if (changed) await queue.add(job);
    }
    // The sitemap lists every page; like the other data files, it wins over a page at its path (none has one).
    for (const file of sitemap.files(location, SITEMAP_LIMIT, reuseFile)) planFile(file);
    if (eleventyTemplates.length > 0 && eleventyReadsAll) startEleventy();
    if (eleventyPlanned) {
      await eleventyPlanned;
      pageCount += eleventyFiles.filter((file) => file.endsWith(".html")).length;
      // Below the pages Gazette renders itself: a fast page wins a clash, as public files and data files win over both.
      for (const file of eleventyFiles) if (!plan.has(file)) plan.set(file, { kind: "eleventy", hash: eleventyHash! });
    }
    // The Pagefind search bundles, made from the articles themselves (site/search-index.ts): planned like any other file.
    // (Its files are all under pagefind/, where no page is.)
    const searchWait = performance.now();
    pagesPlanned();
    const searchFiles = await search;
    // Pagefind works beside the build: what is left of it when the pages are planned is part of "render", shown apart.
    timings["search (waited for, during render)"] = Math.round(performance.now() - searchWait);
    for (const file of searchFiles) planFile(file);

    const changed: string[] = [];
    const unchanged: string[] = [];
    for (const [file, planned] of plan) (old && old.files[file] === planned.hash && present(file) ? unchanged : changed).push(file);
    const deleted = old ? Object.keys(old.files).filter((file) => !plan.has(file)) : [];
    if (audit?.plain) for (const file of audit.files) if (!plan.has(file) && !(old && file in old.files)) deleted.push(file);

    const files: Record<string, string> = {};
    for (const [file, planned] of plan) files[file] = planned.hash;
    const done = result(archive, index, pageCount, plan.size, "incremental", 0, 0, timings);
    const inputRecord = inputs.hash === null ? undefined : { hash: inputs.hash, summary: { articles: done.articles, entities: done.entities, topics: done.topics, pages: done.pages, files: done.files } };
    const pagesRecord = recorder?.finish({ articles: done.articles, entities: done.entities, topics: done.topics, pages: done.pages, files: done.files }, index.votes);
    const manifestExtra = {
      ...(eleventyHash ? { eleventy: { hash: eleventyHash, files: eleventyFiles.filter((file) => plan.get(file)?.kind === "eleventy") } } : {}),
      keys: { base: keyBase, files: keys },
      ...(inputRecord ? { inputs: inputRecord } : {}),
      ...(pagesRecord ? { pages: pagesRecord } : {}),
    };

    if (incremental && changed.length === 0 && deleted.length === 0) {
      await state.recordInputs({ ...old!, pages: pagesRecord }, inputRecord);
      PageStore.removeOthers(state.manifestFile, pagesRecord?.store ?? null);
      stage("");
      return result(archive, index, pageCount, plan.size, "incremental", 0, 0, timings);
    }
    await makeRoot();

    const toProduce = new Set(changed);
    if (!incremental && old && unchanged.length > 0) {
      const failed = await linkUnchanged(outDir, root, unchanged);
      for (const file of failed) toProduce.add(file);
    }

    // Eleventy runs as a whole: when any of its files must be written (one lost from the output, say), it runs now.
    if (eleventyRun === null && [...toProduce].some((file) => plan.get(file)!.kind === "eleventy")) await runEleventy();

    options.onStage?.("render", `${toProduce.size} files`);
    // Pages not yet rendered (a file that could not be linked from the old output) go to the workers too.
    for (const file of toProduce) {
      const planned = plan.get(file)!;
      if (planned.kind !== "page" || queue.has(file)) continue;
      if (!planned.job) throw new Error(`internal error: ${file} must be rendered again, but its page was not kept`);
      await queue.add(planned.job);
    }
    const rendering = queue.finish();
    rendering.catch(() => undefined);
    const others = [...toProduce].filter((file) => plan.get(file)!.kind !== "page");
    await Promise.all([...new Set(others.map((file) => path.dirname(path.join(root, file))))].map((dir) => mkdir(dir, { recursive: true })));
    for (let i = 0; i < others.length; i += 128) {
      await Promise.all(
        others.slice(i, i + 128).map(async (file) => {
          const planned = plan.get(file)!;
          const to = path.join(root, file);
          if (planned.kind === "copy") await copyFile(planned.from, to);
          else if (planned.kind === "text") await writeFile(to, planned.content);
          else if (planned.kind === "eleventy") await rename(path.join(eleventyRun!, file), to);
          else throw new Error(`internal error: ${file} must be written again, but it was not made`);
        }),
      );
    }
    await rendering;

    stage("commit");
    if (incremental) {
      await state.prepare(files, old!.folder, manifestExtra);
      await state.commit({ kind: "patch", outDir, staging: root, moves: [...toProduce], deletes: deleted });
    } else {
      await state.prepare(files, await folderIdentity(root), manifestExtra);
      await state.commit({ kind: "swap", outDir, staging: root, retired: `${outDir}.gazette-old-${process.pid}` });
    }
    PageStore.removeOthers(state.manifestFile, pagesRecord?.store ?? null);
    stage("");
    return result(archive, index, pageCount, plan.size, incremental ? "incremental" : "full", toProduce.size, deleted.length, timings);
  } finally {
    await pool.close();
    for (const dir of temporaries) await rm(dir, { recursive: true, force: true });
    await state.discardPrepared();
  }
}

function result(archive: Archive, index: ArchiveIndex, pages: number, files: number, mode: BuildResult["mode"], written: number, deleted: number, timings: Record<string, number>): BuildResult {
  return {
    articles: archive.articles.length,
    entities: index.entities.length,
    topics: index.topics.filter((t) => t.articles.length > 0).length,
    pages,
    files,
    mode,
    editedPagesOnly: false,
    written,
    deleted,
    timings,
  };
}

/**
 * The templates Gazette renders with Nunjucks directly: Gazette's own shape
 * (one page object `p` per page, permalink p.url) over one of its page lists,
 * and compilable without Eleventy's additions (filters, shortcodes). Any
 * other template (one a newsroom adds, with its own data, layouts or
 * filters) stays with Eleventy. Eleventy once rendered the singleton pages
 * too, but starting it cost 1-3 s, and almost any edit changes one of them
 * (the entity index counts articles), which kept an edited article from
 * being online within seconds.
 *
 * They are compiled, and their pages rendered, in the build's workers, even
 * the few pages of a small edit: started once the articles are read, a worker
 * loads Nunjucks and remark and compiles the templates while this thread
 * extracts and indexes, which took this thread ~0.35 s after an edit.
 */
async function prepareRendering(pool: WorkerPool, templateSet: TemplateSet, site: SiteConfig, options: BuildOptions): Promise<{ globals: Globals; fast: TemplateSpec[] }> {
  const templatesDir = templateSet.dir;
  const location = siteLocation(site, options);
  const globals: Globals = { gazette: { site, prefix: location.pathPrefix, baseUrl: location.baseUrl } };
  if (process.env.GAZETTE_RENDERER === "eleventy") return { globals, fast: [] };
  const lists = new Set<string>(PAGE_LISTS);
  const candidates = templateSet.templates.filter((t) => t.list !== null && lists.has(t.list));
  pool.setup({ type: "setup-render", templatesDir, templates: candidates, globals });
  const compiled = new Set(await pool.run<string[]>({ type: "rendered-templates" }));
  return { globals, fast: templateSet.templates.filter((t) => compiled.has(t.name)) };
}

/** Where the site lives: the address and path prefix given to the build, else the site's settings. */
function siteLocation(site: SiteConfig, options: BuildOptions): SiteLocation {
  return locate(options.baseUrl ?? site.baseUrl, options.pathPrefix);
}

/** Pages with article bodies rendered, for Eleventy templates that may read any page. */
async function withBodies(pages: SitePages, bodies: Map<string, BodyJob>): Promise<SitePages> {
  // Loaded only here: the pages Gazette renders itself have their bodies rendered in the workers.
  const { MarkdownRenderer } = await import("./render/markdown.js");
  const markdown = new MarkdownRenderer();
  return {
    ...pages,
    article: pages.article.map((page) => {
      const body = bodies.get(page.article.html);
      return body ? { ...page, article: { ...page.article, html: markdown.render(body.markdown, body.links) } } : page;
    }),
  };
}

/**
 * Page jobs rendered as they are planned: they go to the workers in batches
 * (a small edit's few pages in one, at the end), at most `width` batches in
 * flight: each batch is a copy of its pages' JSON, so waiting here keeps
 * memory flat however many pages change.
 */
class RenderQueue {
  onRendered: (count: number) => void = () => undefined;
  private held: PageJob[] = [];
  private readonly paths = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly runs: Promise<void>[] = [];

  constructor(
    private readonly render: (jobs: PageJob[]) => Promise<void>,
    private readonly width: number,
  ) {}

  has(file: string): boolean {
    return this.paths.has(file);
  }

  async add(job: PageJob): Promise<void> {
    this.paths.add(job.path);
    this.held.push(job);
    if (this.held.length < RENDER_BATCH) return;
    while (this.inFlight.size >= this.width) await Promise.race(this.inFlight);
    this.start(this.takeHeld());
  }

  /** Renders what is held, and waits for every render started. */
  async finish(): Promise<void> {
    this.start(this.takeHeld());
    await Promise.all(this.runs);
  }

  private takeHeld(): PageJob[] {
    const jobs = this.held;
    this.held = [];
    return jobs;
  }

  private start(jobs: PageJob[]): void {
    if (jobs.length === 0) return;
    const run = this.render(jobs).then(() => this.onRendered(jobs.length));
    // A failure surfaces from finish() (or from add() waiting on it); it must not also go unhandled here.
    run.catch(() => undefined);
    const settled: Promise<void> = run.then(
      () => void this.inFlight.delete(settled),
      () => void this.inFlight.delete(settled),
    );
    this.inFlight.add(settled);
    this.runs.push(run);
  }
}

/**
 * Runs tasks with at most `width` in flight: each batch handed to a worker is
 * a structured-clone copy, so queueing every batch at once held the whole
 * site twice in memory.
 */
async function boundedAll(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, lane));
}

/** Hard-links unchanged files of the current output into the staging folder; returns those it could not. */
async function linkUnchanged(outDir: string, root: string, files: string[]): Promise<string[]> {
  const dirs = new Set(files.map((file) => path.dirname(path.join(root, file))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  const failed: string[] = [];
  for (let i = 0; i < files.length; i += 256) {
    await Promise.all(
      files.slice(i, i + 256).map(async (file) => {
        try {
          await link(path.join(outDir, file), path.join(root, file));
        } catch {
          failed.push(file);
        }
      }),
    );
  }
  return failed;
}

/** The files in an output folder, and whether it holds only plain files and folders. */
async function auditOutput(outDir: string): Promise<{ files: Set<string>; plain: boolean }> {
  const { files, plain } = await scanTree(outDir);
  return { files: new Set(files), plain };
}

/** An article's mention tally, as the record of its page keeps it (site/own-page.ts, countsHold). */
function mentionTally(index: ArchiveIndex, indexed: IndexedArticle, analysis: ArticleAnalysis): MentionTally {
  return {
    counts: mentionCounts(analysis),
    keys: analysis.entities.map((entity) => entityKeyOf(entity, index.acronymOwners)),
    shown: indexed.entities.map((slug) => index.entityBySlug.get(slug)!.key),
  };
}

/** Each article by its URL, with its file, that file's identity as the input check found it, and its search bundle. */
function articleSources(archive: Archive, newestArticles: Article[], content: InputFolder): Map<string, ArticleSource> {
  const bundleOf = new Map<Article, string>();
  for (const [name, members] of searchBundles(newestArticles)) for (const article of members) bundleOf.set(article, name);
  return new Map(
    archive.articles.map((article, i) => {
      const source = archive.sources[i]!;
      return [article.url, { article, source, identity: content.identities.get(source) ?? "", bundle: bundleOf.get(article)! }];
    }),
  );
}

/** The public folder's files, each with the hash of its bytes, as the build plans their copies. */
async function publicCopies(publicDir: string): Promise<{ file: string; from: string; hash: string }[]> {
  const copies = [];
  for (const file of await listTree(publicDir)) {
    const from = path.join(publicDir, file);
    copies.push({ file, from, hash: `P${sha(await readFile(from))}` });
  }
  return copies;
}

async function firstExisting(...dirs: string[]): Promise<string> {
  for (const dir of dirs) {
    try {
      if ((await stat(dir)).isDirectory()) return dir;
    } catch {
      // try the next
    }
  }
  return dirs[dirs.length - 1]!;
}

export type { Manifest };
