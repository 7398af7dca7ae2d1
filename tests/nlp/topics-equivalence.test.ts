import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTaxonomy, type Taxonomy, type Topic } from "../../src/content/taxonomy.js";
import { entityKey } from "../../src/nlp/names.js";
import { assignTopics, compileTaxonomy, topicScores, withAncestors } from "../../src/nlp/topics.js";
import { ROOT, SEED, SHARED } from "../support/cli.js";

/**
 * assignTopics (compiled lookups: words, prefixes by leading characters,
 * phrases by first word) against the rules read the plain way: every keyword
 * of every topic tried on the text, phrases as a pattern over the
 * space-joined tokens. Scores must be equal, not just the topics they pass.
 */

const HEADLINE_WEIGHT = 3;
const ENTITY_WEIGHT = 3;
const MAX_HITS_PER_KEYWORD = 3;

const normalise = (text: string) => text.toLowerCase().replace(/[’']/g, "'").replace(/[^\p{L}\p{N}'*]+/gu, " ").trim();

interface Read {
  tokens: string[];
  joined: string;
  counts: Map<string, number>;
}

const patterns = new Map<string, RegExp>();
/** A phrase as a pattern over the space-joined tokens; a trailing '*' lets its last word run on. */
function phrasePattern(normal: string): RegExp {
  let pattern = patterns.get(normal);
  if (!pattern) {
    const wildcard = normal.endsWith("*");
    const words = (wildcard ? normal.slice(0, -1) : normal).replace(/\*/g, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    patterns.set(normal, (pattern = new RegExp(`(?<= )${words}${wildcard ? "[^ ]*" : ""}(?= )`, "g")));
  }
  return pattern;
}

/** How often one keyword hits a text: a word per occurrence, a prefix per word it starts, a phrase per non-overlapping match; at most `cap` per word (or phrase). */
function keywordHits(keyword: string, text: Read, cap: number): number {
  const normal = normalise(keyword);
  if (normal === "" || normal === "*") return 0;
  if (normal.includes(" ")) {
    const pattern = phrasePattern(normal);
    pattern.lastIndex = 0;
    let hits = 0;
    while (hits < cap && pattern.exec(text.joined)) hits++;
    return hits;
  }
  if (!normal.endsWith("*")) return Math.min(text.counts.get(normal) ?? 0, cap);
  let hits = 0;
  for (const [token, count] of text.counts) if (token.startsWith(normal.slice(0, -1))) hits += Math.min(count, cap);
  return hits;
}

function referenceScores(taxonomy: Taxonomy, headline: string, body: string, entityKeys: string[]): number[] {
  const read = (text: string): Read => {
    const tokens = normalise(text).split(" ").filter(Boolean);
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    return { tokens, joined: ` ${tokens.join(" ")} `, counts };
  };
  const b = read(body);
  const h = read(headline);
  const keys = new Set(entityKeys);
  return taxonomy.topics.map((topic) => {
    let score = 0;
    for (const keyword of topic.keywords) score += keywordHits(keyword, b, MAX_HITS_PER_KEYWORD);
    for (const keyword of [...topic.keywords, ...topic.headlineKeywords]) score += HEADLINE_WEIGHT * keywordHits(keyword, h, 1);
    for (const entity of topic.entities) if (keys.has(entityKey(entity))) score += ENTITY_WEIGHT;
    return score;
  });
}

/** Seeded PRNG (mulberry32), so a failure names a case that comes back. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random texts from a taxonomy's own keywords: words, phrases (often repeated, to overlap), prefixes run on or cut short, in odd cases and spacing. */
function randomTexts(taxonomy: Taxonomy, seed: number, count: number, filler: string[]): string[] {
  const rand = random(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  const keywords = taxonomy.topics.flatMap((t) => [...t.keywords, ...t.headlineKeywords]);
  const suffixes = ["", "", "s", "ed", "ing", "ers", "ism", "’s", "'s", "*", "-led"];
  const separators = [" ", " ", " ", " ", "  ", ", ", ". ", "\n", " - ", "—", " (", ") ", " * ", "'", "’", "/", " \u00a0"];
  const piece = (): string => {
    const r = rand();
    if (r < 0.2) return pick(filler);
    const keyword = pick(keywords);
    if (keyword.endsWith("*")) {
      const stem = keyword.slice(0, -1);
      const cut = rand() < 0.15 ? stem.slice(0, Math.max(0, stem.length - 1 - Math.floor(rand() * 3))) : stem;
      return cut + pick(suffixes);
    }
    if (keyword.includes(" ") && rand() < 0.3) {
      // a phrase's words on their own, or the phrase twice over (overlapping matches)
      const words = keyword.split(" ");
      return rand() < 0.5 ? pick(words) : [...words, ...words.slice(1)].join(" ");
    }
    return keyword;
  };
  const cased = (text: string): string => {
    const r = rand();
    if (r < 0.1) return text.toUpperCase();
    if (r < 0.2) return text.replace(/(^|\s)(\p{L})/gu, (_m, s: string, c: string) => s + c.toUpperCase());
    if (r < 0.25) return text.replace(/'/g, "’");
    return text;
  };
  const texts: string[] = [];
  for (let n = 0; n < count; n++) {
    const length = Math.floor(rand() ** 2 * 300);
    let text = rand() < 0.5 ? "" : pick(separators);
    for (let i = 0; i < length; i++) {
      const p = cased(piece());
      // runs of one keyword, so that per-keyword caps and phrase overlaps come up
      const repeat = rand() < 0.1 ? 2 + Math.floor(rand() * 4) : 1;
      for (let k = 0; k < repeat; k++) text += p + pick(separators);
    }
    texts.push(rand() < 0.5 ? text.trimEnd() : text);
  }
  return texts;
}

function topic(code: string, keywords: string[], headlineKeywords: string[] = [], entities: string[] = []): Topic {
  return { code, label: code, slug: code, parent: null, keywords, headlineKeywords, entities, minScore: 1 };
}

/** Rules at the edges of the syntax: empty and '*'-only keywords, '*' inside and before words, repeated words in a phrase, keywords listed twice. */
const ODD_TAXONOMY: Taxonomy = {
  topics: [
    topic("a", ["a a", "a a a", "a", "a*", "aa"]),
    topic("b", ["b *", "* c", "x*y z", "d**", "e* f*", "**", "*", "", "  ", "'", "'*", "q q*"]),
    topic("c", ["’tis the", "rock'n'roll", "cease-fire", "war", "war", "war*", "wa*", "pre* post", "ü ß", "naïve*", "a-b c-d", "C++ code", "u.s. troops"], ["war", "the end*"]),
    topic("d", ["the the the", "the the", "the"], ["the"], ["U.S.", "Rock’n’Roll"]),
    topic("e", [], ["b *", "a a", "wa*"]),
  ],
};
const ODD_WORDS = ["a", "A", "aa", "aaa", "b", "c", "x", "y", "z", "xy", "x*y", "d", "d*", "dd", "e", "ef", "f", "ff", "'tis", "’tis", "the", "THE", "Ü", "ß", "SS", "naïveté", "NAÏVE", "*", "**", "'", "’", "q", "qq", "war", "wars", "wa", "w", "pre", "prefix", "post", "rock'n'roll", "C++", "code", "U.S.", "troops", "end", "ending", "-", "1", "2nd", "𝐀𝐁", "\ud800"];

function check(taxonomy: Taxonomy, cases: Array<{ headline: string; body: string; entities: string[] }>): number {
  const compiled = compileTaxonomy(taxonomy);
  let checked = 0;
  for (const { headline, body, entities } of cases) {
    // each text as body and as headline: the headline rules (cap 1, weight 3) read long texts too
    for (const [h, b] of [[headline, body], [body, headline]] as const) {
      const expected = referenceScores(taxonomy, h, b, entities);
      const actual = Array.from(topicScores(compiled, h, b, entities));
      if (actual.join() !== expected.join()) expect({ headline: h, body: b, scores: actual }).toEqual({ headline: h, body: b, scores: expected });
      const codes = withAncestors(compiled, taxonomy.topics.filter((t, i) => expected[i]! >= t.minScore).map((t) => t.code));
      expect(assignTopics(compiled, h, b, entities)).toEqual(codes);
      checked++;
    }
  }
  return checked;
}

async function contentTaxonomy(): Promise<Taxonomy> {
  const { taxonomy, issues } = parseTaxonomy("topics.yml", await readFile(path.join(ROOT, "content/topics.yml"), "utf8"));
  expect(issues).toEqual([]);
  return taxonomy;
}

async function conllTexts(): Promise<string[]> {
  const dir = path.join(SHARED, "corpora/conll2003-dev");
  const names = (await readdir(dir)).filter((f) => f.endsWith(".txt")).sort();
  return Promise.all(names.map((name) => readFile(path.join(dir, name), "utf8")));
}

const split = (text: string) => {
  const [headline = "", ...body] = text.split("\n");
  return { headline, body: body.join("\n") };
};

describe("assignTopics against the plain reading of the rules", () => {
  it("scores the seed article and the conll2003-dev texts alike", async () => {
    const taxonomy = await contentTaxonomy();
    const entityKeys = taxonomy.topics.flatMap((t) => t.entities).map(entityKey);
    const seedArticle = await readFile(path.join(ROOT, "content/articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy.md"), "utf8");
    const texts = [await readFile(SEED, "utf8"), seedArticle, ...(await conllTexts())];
    expect(texts.length).toBeGreaterThan(200);
    const cases = texts.map((text, i) => ({ ...split(text), entities: i % 3 === 0 ? entityKeys.slice(0, i % entityKeys.length) : [] }));
    expect(check(taxonomy, cases)).toBe(2 * texts.length);
  });

  it("scores seeded random texts of content/topics.yml's keywords and phrases alike", async () => {
    const taxonomy = await contentTaxonomy();
    const filler = (await conllTexts()).slice(0, 20).join(" ").split(/\s+/).filter(Boolean);
    const bodies = randomTexts(taxonomy, 20250501, 600, filler);
    const headlines = randomTexts(taxonomy, 7, 600, filler).map((t) => t.slice(0, 120));
    const cases = bodies.map((body, i) => ({ headline: headlines[i]!, body, entities: [] }));
    expect(check(taxonomy, cases)).toBe(1200);
  });

  it("scores odd rules alike: '*' anywhere, empty keywords, repeated words, keywords listed twice, curly apostrophes, astral letters", () => {
    const keywords = ODD_TAXONOMY.topics.flatMap((t) => [...t.keywords, ...t.headlineKeywords]);
    const vocabulary: Taxonomy = { topics: [topic("v", [...keywords, ...ODD_WORDS])] };
    const bodies = randomTexts(vocabulary, 99, 1500, ODD_WORDS);
    const headlines = randomTexts(vocabulary, 100, 1500, ODD_WORDS).map((t) => t.slice(0, 60));
    const entities = ["us", "rocknroll", "other"];
    // texts with surrogates (astral letters, a lone half) are read another way: most cases go without them
    const plain = (text: string, i: number) => (i % 4 === 0 ? text : text.replace(/[\ud800-\udfff]/g, ""));
    const cases = bodies.map((body, i) => ({ headline: plain(headlines[i]!, i), body: plain(body, i), entities: entities.slice(i % 4) }));
    expect(cases.filter((c) => !/[\ud800-\udfff]/.test(c.headline + c.body)).length).toBeGreaterThan(1000);
    expect(check(ODD_TAXONOMY, cases)).toBe(3000);
    // A phrase ending in " *" takes any token as its last word, so no token can be screened out before the
    // lookups; without one, tokens that no rule can use are skipped. Both ways must score alike.
    const anyLast = (keyword: string) => / \*+$/.test(keyword);
    expect(ODD_TAXONOMY.topics.flatMap((t) => t.keywords).some(anyLast)).toBe(true);
    const screened = { topics: ODD_TAXONOMY.topics.map((t) => ({ ...t, keywords: t.keywords.filter((k) => !anyLast(k)), headlineKeywords: t.headlineKeywords.filter((k) => !anyLast(k)) })) };
    expect(check(screened, cases)).toBe(3000);
  });
});
