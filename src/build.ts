import { cp, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { cacheDirectory, PACKAGE_ROOT, SpanCacheFile, taggerFingerprint } from "./cache.js";
import { ContentError } from "./content/issues.js";
import { loadArchive, type Archive } from "./content/load.js";
import { buildArchiveIndex, type ArchiveIndex } from "./index/archive-index.js";
import { indexRegistry } from "./nlp/canonical.js";
import { analyseArticle, type ArticleAnalysis } from "./nlp/extract.js";
import { loadTagger } from "./nlp/tagger/index.js";
import { compileTaxonomy } from "./nlp/topics.js";
import type { Article } from "./content/article.js";
import { renderWithEleventy } from "./render/eleventy.js";
import { MarkdownRenderer } from "./render/markdown.js";
import { apiFiles } from "./site/api.js";
import { atomFeeds, jsonFeed, type OutputFile } from "./site/feeds.js";
import { buildPages, type SitePages } from "./site/pages.js";
import { newsSitemap, robotsTxt, sitemaps } from "./site/sitemap.js";
import { locate } from "./site/urls.js";

export interface BuildOptions {
  contentDir: string;
  outDir: string;
  baseUrl?: string | undefined;
  pathPrefix?: string | undefined;
  /** Project folders; default to ./templates and ./public, else Gazette's own. */
  templatesDir?: string | undefined;
  publicDir?: string | undefined;
  /** Called with each stage's name as it starts, for progress display. */
  onStage?: (stage: string, detail?: string) => void;
}

export interface BuildResult {
  articles: number;
  entities: number;
  topics: number;
  pages: number;
  files: number;
  timings: Record<string, number>;
}

/** Reads, validates and analyses the archive, then builds its index: everything before rendering. */
export async function analyseArchive(contentDir: string, onStage?: BuildOptions["onStage"]): Promise<{ archive: Archive; analyses: Map<Article, ArticleAnalysis>; index: ArchiveIndex }> {
  onStage?.("load");
  const loaded = await loadArchive(contentDir);
  if ("issues" in loaded) throw new ContentError(loaded.issues);
  const { archive } = loaded;

  onStage?.("extract", `${archive.articles.length} articles`);
  const tagger = loadTagger();
  const cache = await SpanCacheFile.open(cacheDirectory(), await taggerFingerprint());
  const registry = indexRegistry(archive.registry);
  const taxonomy = compileTaxonomy(archive.taxonomy);
  const analyses = new Map<Article, ArticleAnalysis>();
  for (const article of archive.articles) analyses.set(article, analyseArticle(article, tagger, registry, taxonomy, cache));
  await cache.save();

  onStage?.("index");
  const index = buildArchiveIndex({ articles: archive.articles, analyses, registry: archive.registry, topics: archive.taxonomy.topics });
  return { archive, analyses, index };
}

/**
 * A whole build: content -> analyses -> index -> pages -> files. The site is
 * written to a staging folder beside the output and swapped in only when
 * complete, so a failed or killed build leaves the previous site as it was.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  let stageStart = performance.now();
  let stageName = "";
  const stage = (name: string, detail?: string) => {
    if (stageName) timings[stageName] = Math.round(performance.now() - stageStart);
    stageName = name;
    stageStart = performance.now();
    options.onStage?.(name, detail);
  };

  const { archive, index } = await analyseArchive(options.contentDir, stage);
  const location = locate(options.baseUrl ?? archive.site.baseUrl, options.pathPrefix);

  stage("pages");
  const markdown = new MarkdownRenderer();
  const pages = buildPages({ index, site: archive.site, location, renderBody: (article, links) => markdown.render(article.body, links) });
  const extraFiles: OutputFile[] = [
    ...atomFeeds(index, archive.site, location),
    jsonFeed(index, archive.site, location),
    ...sitemaps(pages, location),
    newsSitemap(index, archive.site, location),
    robotsTxt(location),
    ...apiFiles(index, location),
  ];

  const outDir = path.resolve(options.outDir);
  const staging = `${outDir}.gazette-staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    stage("render", `${countPages(pages)} pages`);
    const templatesDir = options.templatesDir ?? (await firstExisting(path.resolve("templates"), path.join(PACKAGE_ROOT, "templates")));
    await renderWithEleventy({ templatesDir, outDir: staging, pages, site: archive.site, location });

    stage("write", `${extraFiles.length} files`);
    const publicDir = options.publicDir ?? (await firstExisting(path.resolve("public"), path.join(PACKAGE_ROOT, "public")));
    await cp(publicDir, staging, { recursive: true });
    await writeFiles(staging, extraFiles);
    stage("swap");
    await swapIn(staging, outDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  stage("");
  return {
    articles: archive.articles.length,
    entities: index.entities.length,
    topics: index.topics.filter((t) => t.articles.length > 0).length,
    pages: countPages(pages),
    files: countPages(pages) + extraFiles.length,
    timings,
  };
}

function countPages(pages: SitePages): number {
  return Object.values(pages).reduce((sum, list: unknown[]) => sum + list.length, 0);
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

async function writeFiles(root: string, files: OutputFile[]): Promise<void> {
  const dirs = new Set(files.map((file) => path.dirname(path.join(root, file.path))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  const BATCH = 128;
  for (let i = 0; i < files.length; i += BATCH) {
    await Promise.all(files.slice(i, i + BATCH).map((file) => writeFile(path.join(root, file.path), file.content)));
  }
}

/** Replaces the output folder with the staging folder by two renames; the old site is removed only after. */
async function swapIn(staging: string, outDir: string): Promise<void> {
  const retired = `${outDir}.gazette-old-${process.pid}`;
  let hadOld = true;
  try {
    await rename(outDir, retired);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    hadOld = false;
  }
  try {
    await rename(staging, outDir);
  } catch (error) {
    if (hadOld) await rename(retired, outDir);
    throw error;
  }
  if (hadOld) await rm(retired, { recursive: true, force: true });
}
