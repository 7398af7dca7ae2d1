import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AnalysisCacheFile } from "./cache.js";
import { parseArticle, type Article } from "./content/article.js";
import { decodeText, listArticleFiles, loadArchive, type Archive } from "./content/load.js";
import type { ContentIssue } from "./content/issues.js";
import { parseRegistry } from "./content/registry.js";
import { DEFAULT_SITE, parseSiteConfig } from "./content/site-config.js";
import { parseTaxonomy } from "./content/taxonomy.js";

/** A parsed article as cached: the body is the file's text from bodyOffset on, so it is not stored twice. */
type CachedArticle = Omit<Article, "body"> & { body?: string };

/**
 * loadArchive with parsed articles cached by file path and text hash: front
 * matter parsing (YAML) is most of loading, and an edit changes one file.
 * It reads every file, as loadArchive does, and parses only files it has not
 * seen. Whenever anything is wrong (any article, setting or duplicate URL
 * problem) it hands over to loadArchive itself, so every problem is reported
 * exactly as `gazette check` reports it; a valid archive comes out equal to
 * loadArchive's (tests/build/content-cache.test.ts).
 */
export async function loadArchiveCached(contentDir: string, cacheDir: string, fingerprint: string): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  const display = (file: string) => path.relative(process.cwd(), file) || file;
  const readOptional = async (file: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  };
  const fallback = () => loadArchive(contentDir);

  const registryFile = path.join(contentDir, "entities.yml");
  const registryText = (await readOptional(registryFile)) ?? "";
  const registry = parseRegistry(display(registryFile), registryText);
  const taxonomyFile = path.join(contentDir, "topics.yml");
  const taxonomyText = (await readOptional(taxonomyFile)) ?? "";
  const taxonomy = parseTaxonomy(display(taxonomyFile), taxonomyText);
  const siteFile = path.join(contentDir, "site.yml");
  const siteText = await readOptional(siteFile);
  const site = siteText === null ? { site: DEFAULT_SITE, issues: [] } : parseSiteConfig(display(siteFile), siteText);
  if (registry.issues.length + taxonomy.issues.length + site.issues.length > 0) return fallback();

  const cache = await AnalysisCacheFile.open<CachedArticle>(cacheDir, fingerprint, "articles");
  const files = await listArticleFiles(path.join(contentDir, "articles"));
  const articles: Article[] = [];
  const urls = new Set<string>();
  const BATCH = 256;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const contents = await Promise.all(batch.map((file) => readFile(file)));
    for (const [j, file] of batch.entries()) {
      const name = display(file);
      const decoded = decodeText(name, contents[j]!);
      if ("issue" in decoded) return fallback();
      const key = createHash("sha1").update(name).update("\0").update(decoded.text).digest("base64url");
      const hit = cache.get(key);
      let article: Article;
      if (hit) article = { ...hit, body: hit.body ?? decoded.text.slice(hit.bodyOffset) } as Article;
      else {
        const parsed = parseArticle(name, decoded.text);
        if ("issues" in parsed) return fallback();
        article = parsed.article;
        const { body, ...rest } = article;
        cache.set(key, body === decoded.text.slice(article.bodyOffset) ? rest : article);
      }
      if (urls.has(article.url)) return fallback();
      urls.add(article.url);
      articles.push(article);
    }
  }
  await cache.save();
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
