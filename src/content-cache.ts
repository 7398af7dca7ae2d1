import { createHash } from "node:crypto";
import { CacheFile } from "./cache.js";
import type { Article } from "./content/article.js";
import type { ContentIssue } from "./content/issues.js";
import { loadArchive, type Archive, type ParsedArticleCache } from "./content/load.js";

/** A parsed article as cached: the body is the file's text from bodyOffset on, so it is not stored twice. */
type CachedArticle = Omit<Article, "body"> & { body?: string };

/**
 * loadArchive with parsed articles cached on disk by file name and text hash:
 * an edit re-parses one file. The loader itself is the same, so problems are
 * reported exactly as `gazette check` reports them, and a valid archive is
 * equal to an uncached load (tests/build/content-cache.test.ts).
 */
export async function loadArchiveCached(contentDir: string, cacheDir: string, fingerprint: string): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  const store = await CacheFile.open<CachedArticle>(cacheDir, "articles", fingerprint, { removeOthers: true });
  const key = (file: string, text: string) => createHash("sha1").update(file).update("\0").update(text).digest("base64url");
  const cache: ParsedArticleCache = {
    get(file, text) {
      const hit = store.get(key(file, text));
      return hit ? ({ ...hit, body: hit.body ?? text.slice(hit.bodyOffset) } as Article) : undefined;
    },
    set(file, text, article) {
      const { body, ...rest } = article;
      store.set(key(file, text), body === text.slice(article.bodyOffset) ? rest : article);
    },
  };
  const loaded = await loadArchive(contentDir, cache);
  await store.save();
  return loaded;
}
