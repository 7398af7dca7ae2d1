import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { walkTree } from "../files.js";
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
  settingsText: SettingsText;
  /** Each article's file, relative to the content folder with "/" separators ("articles/2024/03/x.md"), in the order of `articles`. */
  sources: string[];
}

export interface SettingsText {
  registry: string;
  taxonomy: string;
  site: string;
}

/** The settings files (registry, taxonomy, site) as parsed, with their texts. */
export interface Settings extends ParsedSettings {
  settingsText: SettingsText;
}

// ignoreBOM keeps a leading U+FEFF in the text, so offsets count it as every other reader of the file (Node, Python) does.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes a file's bytes as UTF-8 text, refusing binary files and other encodings with a fix. */
export function decodeText(file: string, bytes: Uint8Array): { text: string } | { issue: ContentIssue } {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, column } = lineAndColumnOfByte(bytes, nul);
    return { issue: { file, line, column, message: "this is a binary file, not text (it contains a NUL byte): remove it from the content folder, or save it as UTF-8 text" } };
  }
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    // Point at the first byte that is not UTF-8, so the editor sees where the other encoding starts.
    const bad = firstInvalidUtf8(bytes);
    const { line, column } = lineAndColumnOfByte(bytes, bad);
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, "0");
    return {
      issue: {
        file,
        line,
        column,
        message: `not UTF-8 text (byte 0x${byte} here; perhaps the file was saved as Latin-1 or Windows-1252): save the file as UTF-8 (in most editors: Save with encoding, UTF-8)`,
      },
    };
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence; one linear pass. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) return i;
    for (let k = 2; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}

/** 1-based line, and column in characters, of a byte offset (a BOM and each multi-byte character count once). */
function lineAndColumnOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let column = 1;
  for (let i = lineStart; i < offset; i++) if ((bytes[i]! & 0xc0) !== 0x80) column++;
  if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && offset >= 3) column--;
  return { line, column };
}

/** The folder below the content folder that holds the articles. */
export const ARTICLES_DIR = "articles";

/** Whether a file, by its path relative to the articles folder ("/" separators), is an article: a .md file, not hidden. */
export function isArticleFile(relative: string): boolean {
  return relative.endsWith(".md") && !path.posix.basename(relative).startsWith(".");
}

/** Every article file below a folder, sorted by path: each one's path relative to the folder ("/" separators), and joined with the folder's. */
export async function listArticleFiles(articlesDir: string): Promise<{ relative: string; file: string }[]> {
  return walkTree(articlesDir)
    .filter((entry) => isArticleFile(entry.path))
    .map((entry) => ({ relative: entry.path, file: path.join(articlesDir, entry.path) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
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
 * Parsed articles by file name and text, so an unchanged file is not parsed
 * again (front-matter YAML is most of loading). Only valid articles are kept.
 */
export interface ParsedArticleCache {
  /** The article of a file known to be unchanged since it was cached, found without reading the file; `absolute` is its path resolved. */
  unchanged?(file: string, absolute: string): Article | undefined;
  get(file: string, text: string): Article | undefined;
  set(file: string, text: string, article: Article): void;
}

/** What each settings file parses to. */
export interface ParsedSettings {
  registry: RegistryEntity[];
  taxonomy: Taxonomy;
  site: SiteConfig;
}

/**
 * Parsed settings files by kind and text, so an unchanged one is not parsed again: the YAML parser took
 * 50-130 ms for a 9 KB taxonomy in a build's fresh process, and a newsroom's registry grows far larger.
 * Only files without problems are kept, so a problem is always reported from the file itself.
 */
export interface ParsedSettingsCache {
  get<K extends keyof ParsedSettings>(kind: K, text: string): ParsedSettings[K] | undefined;
  set<K extends keyof ParsedSettings>(kind: K, text: string, parsed: ParsedSettings[K]): void;
}

/** A settings file as its parser gives it: the value under the kind's name, and the file's problems. */
type ParsedFile<K extends keyof ParsedSettings> = Record<K, ParsedSettings[K]> & { issues: ContentIssue[] };

/** A settings file parsed, or from the cache when it has it. */
function settingsOf<K extends keyof ParsedSettings>(kind: K, text: string, parse: () => ParsedFile<K>, cache: ParsedSettingsCache | undefined): ParsedFile<K> {
  const known = cache?.get(kind, text);
  if (known !== undefined) return Object.assign({ issues: [] as ContentIssue[] }, { [kind]: known } as Record<K, ParsedSettings[K]>);
  const parsed = parse();
  // Only a file without problems: a problem is always found in, and reported from, the file itself.
  if (parsed.issues.length === 0) cache?.set(kind, text, (parsed as Record<K, ParsedSettings[K]>)[kind]);
  return parsed;
}

/**
 * Loads and validates a whole content folder. Returns every problem found in
 * one pass (design.md: all of them at once), or the archive when there are none.
 */
export async function loadArchive(contentDir: string, cache?: ParsedArticleCache, settingsCache?: ParsedSettingsCache): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  const settings = await readSettings(contentDir, settingsCache);
  const issues = "issues" in settings ? [...settings.issues] : [];

  // Absolute paths: a file's name in messages and keys is made from it (displayPath), and the cache finds an
  // unchanged file's identity by it, with no second resolve.
  const articlesDir = path.resolve(contentDir, ARTICLES_DIR);
  const files = await listArticleFiles(articlesDir);
  // Each file's displayPath, from the folder's: path.relative for each of 10,000 files took 13-28 ms, this 5-8 ms.
  const shownDir = path.relative(process.cwd(), articlesDir);
  const articles: Article[] = [];
  const sources: string[] = [];
  // One synchronous read per file costs a tenth of the CPU time of fs.promises.readFile (open,
  // fstat, read and close each a promise round trip); the event loop still gets a turn between
  // batches, so `gazette serve` answers requests while a large archive loads.
  const BATCH = 256;
  for (const [i, { relative, file }] of files.entries()) {
    if (i > 0 && i % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    sources.push(`${ARTICLES_DIR}/${relative}`);
    const name = path.join(shownDir, relative);
    const unchanged = cache?.unchanged?.(name, file);
    if (unchanged) {
      articles.push(unchanged);
      continue;
    }
    const read = readArticleFile(file, name, cache);
    if ("issues" in read) issues.push(...read.issues);
    else articles.push(read.article);
  }
  issues.push(...duplicateUrls(articles));

  if (issues.length > 0 || "issues" in settings) return { issues };
  return { archive: { contentDir, articles, ...settings, sources } };
}

/**
 * One article file read and validated, through the cache when one is given: its article, or its problems.
 * `name` is the file as messages name it (displayPath). Throws when the file cannot be read.
 */
export function readArticleFile(file: string, name: string, cache?: ParsedArticleCache): { article: Article } | { issues: ContentIssue[] } {
  const decoded = decodeText(name, readFileSync(file));
  if ("issue" in decoded) return { issues: [decoded.issue] };
  const hit = cache?.get(name, decoded.text);
  if (hit) return { article: hit };
  const parsed = parseArticle(name, decoded.text);
  if ("article" in parsed) cache?.set(name, decoded.text, parsed.article);
  return parsed;
}

/** A file's path as messages give it: relative to the working folder. */
export function displayPath(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** Reads and validates the settings files (registry, taxonomy, site): all of them, or every problem found in them. */
export async function readSettings(contentDir: string, settingsCache?: ParsedSettingsCache): Promise<Settings | { issues: ContentIssue[] }> {
  const issues: ContentIssue[] = [];
  const registryFile = path.join(contentDir, "entities.yml");
  const registryText = (await readOptional(registryFile)) ?? "";
  const registry = settingsOf("registry", registryText, () => parseRegistry(displayPath(registryFile), registryText), settingsCache);
  issues.push(...registry.issues);

  const taxonomyFile = path.join(contentDir, "topics.yml");
  const taxonomyText = (await readOptional(taxonomyFile)) ?? "";
  const taxonomy = settingsOf("taxonomy", taxonomyText, () => parseTaxonomy(displayPath(taxonomyFile), taxonomyText), settingsCache);
  issues.push(...taxonomy.issues);

  const siteFile = path.join(contentDir, "site.yml");
  const siteText = await readOptional(siteFile);
  const site = siteText === null ? { site: DEFAULT_SITE, issues: [] } : settingsOf("site", siteText, () => parseSiteConfig(displayPath(siteFile), siteText), settingsCache);
  issues.push(...site.issues);

  if (issues.length > 0) return { issues };
  return { registry: registry.registry, taxonomy: taxonomy.taxonomy, site: site.site, settingsText: { registry: registryText, taxonomy: taxonomyText, site: siteText ?? "" } };
}

/**
 * Two articles at one URL would overwrite each other's page: name both files.
 * URLs that differ only in case or Unicode normalisation count as one, since
 * they are one folder on the case-insensitive file systems of macOS and Windows.
 */
function duplicateUrls(articles: Article[]): ContentIssue[] {
  const byUrl = new Map<string, Article>();
  const issues: ContentIssue[] = [];
  for (const article of articles) {
    const key = article.url.normalize("NFC").toLowerCase();
    const first = byUrl.get(key);
    if (first) {
      const same = first.url === article.url ? "the same URL" : `a URL that differs only in case (${first.url})`;
      issues.push({
        file: article.file,
        line: article.slugLine ?? 1,
        column: 1,
        message: `${article.url} is ${same} as ${first.file}: two articles cannot share a page; give one of them a different 'slug' (or date)`,
      });
    } else byUrl.set(key, article);
  }
  return issues;
}
