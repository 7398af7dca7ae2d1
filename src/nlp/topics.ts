import type { Taxonomy, Topic } from "../content/taxonomy.js";
import { entityKey } from "./names.js";

/** Topic rules compiled once per taxonomy: word, phrase and prefix lookups instead of a regex per topic. */
export interface CompiledTaxonomy {
  topics: Topic[];
  byCode: Map<string, Topic>;
  words: Map<string, number[]>;
  prefixes: [string, number][];
  phrases: [RegExp, number][];
  headlineWords: Map<string, number[]>;
  headlinePrefixes: [string, number][];
  headlinePhrases: [RegExp, number][];
  entities: Map<string, number[]>;
}

const HEADLINE_WEIGHT = 3;
const ENTITY_WEIGHT = 3;
/** Each keyword counts at most this often in a body, so one repeated word cannot carry a topic. */
const MAX_HITS_PER_KEYWORD = 3;

export function compileTaxonomy(taxonomy: Taxonomy): CompiledTaxonomy {
  const compiled: CompiledTaxonomy = {
    topics: taxonomy.topics,
    byCode: new Map(taxonomy.topics.map((t) => [t.code, t])),
    words: new Map(),
    prefixes: [],
    phrases: [],
    headlineWords: new Map(),
    headlinePrefixes: [],
    headlinePhrases: [],
    entities: new Map(),
  };
  const add = (map: Map<string, number[]>, key: string, index: number) => map.set(key, [...(map.get(key) ?? []), index]);
  taxonomy.topics.forEach((topic, index) => {
    const place = (keyword: string, words: Map<string, number[]>, prefixes: [string, number][], phrases: [RegExp, number][]) => {
      const normal = normalise(keyword);
      if (normal === "" || normal === "*") return;
      if (normal.includes(" ")) phrases.push([phrasePattern(normal), index]);
      else if (normal.endsWith("*")) prefixes.push([normal.slice(0, -1), index]);
      else add(words, normal, index);
    };
    for (const keyword of topic.keywords) {
      place(keyword, compiled.words, compiled.prefixes, compiled.phrases);
      place(keyword, compiled.headlineWords, compiled.headlinePrefixes, compiled.headlinePhrases);
    }
    for (const keyword of topic.headlineKeywords) place(keyword, compiled.headlineWords, compiled.headlinePrefixes, compiled.headlinePhrases);
    for (const entity of topic.entities) add(compiled.entities, entityKey(entity), index);
  });
  return compiled;
}

/** A phrase over space-joined tokens; a trailing '*' lets its last word run on ("suicide bomber*"). */
function phrasePattern(phrase: string): RegExp {
  const wildcard = phrase.endsWith("*");
  const words = (wildcard ? phrase.slice(0, -1) : phrase).replace(/\*/g, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<= )${words}${wildcard ? "[^ ]*" : ""}(?= )`, "g");
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[’']/g, "'").replace(/[^\p{L}\p{N}'*]+/gu, " ").trim();
}

function countHits(text: string, words: Map<string, number[]>, prefixes: [string, number][], phrases: [RegExp, number][], weight: number, cap: number, scores: Float64Array): void {
  const tokens = normalise(text).split(" ").filter(Boolean);
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  for (const [token, count] of counts) {
    for (const index of words.get(token) ?? []) scores[index]! += weight * Math.min(count, cap);
    for (const [prefix, index] of prefixes) if (token.startsWith(prefix)) scores[index]! += weight * Math.min(count, cap);
  }
  if (phrases.length > 0) {
    const joined = ` ${tokens.join(" ")} `;
    for (const [pattern, index] of phrases) {
      let hits = 0;
      pattern.lastIndex = 0;
      while (hits < cap && pattern.exec(joined)) hits++;
      scores[index]! += weight * hits;
    }
  }
}

/**
 * The topic codes the taxonomy's rules give an article (headline words weigh
 * three times body words; a listed entity weighs three), each with its
 * ancestors, so an article on armed conflict is also under "conflict, war and peace".
 */
export function assignTopics(compiled: CompiledTaxonomy, headline: string, body: string, entityKeys: Iterable<string>): string[] {
  const scores = new Float64Array(compiled.topics.length);
  countHits(body, compiled.words, compiled.prefixes, compiled.phrases, 1, MAX_HITS_PER_KEYWORD, scores);
  countHits(headline, compiled.headlineWords, compiled.headlinePrefixes, compiled.headlinePhrases, HEADLINE_WEIGHT, 1, scores);
  for (const key of new Set(entityKeys)) for (const index of compiled.entities.get(key) ?? []) scores[index]! += ENTITY_WEIGHT;
  const codes: string[] = [];
  compiled.topics.forEach((topic, index) => {
    if (scores[index]! >= topic.minScore) codes.push(topic.code);
  });
  return withAncestors(compiled, codes);
}

/** Codes plus every ancestor's code, in taxonomy order. */
export function withAncestors(compiled: CompiledTaxonomy, codes: Iterable<string>): string[] {
  const all = new Set<string>();
  for (let code of codes) {
    for (let guard = 0; guard < 20 && !all.has(code); guard++) {
      all.add(code);
      const parent = compiled.byCode.get(code)?.parent;
      if (!parent) break;
      code = parent;
    }
  }
  return compiled.topics.filter((t) => all.has(t.code)).map((t) => t.code);
}
