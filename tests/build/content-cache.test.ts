// The cached loader must give exactly loadArchive's archive (cold and warm), and hand every problem over to it.
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadArchive, type Archive, type ParsedSettings, type ParsedSettingsCache } from "../../src/content/load.js";
import { loadArchiveCached } from "../../src/content-cache.js";
import { scratch } from "../support/cli.js";
import { corpusTexts, makeProject } from "./support.js";

let work: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  work = await scratch("gazette-content-cache-");
});
afterAll(async () => {
  await work?.cleanup();
});

it("loads what loadArchive loads, from an empty and from a full cache", async () => {
  const project = path.join(work.dir, "p");
  await makeProject(project, await corpusTexts(12));
  await cp(path.join(import.meta.dirname, "..", "fixtures", "small-archive", "content", "articles"), path.join(project, "content", "articles"), { recursive: true });
  // A byte-order mark and CRLF line ends: offsets and bodies must survive the cache.
  await writeFile(path.join(project, "content", "articles", "1996", "01", "crlf.md"), "\ufeff---\r\ntitle: CRLF story\r\ndate: 1996-01-05\r\n---\r\nLine one.\r\n\r\nLine two.\r\n");
  const content = path.join(project, "content");
  const cache = path.join(work.dir, "cache");
  const expected = await loadArchive(content);
  expect("archive" in expected).toBe(true);
  expect(await loadArchiveCached(content, cache, "f1")).toEqual(expected);
  expect(await loadArchiveCached(content, cache, "f1")).toEqual(expected);

  await writeFile(path.join(content, "articles", "1996", "01", "bad.md"), "---\ntitle: [unclosed\n---\nBody\n");
  const broken = await loadArchive(content);
  expect("issues" in broken).toBe(true);
  expect(await loadArchiveCached(content, cache, "f1")).toEqual(broken);
});

it("takes an article by its file's identity without reading the file, and reads the file when the identity changes", async () => {
  const project = path.join(work.dir, "identity");
  await makeProject(project, await corpusTexts(3));
  const content = path.join(project, "content");
  const cache = path.join(work.dir, "identity-cache");
  const archiveOf = (loaded: Awaited<ReturnType<typeof loadArchive>>) => (loaded as { archive: Archive }).archive;
  const first = archiveOf(await loadArchive(content));
  const file = path.resolve(first.articles[0]!.file);
  const identities = new Map([[file, "inode 1, size 1, times 1"]]);
  // Cached with its identity, then changed behind the identity's back: the identity is trusted, the file unread.
  expect(archiveOf((await loadArchiveCached(content, cache, "f1", undefined, identities)))).toEqual(first);
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/^title: .*$/m, "title: Changed unseen"));
  expect(archiveOf((await loadArchiveCached(content, cache, "f1", undefined, identities)))).toEqual(first);
  // A new identity (any write changes the change time), and the file is read again.
  const changed = archiveOf(await loadArchive(content));
  expect(changed.articles.some((article) => article.title === "Changed unseen")).toBe(true);
  identities.set(file, "inode 1, size 1, times 2");
  expect(archiveOf((await loadArchiveCached(content, cache, "f1", undefined, identities)))).toEqual(changed);
  // Without identities (a racy file is left out of them), every file is read.
  expect(archiveOf((await loadArchiveCached(content, cache, "f1")))).toEqual(changed);
});

it("takes each settings file from the cache by its kind and text, and caches only files without problems", async () => {
  const project = path.join(work.dir, "settings");
  await makeProject(project, await corpusTexts(2));
  const content = path.join(project, "content");
  const stored = new Map<string, unknown>();
  const cached: string[] = [];
  const settings: ParsedSettingsCache = {
    get: <K extends keyof ParsedSettings>(kind: K, text: string) => stored.get(`${kind}\0${text}`) as ParsedSettings[K] | undefined,
    set: (kind, text, parsed) => {
      cached.push(kind);
      stored.set(`${kind}\0${text}`, parsed);
    },
  };
  const expected = await loadArchive(content);
  expect(await loadArchive(content, undefined, settings)).toEqual(expected);
  expect(cached.sort()).toEqual(["registry", "site", "taxonomy"]);
  // Found again, nothing is parsed or cached again, and the cached value is what the archive gets.
  cached.length = 0;
  const taxonomyText = await readFile(path.join(content, "topics.yml"), "utf8");
  const oneTopic = { topics: [{ ...(expected as { archive: Archive }).archive.taxonomy.topics[0]! }] };
  stored.set(`taxonomy\0${taxonomyText}`, oneTopic);
  const warm = await loadArchive(content, undefined, settings);
  expect(cached).toEqual([]);
  expect("archive" in warm && warm.archive.taxonomy).toEqual(oneTopic);

  // A changed file is parsed; one with a problem is reported as loadArchive reports it, and not cached.
  await writeFile(path.join(content, "topics.yml"), `${taxonomyText}\n- code: [unclosed\n`);
  const broken = await loadArchive(content, undefined, settings);
  expect(broken).toEqual(await loadArchive(content));
  expect("issues" in broken).toBe(true);
  expect(cached).toEqual([]);
  await writeFile(path.join(content, "topics.yml"), taxonomyText.replace(/^(\s*)label: (.*)$/m, "$1label: renamed topic"));
  const renamed = await loadArchive(content, undefined, settings);
  expect(renamed).toEqual(await loadArchive(content));
  expect(cached).toEqual(["taxonomy"]);
});
