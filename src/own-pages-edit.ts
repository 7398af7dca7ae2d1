import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BuildResult } from "./build.js";
import { cacheDirectory, codeFingerprint } from "./cache.js";
import type { Article } from "./content/article.js";
import { ARTICLES_DIR, displayPath, isArticleFile, readArticleFile, type SettingsText } from "./content/load.js";
import type { SiteConfig } from "./content/site-config.js";
import { readSettingsCached } from "./content-cache.js";
import { newestFirst, type EntityVotes } from "./index/archive-index.js";
import type { InputFolder } from "./input-check.js";
import { indexRegistry } from "./nlp/canonical.js";
import { analyseArticle, type ArticleAnalysis } from "./nlp/extract.js";
import { loadTagger } from "./nlp/tagger/index.js";
import { compileTaxonomy } from "./nlp/topics.js";
import type { Manifest, OutputState, OwnPageEntry, OwnPagesRecord } from "./output-state.js";
import { storedPage, storePage, type StoredFacts } from "./own-pages.js";
import { bodyToken, dataFileHash, pageBaseKey, sha, tokenLinks } from "./page-plan.js";
import { PageStore } from "./page-store.js";
import type { Globals, PageJob } from "./render/page-renderer.js";
import type { WorkerPool } from "./render/pool.js";
import { outputPathOf, type TemplateSet, type TemplateSpec } from "./render/templates.js";
import type { ReuseFile } from "./site/feeds.js";
import { aboutFlags, countsHold, firstBodyMentions, linksOfEntities, mentionCounts, shownDigest } from "./site/own-page.js";
import { jsonLdWithAbout } from "./site/pages.js";
import { SEARCH_BUNDLE_DIR, searchBundleFiles } from "./site/search-index.js";

/** At most this many edited articles take the own-pages path; more are made as quickly the usual way. */
const OWN_PAGES_MAX = 16;
const UTF8 = new TextEncoder();

export interface OwnPagesEdit {
  contentDir: string;
  /** The manifest of the folder, and its record of the article pages. */
  old: Manifest;
  record: OwnPagesRecord;
  /** The content folder as the input check found it. */
  content: InputFolder;
  /** The record's fingerprint for these settings files (the build's other inputs are known by now). */
  fingerprint: (settingsText: SettingsText) => string;
  templateSet: TemplateSet;
  /** Starts the render workers' setup, for the site's settings. */
  prepareRendering: (site: SiteConfig) => Promise<{ globals: Globals; fast: TemplateSpec[] }>;
  state: OutputState;
  pool: WorkerPool;
  /** The paths of the public folder's files. */
  publicPaths: ReadonlySet<string>;
  inputsHash: string | null;
  stage: (name: string, detail?: string) => void;
  /** The staging folder to render into (removed by the caller). */
  root: string;
  temporaries: string[];
  timings: Record<string, number>;
  /** Filled with the edits' analyses as they are made, for the usual build should this path decline. */
  handover: AnalysisHandover;
}

/** Analyses made by the quick edit path, by article hash, with the settings files they were made under (null until read). */
export interface AnalysisHandover {
  settingsText: SettingsText | null;
  byHash: Map<string, ArticleAnalysis>;
}

/**
 * A build after an edit that leaves every article's shown digest as it was (site/own-page.ts): a typo fixed,
 * a sentence added that names no one new. Then every file but the edited articles' own pages and their
 * search bundles is as the folder has it, and each edited page is its recorded page object with new body
 * links. The archive is not read: the input check's identities name the article files that changed since the
 * record, and only those and the other articles of their search bundles are read. No index is built, no other
 * page planned (after one such edit at 10,000 articles, reading the archive, indexing it and planning every
 * page took most of a 4-5 s build). Returns null, having changed nothing, when the edit is not of that kind
 * (or anything it needs cannot be read); the build then goes on the usual way, which reports any problem.
 * Only for a folder no Eleventy template renders into (a newsroom's template may show anything of any article).
 */
export async function ownPagesEdit(edit: OwnPagesEdit): Promise<BuildResult | null> {
  const { contentDir, old, record, content, templateSet, state, pool, stage, timings } = edit;
  if (!old.keys || old.eleventy) return null;
  // The article files, against the record: the same files, the changed ones few.
  const prefix = `${ARTICLES_DIR}/`;
  const sources = content.files.filter((file) => file.startsWith(prefix) && isArticleFile(file.slice(prefix.length)));
  if (sources.length !== record.summary.articles) return null;
  const pageOf = new Map<string, string>();
  for (const page in record.articles) pageOf.set(record.articles[page]![4], page);
  const suspects: string[] = [];
  for (const source of sources) {
    const page = pageOf.get(source);
    if (page === undefined) return null;
    const identity = content.identities.get(source);
    if (identity !== undefined && identity === record.articles[page]![5]) continue;
    if (suspects.length === OWN_PAGES_MAX) return null;
    suspects.push(source);
  }

  stage("load", `${suspects.length} files`);
  const settings = await readSettingsCached(contentDir, cacheDirectory(), await codeFingerprint());
  if ("issues" in settings || edit.fingerprint(settings.settingsText) !== record.fingerprint) return null;
  const contentRoot = path.resolve(contentDir);
  const read = (source: string): Article | null => {
    const file = path.join(contentRoot, ...source.split("/"));
    try {
      const found = readArticleFile(file, displayPath(file));
      return "article" in found ? found.article : null;
    } catch {
      return null;
    }
  };
  // Each file with a new identity: the same text (touched), or an edit whose page is at the same address.
  const changed: { article: Article; page: string; entry: OwnPageEntry }[] = [];
  const touched: string[] = [];
  for (const source of suspects) {
    const page = pageOf.get(source)!;
    const entry = record.articles[page]!;
    const article = read(source);
    if (!article || outputPathOf(article.url) !== page) return null;
    if (article.hash === entry[0]) touched.push(page);
    else changed.push({ article, page, entry });
  }
  // The edits are analysed first: one that shows elsewhere (a new name, a new title) ends this path before the
  // other articles of its search bundle are read (~50 ms at 10,000 articles, then spent for nothing).
  stage("extract", `${changed.length} articles`);
  const edited: ((typeof changed)[number] & { analysis: ArticleAnalysis; firsts: Int32Array })[] = [];
  if (changed.length > 0) {
    const registry = indexRegistry(settings.registry);
    const taxonomy = compileTaxonomy(settings.taxonomy);
    const tagger = loadTagger();
    edit.handover.settingsText = settings.settingsText;
    for (const one of changed) {
      const analysis = analyseArticle(one.article, tagger, registry, taxonomy);
      edit.handover.byHash.set(one.article.hash, analysis);
      const firsts = firstBodyMentions(one.article, analysis);
      if (shownDigest(one.article, analysis, firsts) !== one.entry[1]) return null;
      edited.push({ ...one, analysis, firsts });
    }
  }

  const renderSetup = edited.length > 0 ? edit.prepareRendering(settings.site) : null;
  renderSetup?.catch(() => undefined);

  // The edited articles' search bundles, each made from all its articles (the others read now), newest first.
  const bundles = new Map<string, Article[]>();
  for (const { entry } of edited) bundles.set(entry[6], []);
  const editedArticles = new Map(edited.map(({ article, page }) => [page, article]));
  for (const page in record.articles) {
    const members = bundles.get(record.articles[page]![6]);
    if (!members) continue;
    const article = editedArticles.get(page) ?? read(record.articles[page]![4]);
    // (Another article of the bundle changed too, since the input check: the usual build will see it.)
    if (!article || (!editedArticles.has(page) && article.hash !== record.articles[page]![0])) return null;
    members.push(article);
  }
  const { files } = old;
  const keys = old.keys.files;
  // Pagefind works on them while the pages are made (reading the output's keys as they are until then): it is
  // what the build waits for last. Should the path yet be left, the usual build finds the bundles it made in
  // the cache.
  const reuse: ReuseFile = (file, key) => keys[file] === key && files[file] !== undefined;
  const searching = [...bundles].map(([name, members]) => searchBundleFiles(name, members.sort(newestFirst), settings.site, reuse).then((made) => ({ name, made })));
  const searched = Promise.all(searching);
  searched.catch(() => undefined);

  // Each edited page: its recorded object, with the body's links where the edit moved its mentions.
  const identityOf = (page: string) => content.identities.get(record.articles[page]![4]) ?? "";
  const pages: { page: string; json: Uint8Array; facts: StoredFacts; job: PageJob; hash: string; entry: OwnPageEntry }[] = [];
  // Votes of entities whose weight an edit changed, named more or fewer times (see countsHold).
  const votes = new Map<string, EntityVotes>();
  const store = edited.length > 0 ? PageStore.open(state.manifestFile, record.store) : null;
  try {
    if (edited.length > 0) {
      stage("render", `${edited.length} pages`);
      const { globals, fast } = await renderSetup!;
      const template = fast.find((spec) => spec.list === "article");
      const baseKey = await pageBaseKey(templateSet, globals);
      if (!template || fast.length !== templateSet.templates.length || old.keys.base !== sha(baseKey) || !store) return null;
      for (const { article, page, entry, analysis, firsts } of edited) {
        const stored = storedPage(store, [entry[2], entry[3]]);
        const own = stored?.page.article as { html?: unknown } | undefined;
        const before = tokenLinks(own?.html);
        if (!stored || !own || !before || before.length !== stored.facts.links.length) return null;
        const counts = mentionCounts(analysis);
        if (counts.some((count, e) => count !== stored.facts.tally.counts[e])) {
          const held = countsHold(stored.facts.tally, counts, analysis, { ...record.votes, ...Object.fromEntries(votes) });
          if (!held) return null;
          for (const [key, updated] of held) votes.set(key, updated);
          // Its JSON-LD's `about` (entities named three times or more) made again where the numbers cross three.
          const about = aboutFlags(stored.facts.tally, counts);
          const aboutBefore = aboutFlags(stored.facts.tally, stored.facts.tally.counts);
          if (about.some((flag, i) => flag !== aboutBefore[i])) {
            const jsonLd = typeof stored.page.jsonLd === "string" ? jsonLdWithAbout(stored.page.jsonLd, about) : null;
            if (jsonLd === null) return null;
            stored.page.jsonLd = jsonLd;
          }
        }
        const links = linksOfEntities(article, analysis, before, stored.facts.links, firsts);
        own.html = bodyToken(article, links);
        const json = UTF8.encode(JSON.stringify(stored.page));
        const job: PageJob = { template: template.name, path: page, json, body: { markdown: article.body, links } };
        const facts: StoredFacts = { links: stored.facts.links, tally: { ...stored.facts.tally, counts } };
        pages.push({ page, json, facts, job, hash: sha(baseKey, template.name, "\0", json), entry: [article.hash, entry[1], 0, 0, entry[4], identityOf(page), entry[6]] });
      }
    }
    // The manifest and the record change in place (copying the manifest's 35,000 entries cost more than all
    // the rest); past this point the build does not turn back.
    for (const page of touched) record.articles[page]![5] = identityOf(page);
    for (const { page, json, facts, entry } of pages) {
      [entry[2], entry[3]] = storePage(store!, facts, json);
      record.articles[page] = entry;
    }
    for (const [key, updated] of votes) record.votes[key] = updated;
  } finally {
    store?.close();
  }
  const moves: string[] = [];
  const deleted: string[] = [];
  if (edited.length > 0) {
    const jobs: PageJob[] = [];
    for (const { page, job, hash } of pages) {
      // Its key (site/pages.ts) names its article's file, which no other build has seen: the next build that
      // plans every page makes it again, and finds it the same.
      delete keys[page];
      if (files[page] === hash) continue;
      files[page] = hash;
      moves.push(page);
      jobs.push(job);
    }
    edit.temporaries.push(edit.root);
    await rm(edit.root, { recursive: true, force: true });
    await mkdir(edit.root, { recursive: true });
    const rendering = jobs.length > 0 ? pool.run<number>({ type: "render", root: edit.root, jobs }, jobs.map((job) => job.json.buffer as ArrayBuffer)) : Promise.resolve(0);
    rendering.catch(() => undefined);

    const searchWait = performance.now();
    const texts: { path: string; content: string | Uint8Array }[] = [];
    for (const { name, made } of await searched) {
      const bundleDir = `${SEARCH_BUNDLE_DIR}/${name}/`;
      // (A public file there is no bundle's: the usual build plans it too, and keeps it unless a bundle has its path.)
      const before = new Map<string, string>();
      for (const file in files) if (file.startsWith(bundleDir) && !edit.publicPaths.has(file)) before.set(file, files[file]!);
      for (const file of before.keys()) {
        delete files[file];
        delete keys[file];
      }
      for (const file of made) {
        keys[file.path] = file.key;
        if ("reused" in file) {
          files[file.path] = before.get(file.path)!;
          continue;
        }
        const hash = dataFileHash(file.content);
        files[file.path] = hash;
        if (before.get(file.path) !== hash) texts.push(file);
      }
      for (const file of before.keys()) if (!(file in files)) deleted.push(file);
    }
    timings["search (waited for, during render)"] = Math.round(performance.now() - searchWait);
    await Promise.all([...new Set(texts.map((file) => path.dirname(path.join(edit.root, file.path))))].map((dir) => mkdir(dir, { recursive: true })));
    await Promise.all(texts.map((file) => writeFile(path.join(edit.root, file.path), file.content)));
    await rendering;
    moves.push(...texts.map((file) => file.path));
  }

  stage("commit");
  const inputs = edit.inputsHash === null ? undefined : { hash: edit.inputsHash, summary: record.summary };
  if (moves.length === 0 && deleted.length === 0) await state.recordInputs({ ...old, pages: record }, inputs);
  else {
    await state.prepare(files, old.folder, { keys: { base: old.keys.base, files: keys }, ...(inputs ? { inputs } : {}), pages: record });
    await state.commit({ kind: "patch", outDir: state.outDir, staging: edit.root, moves, deletes: deleted });
  }
  stage("");
  return { ...record.summary, mode: "incremental", editedPagesOnly: edited.length > 0, written: moves.length, deleted: deleted.length, timings };
}
