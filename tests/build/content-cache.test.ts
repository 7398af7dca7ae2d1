// The cached loader must give exactly loadArchive's archive (cold and warm), and hand every problem over to it.
import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadArchive } from "../../src/content/load.js";
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
