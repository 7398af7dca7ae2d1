import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parseArticle, type Article } from "./article.js";
import type { ContentIssue } from "./issues.js";
import { parseRegistry, type RegistryEntity } from "./registry.js";
import { DEFAULT_SITE, parseSiteConfig, type SiteConfig } from "./site-config.js";
import { parseTaxonomy, type Taxonomy } from "./taxonomy.js";

/** Everything in a content folder, validated once. */
export interface Archive {
  contentDir: string;
  articles: Article[];
  registry: RegistryEntity[];
  taxonomy: Taxonomy;
  site: SiteConfig;
  /** Raw texts of the settings files, for cache keys. */
  settingsText: { registry: string; taxonomy: string; site: string };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a file's bytes as UTF-8 text, refusing binary files and other encodings with a fix. */
export function decodeText(file: string, bytes: Uint8Array): { text: string } | { issue: ContentIssue } {
  if (bytes.includes(0)) return { issue: { file, line: 1, column: 1, message: "this is a binary file, not text: remove it from the content folder" } };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    let line = 1;
    let valid = 0;
    // Find the first bad byte so the editor can see where the other encoding starts.
    for (let end = 1; end <= bytes.length; end++) {
      try {
        utf8.decode(bytes.subarray(0, end));
        valid = end;
      } catch {
        if (end - valid > 4) break;
      }
    }
    for (let i = 0; i < valid; i++) if (bytes[i] === 10) line++;
    return { issue: { file, line, column: 1, message: "not UTF-8 text: save the file as UTF-8 (in most editors: Save with encoding, UTF-8)" } };
  }
}

/** Paths of every article file (.md) below a folder, sorted, relative to the working directory. */
export async function listArticleFiles(articlesDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(articlesDir, { recursive: true })) as string[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.endsWith(".md") && !path.basename(entry).startsWith("."))
    .map((entry) => path.join(articlesDir, entry))
    .sort();
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Loads and validates a whole content folder. Returns every problem found in
 * one pass (design.md: all of them at once), or the archive when there are none.
 */
export async function loadArchive(contentDir: string): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  const display = (file: string) => path.relative(process.cwd(), file) || file;
  const issues: ContentIssue[] = [];

  const registryFile = path.join(contentDir, "entities.yml");
  const registryText = (await readOptional(registryFile)) ?? "";
  const registry = parseRegistry(display(registryFile), registryText);
  issues.push(...registry.issues);

  const taxonomyFile = path.join(contentDir, "topics.yml");
  const taxonomyText = (await readOptional(taxonomyFile)) ?? "";
  const taxonomy = parseTaxonomy(display(taxonomyFile), taxonomyText);
  issues.push(...taxonomy.issues);

  const siteFile = path.join(contentDir, "site.yml");
  const siteText = await readOptional(siteFile);
  const site = siteText === null ? { site: DEFAULT_SITE, issues: [] } : parseSiteConfig(display(siteFile), siteText);
  issues.push(...site.issues);

  const files = await listArticleFiles(path.join(contentDir, "articles"));
  const articles: Article[] = [];
  const BATCH = 256;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const contents = await Promise.all(batch.map((file) => readFile(file)));
    batch.forEach((file, j) => {
      const decoded = decodeText(display(file), contents[j]!);
      if ("issue" in decoded) {
        issues.push(decoded.issue);
        return;
      }
      const parsed = parseArticle(display(file), decoded.text);
      if ("issues" in parsed) issues.push(...parsed.issues);
      else articles.push(parsed.article);
    });
  }
  issues.push(...duplicateUrls(articles));

  if (issues.length > 0) return { issues };
  return {
    archive: {
      contentDir,
      articles,
      registry: registry.registry,
      taxonomy: taxonomy.taxonomy,
      site: site.site,
      settingsText: { registry: registryText, taxonomy: taxonomyText, site: siteText ?? "" },
    },
  };
}

/** Two articles at one URL would overwrite each other's page: name both files. */
function duplicateUrls(articles: Article[]): ContentIssue[] {
  const byUrl = new Map<string, Article>();
  const issues: ContentIssue[] = [];
  for (const article of articles) {
    const first = byUrl.get(article.url);
    if (first) {
      issues.push({
        file: article.file,
        line: 1,
        column: 1,
        message: `same URL ${article.url} as ${first.file}: give one of them a different 'slug' (or date)`,
      });
    } else byUrl.set(article.url, article);
  }
  return issues;
}
