import { createHash } from "node:crypto";
import { CacheFile } from "./cache.js";
import type { Article } from "./content/article.js";
import type { ContentIssue } from "./content/issues.js";
import { loadArchive, type Archive, type ParsedArticleCache, type ParsedSettings, type ParsedSettingsCache } from "./content/load.js";

/** A parsed article as cached: the body is the file's text from bodyOffset on, so it is not stored twice. */
type CachedArticle = Omit<Article, "body"> & { body?: string };

/**
 * Parsed articles a long-running process (`gazette serve`) keeps between its builds, by the same key
 * as on disk: a rebuild after an edit then parses the edited file alone, without reading the disk cache.
 */
export type ArticleMemory = Map<string, Article>;

/**
 * loadArchive with parsed articles cached on disk by file name and text hash:
 * an edit re-parses one file. The loader itself is the same, so problems are
 * reported exactly as `gazette check` reports them, and a valid archive is
 * equal to an uncached load (tests/build/content-cache.test.ts).
 *
 * With a memory holding the articles of an earlier build, the disk cache is
 * neither read nor written: a file the memory does not have is parsed (as
 * quick as finding it on disk, for the few files an edit changes). The
 * memory then holds this build's articles only. The settings files (registry,
 * taxonomy, site) are cached by kind and text in a small file of their own,
 * read either way.
 */
export async function loadArchiveCached(
  contentDir: string,
  cacheDir: string,
  fingerprint: string,
  memory?: ArticleMemory,
): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  const key = (file: string, text: string) => createHash("sha1").update(file).update("\0").update(text).digest("base64url");
  const remembered = new Map<string, Article>();
  const store = memory && memory.size > 0 ? null : await CacheFile.open<CachedArticle>(cacheDir, "articles", fingerprint, { removeOthers: true });
  const cache: ParsedArticleCache = {
    get(file, text) {
      const id = key(file, text);
      const known = memory?.get(id);
      if (known) {
        remembered.set(id, known);
        return known;
      }
      const hit = store?.get(id);
      const article = hit ? ({ ...hit, body: hit.body ?? text.slice(hit.bodyOffset) } as Article) : undefined;
      if (article) remembered.set(id, article);
      return article;
    },
    set(file, text, article) {
      const id = key(file, text);
      remembered.set(id, article);
      const { body, ...rest } = article;
      store?.set(id, body === text.slice(article.bodyOffset) ? rest : article);
    },
  };
  const settingsStore = await CacheFile.open<ParsedSettings[keyof ParsedSettings]>(cacheDir, "settings", fingerprint, { removeOthers: true });
  // By the same key as an article, with the kind for the file name.
  const settings: ParsedSettingsCache = {
    get: <K extends keyof ParsedSettings>(kind: K, text: string) => settingsStore.get(key(kind, text)) as ParsedSettings[K] | undefined,
    set: (kind, text, parsed) => settingsStore.set(key(kind, text), parsed),
  };
  const loaded = await loadArchive(contentDir, cache, settings);
  await Promise.all([store?.save(), settingsStore.save()]);
  if (memory) {
    memory.clear();
    for (const [id, article] of remembered) memory.set(id, article);
  }
  return loaded;
}
