// The usual build takes the analyses the quick edit path made before it declined, instead of tagging those articles again.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyseArchive, loadContent } from "../../src/build.js";
import type { ArticleAnalysis } from "../../src/nlp/extract.js";
import { scratch } from "../support/cli.js";
import { corpusTexts, makeProject } from "./support.js";

let work: Awaited<ReturnType<typeof scratch>>;
let content: string;
const cacheBefore = process.env.GAZETTE_CACHE;
beforeAll(async () => {
  work = await scratch("gazette-handover-");
  await makeProject(path.join(work.dir, "p"), await corpusTexts(3));
  content = path.join(work.dir, "p", "content");
});
afterAll(async () => {
  if (cacheBefore === undefined) delete process.env.GAZETTE_CACHE;
  else process.env.GAZETTE_CACHE = cacheBefore;
  await work?.cleanup();
});

// An analysis no tagger would make of the article, so that where it comes back it can only be the one handed over.
const handedOver = (): ArticleAnalysis => ({ entities: [], topics: [] });

it("uses an analysis handed over under the archive's settings, and tags the other articles", async () => {
  process.env.GAZETTE_CACHE = path.join(work.dir, "cache-same");
  const archive = await loadContent(content);
  const [first, ...others] = archive.articles;
  const analysis = handedOver();
  const { analyses } = await analyseArchive(archive, { handover: { settingsText: archive.settingsText, byHash: new Map([[first!.hash, analysis]]) } });
  expect(analyses.get(first!)).toBe(analysis);
  for (const article of others) expect(analyses.get(article)!.entities.length).toBeGreaterThan(0);
});

it("tags the article again when the handover was made under other settings", async () => {
  process.env.GAZETTE_CACHE = path.join(work.dir, "cache-other");
  const archive = await loadContent(content);
  const first = archive.articles[0]!;
  const analysis = handedOver();
  const settingsText = { ...archive.settingsText, registry: `${archive.settingsText.registry}\n# edited since the quick path read it\n` };
  const { analyses } = await analyseArchive(archive, { handover: { settingsText, byHash: new Map([[first.hash, analysis]]) } });
  expect(analyses.get(first)).not.toBe(analysis);
  expect(analyses.get(first)!.entities.length).toBeGreaterThan(0);
});
