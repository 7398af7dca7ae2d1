// The cache files (base + appended log) only ever give back what was stored for their fingerprint, and the
// compact analysis form decodes to exactly what analyseArticle returned.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAnalysis, encodeAnalysis } from "../../src/analysis-cache.js";
import { CacheFile } from "../../src/cache.js";
import { parseArticle, type Article } from "../../src/content/article.js";
import { parseRegistry } from "../../src/content/registry.js";
import { parseTaxonomy } from "../../src/content/taxonomy.js";
import { indexRegistry } from "../../src/nlp/canonical.js";
import { analyseArticle } from "../../src/nlp/extract.js";
import { mentionFacts } from "../../src/nlp/packed-entity.js";
import { loadTagger } from "../../src/nlp/tagger/index.js";
import { compileTaxonomy } from "../../src/nlp/topics.js";
import { articleFile, ROOT, scratch } from "../support/cli.js";
import { corpusTexts } from "./support.js";

let work: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  work = await scratch("gazette-cache-files-");
});
afterAll(async () => {
  await work?.cleanup();
});

let folders = 0;
const newFolder = () => path.join(work.dir, `c${folders++}`);
const open = (dir: string, fingerprint = "fp") => CacheFile.open<number[]>(dir, "things", fingerprint, { removeOthers: true });

/** One build: reads every key given (as a build reads each article's entry), adds the ones missing, saves. */
async function build(dir: string, keys: string[], fingerprint = "fp"): Promise<Map<string, number[] | undefined>> {
  const cache = await open(dir, fingerprint);
  const seen = new Map<string, number[] | undefined>();
  for (const key of keys) {
    const value = cache.get(key);
    seen.set(key, value);
    if (!value) cache.set(key, valueOf(key));
  }
  await cache.save();
  return seen;
}

const valueOf = (key: string) => [key.length, ...[...key].map((c) => c.charCodeAt(0))];
const keysFrom = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `k${from + i}`);
const files = async (dir: string) => (await readdir(dir)).sort();

describe("CacheFile", () => {
  it("gives back every entry, appending a build's few new ones to the log without rewriting the base", async () => {
    const dir = newFolder();
    const keys = keysFrom(0, 400);
    await build(dir, keys);
    expect(await files(dir)).toEqual(["things-fp.json"]);
    const base = await readFile(path.join(dir, "things-fp.json"), "utf8");

    const edited = [...keys.slice(1), "k-new"];
    expect([...(await build(dir, edited)).values()].filter((v) => v === undefined)).toHaveLength(1);
    expect(await readFile(path.join(dir, "things-fp.json"), "utf8")).toBe(base);
    expect((await readFile(path.join(dir, "things-fp.log"), "utf8")).split("\n")).toHaveLength(3); // header, one entry, ""

    const warm = await build(dir, edited);
    for (const key of edited) expect(warm.get(key)).toEqual(valueOf(key));
  });

  it("rewrites the base without unused entries once they outgrow their share, and drops the log", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    await build(dir, keysFrom(0, 399)); // one unused: no write at all
    const kept = keysFrom(200, 400);
    await build(dir, kept);
    expect(await files(dir)).toEqual(["things-fp.json"]);
    // A header line, then one [key, value] line an entry.
    const lines = (await readFile(path.join(dir, "things-fp.json"), "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.slice(1).map((line) => (JSON.parse(line) as [string, unknown])[0])).toEqual(kept);
  });

  it("compacts a log grown past its share", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    await build(dir, keysFrom(0, 450));
    await build(dir, keysFrom(0, 500));
    expect(await files(dir)).toEqual(["things-fp.json", "things-fp.log"]);
    // 150 logged entries > a quarter of 550 live ones: compacted.
    await build(dir, keysFrom(0, 550));
    expect(await files(dir)).toEqual(["things-fp.json"]);
    const warm = await build(dir, keysFrom(0, 550));
    expect([...warm.values()].every((v) => v !== undefined)).toBe(true);
  });

  it("ignores a torn last line and a damaged line, and compacts them away", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    await build(dir, keysFrom(0, 402));
    const log = path.join(dir, "things-fp.log");
    const lines = (await readFile(log, "utf8")).split("\n");
    // k400's line with one digit changed (its check no longer fits), k401's intact, and a line cut short.
    lines[1] = lines[1]!.replace(/,(\d)/, (_m, d: string) => `,${(Number(d) + 1) % 10}`);
    await writeFile(log, `${lines.join("\n")}["k402",[4,107,52`);
    const cache = await open(dir);
    expect(cache.get("k400")).toBeUndefined();
    expect(cache.get("k401")).toEqual(valueOf("k401"));
    expect(cache.get("k402")).toBeUndefined();
    cache.set("k400", valueOf("k400"));
    cache.set("k402", valueOf("k402"));
    for (const key of keysFrom(0, 400)) cache.get(key);
    await cache.save();
    expect(await files(dir)).toEqual(["things-fp.json"]);
    const warm = await build(dir, keysFrom(0, 403));
    for (const [key, value] of warm) expect(value).toEqual(valueOf(key));
  });

  it("reads a log left beside a base that was rewritten after it (a build killed between the two)", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    await build(dir, keysFrom(0, 401));
    const log = await readFile(path.join(dir, "things-fp.log"), "utf8");
    await build(dir, keysFrom(100, 401)); // compacts, removing the log
    await writeFile(path.join(dir, "things-fp.log"), log);
    const warm = await build(dir, keysFrom(100, 401));
    expect([...warm.values()].every((v) => v !== undefined)).toBe(true);
  });

  it("never serves another fingerprint's or another format's entries, and removes other fingerprints' files", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400), "old");
    await build(dir, keysFrom(0, 401), "old");
    expect(await files(dir)).toEqual(["things-old.json", "things-old.log"]);
    const base = await readFile(path.join(dir, "things-old.json"), "utf8");
    const log = await readFile(path.join(dir, "things-old.log"), "utf8");
    // Files copied under the new fingerprint's names, and the previous format (no format field).
    await writeFile(path.join(dir, "things-new.json"), base);
    await writeFile(path.join(dir, "things-new.log"), log);
    const cache = await open(dir, "new");
    expect(await files(dir)).toEqual(["things-new.json", "things-new.log"]);
    expect(cache.get("k0")).toBeUndefined();
    expect(cache.get("k400")).toBeUndefined();

    await writeFile(path.join(dir, "things-plain.json"), JSON.stringify({ fingerprint: "plain", entries: { k0: [9] } }));
    expect((await open(dir, "plain")).get("k0")).toBeUndefined();
    await writeFile(path.join(dir, "things-plain.json"), base.slice(0, base.length >> 1));
    expect((await open(dir, "plain")).get("k0")).toBeUndefined();
  });

  it("skips a damaged line of the base, and keeps every other entry", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    const file = path.join(dir, "things-fp.json");
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[5] = lines[5]!.slice(0, 7);
    await writeFile(file, lines.join("\n"));
    const warm = await build(dir, keysFrom(0, 400));
    expect([...warm].filter(([, value]) => value === undefined).map(([key]) => key)).toEqual(["k4"]);
    for (const [key, value] of warm) if (value !== undefined) expect(value).toEqual(valueOf(key));
  });

  it("writes nothing when a build changed nothing", async () => {
    const dir = newFolder();
    await build(dir, keysFrom(0, 400));
    const before = await stat(path.join(dir, "things-fp.json"), { bigint: true });
    await build(dir, keysFrom(0, 400));
    expect((await stat(path.join(dir, "things-fp.json"), { bigint: true })).mtimeNs).toBe(before.mtimeNs);
    expect(await files(dir)).toEqual(["things-fp.json"]);
  });
});

describe("the compact analysis", () => {
  it("decodes to exactly what analyseArticle returned, over real Reuters texts with Markdown in their names", async () => {
    const registry = parseRegistry(
      "entities.yml",
      "- name: United States\n  type: place\n  aliases: [U.S., US, America]\n  slug: usa\n- name: Reuters\n  type: organization\n  aliases: [Reuters News]\n",
    );
    const taxonomy = parseTaxonomy("topics.yml", await readFile(path.join(ROOT, "content", "topics.yml"), "utf8"));
    const index = indexRegistry(registry.registry);
    const compiled = compileTaxonomy(taxonomy.taxonomy);
    const tagger = loadTagger();
    const texts = await corpusTexts(150);
    let mentions = 0;
    let differing = 0;
    const seen = { registered: 0, aliases: 0, acronyms: 0 };
    for (const [i, { title, paragraphs }] of texts.entries()) {
      const article = corpusArticle(i, title, paragraphs);
      const analysis = analyseArticle(article, tagger, index, compiled);
      const encoded = encodeAnalysis(analysis, article, "hash");
      expect(encoded).toBeDefined();
      const decoded = decodeAnalysis(JSON.parse(JSON.stringify(encoded)), article);
      // What the index reads of the mentions while they are still packed (and read before they are made).
      expect(decoded.entities.map((entity) => mentionFacts(entity, article.bodyOffset))).toEqual(analysis.entities.map((entity) => mentionFacts(entity, article.bodyOffset)));
      expect(decoded.entities.map((entity) => entity.mentions)).toEqual(analysis.entities.map((entity) => entity.mentions));
      expect(decoded.entities.map((entity) => mentionFacts(entity, article.bodyOffset))).toEqual(analysis.entities.map((entity) => mentionFacts(entity, article.bodyOffset)));
      // As plain data, and in the same key order: anything that serialises an analysis writes the same bytes.
      expect(JSON.parse(JSON.stringify(decoded))).toEqual(analysis);
      expect(JSON.stringify(decoded)).toBe(JSON.stringify(analysis));
      for (const entity of analysis.entities) {
        if (entity.registered) seen.registered++;
        if (entity.aliases.length > 0) seen.aliases++;
        if (entity.acronyms.length > 0) seen.acronyms++;
        for (const m of entity.mentions) {
          mentions++;
          if (m.text !== corpusFiles[i]!.slice(m.start, m.end)) differing++;
        }
      }
    }
    // The corpus exercises both forms of a mention: text read from the article, and text kept.
    expect(mentions).toBeGreaterThan(1000);
    expect(differing).toBeGreaterThan(0);
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
  });
});

/** Each corpus article's file text, by index. */
const corpusFiles: string[] = [];
/** A corpus text as an article; some get emphasis or a link inside a name, a quoted title with an escape, or editor overrides. */
function corpusArticle(i: number, title: string, paragraphs: string[]): Article {
  let body = paragraphs.join("\n\n");
  if (i % 3 === 0) body = body.replace(/\b([A-Z][a-z]+) ([A-Z][a-z]+)\b/, "$1 **$2**");
  if (i % 6 === 0) body += "\n\nThe Tehreek-e-Taliban Pakistan (TTP) said the U.S. talks would go on; the TTP gave no date.";
  if (i % 5 === 0) body = body.replace(/\b([A-Z][a-z]{3,})\b/, "[$1](https://example.org/$1)");
  const fields: Record<string, string | string[]> = { title: i % 4 === 0 ? `${title} \u00e9` : title, date: "1996-08-22" };
  if (i % 7 === 0) fields.entities = ["United States", "Some Body"];
  if (i % 11 === 0) fields.exclude_entities = ["Reuters"];
  let text = articleFile(fields, body);
  if (i % 4 === 0) text = text.replace(" \u00e9", " \\u00e9"); // a title that is not verbatim in the file
  corpusFiles[i] = text;
  const parsed = parseArticle(`a${i}.md`, text);
  if (!("article" in parsed)) throw new Error(JSON.stringify(parsed.issues));
  return parsed.article;
}
