import path from "node:path";
import { CacheFile, TextCache, textKey } from "./cache.js";
import type { Article } from "./content/article.js";
import type { ContentIssue } from "./content/issues.js";
import { loadArchive, readSettings, type Archive, type ParsedArticleCache, type ParsedSettings, type ParsedSettingsCache, type Settings } from "./content/load.js";

/**
 * Files whose bytes are known unchanged since an earlier look, without reading them: absolute path ->
 * identity (inode, size, modification and change times), as the build's input check found them. Only
 * files the check trusts are here (not one changed within a timestamp grain of the check, which could
 * change again unseen): the same trust that lets a build with no changed input stop at once.
 */
export type FileIdentities = ReadonlyMap<string, string>;

/**
 * Parsed articles a long-running process (`gazette serve`) keeps between its builds, by the same keys
 * as on disk: a rebuild after an edit then parses the edited file alone, without reading the disk cache.
 */
export type ArticleMemory = Map<string, Article | string>;

/**
 * loadArchive with parsed articles cached on disk by file name and text hash:
 * an edit re-parses one file. The loader itself is the same, so problems are
 * reported exactly as `gazette check` reports them, and a valid archive is
 * equal to an uncached load (tests/build/content-cache.test.ts).
 *
 * Given the identities of unchanged files, an article whose file has the
 * identity it had when it was cached is taken without reading the file: at
 * 10,000 articles, reading, decoding and hashing every file cost ~0.25 s of
 * an edit's build, to find one changed. So the cache holds each article whole,
 * body included, and beside it, under its file's name and identity, the key
 * of its text.
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
  identities?: FileIdentities,
): Promise<{ archive: Archive } | { issues: ContentIssue[] }> {
  // Under a name no text key can take (base64url has no "@").
  const identityKey = (file: string, absolute = path.resolve(file)): string | undefined => {
    const identity = identities?.get(absolute);
    return identity === undefined ? undefined : `@${file}\0${identity}`;
  };
  // Text keys hold articles; identity keys hold the text key of their file's article.
  const remembered = new Map<string, Article | string>();
  const store = memory && memory.size > 0 ? null : await CacheFile.open<Article | string>(cacheDir, "articles", fingerprint, { removeOthers: true });
  const find = (id: string): Article | string | undefined => memory?.get(id) ?? store?.get(id);
  const cache: ParsedArticleCache = {
    unchanged(file, absolute) {
      const id = identityKey(file, absolute);
      if (id === undefined) return undefined;
      const key = find(id);
      if (typeof key !== "string") return undefined;
      const article = find(key);
      if (typeof article !== "object") return undefined;
      remembered.set(id, key);
      remembered.set(key, article);
      return article;
    },
    get(file, text) {
      const id = textKey(file, text);
      const article = find(id);
      if (typeof article !== "object") return undefined;
      remembered.set(id, article);
      noteIdentity(file, id);
      return article;
    },
    set(file, text, article) {
      const id = textKey(file, text);
      remembered.set(id, article);
      store?.set(id, article);
      noteIdentity(file, id);
    },
  };
  function noteIdentity(file: string, key: string): void {
    const id = identityKey(file);
    if (id === undefined) return;
    remembered.set(id, key);
    store?.set(id, key);
  }
  const settings = await SettingsCache.open(cacheDir, fingerprint);
  const loaded = await loadArchive(contentDir, cache, settings);
  await Promise.all([store?.save(), settings.save()]);
  if (memory) {
    memory.clear();
    for (const [id, article] of remembered) memory.set(id, article);
  }
  return loaded;
}

/** readSettings through the settings cache (see loadArchiveCached). */
export async function readSettingsCached(contentDir: string, cacheDir: string, fingerprint: string): Promise<Settings | { issues: ContentIssue[] }> {
  const cache = await SettingsCache.open(cacheDir, fingerprint);
  const settings = await readSettings(contentDir, cache);
  await cache.save();
  return settings;
}

/** Parsed settings files by kind and text, in a small cache file of their own. */
class SettingsCache implements ParsedSettingsCache {
  private constructor(private readonly store: TextCache<ParsedSettings[keyof ParsedSettings]>) {}

  static async open(cacheDir: string, fingerprint: string): Promise<SettingsCache> {
    return new SettingsCache(await TextCache.open<ParsedSettings[keyof ParsedSettings]>(cacheDir, "settings", fingerprint));
  }

  get<K extends keyof ParsedSettings>(kind: K, text: string): ParsedSettings[K] | undefined {
    return this.store.get(kind, text) as ParsedSettings[K] | undefined;
  }

  set<K extends keyof ParsedSettings>(kind: K, text: string, parsed: ParsedSettings[K]): void {
    this.store.set(kind, text, parsed);
  }

  save(): Promise<void> {
    return this.store.save();
  }
}
