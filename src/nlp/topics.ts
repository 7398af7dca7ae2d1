import type { Taxonomy, Topic } from "../content/taxonomy.js";
import { entityKey } from "./names.js";

/**
 * Topic rules compiled once per taxonomy into lookups whose cost follows the
 * text, not the number of rules: words by token, prefixes by their length
 * and leading characters, phrases by their first word (continuations checked
 * at that token's position).
 */
export interface CompiledTaxonomy {
  topics: Topic[];
  byCode: Map<string, Topic>;
  body: RuleSet;
  headline: RuleSet;
  entities: Map<string, number[]>;
}

/** The keyword rules of one part of an article (body or headline). */
interface RuleSet {
  /** exact word -> topic indices (a keyword listed twice counts twice) */
  words: Map<string, number[]>;
  /** `word*`: leading characters -> topic indices, and the distinct prefix lengths, ascending */
  prefixes: Map<string, number[]>;
  prefixLengths: number[];
  /** phrases by their first word */
  phrases: Map<string, Phrase[]>;
  /** number of phrase rules (each has an id below this, for per-call hit counters) */
  phraseCount: number;
  /** per distinct token, what its rules give (memo, bounded) */
  tokens: Map<string, TokenRules>;
  /** which tokens can matter at all (see TokenFilter); null when every token can (a phrase ending in " *") */
  filter: TokenFilter | null;
}

/**
 * A screen the text's tokens pass through before any string is made of them
 * or looked up: hashes of every whole word a rule compares a token with (words,
 * every word of a phrase) and of every string a token must start with
 * (prefixes, a wildcard phrase's last word), as bit sets. A token whose hash
 * and leading-character hashes miss them can hit no rule and take no part in
 * a phrase; one that passes (rarely by chance) goes through the exact lookups.
 */
interface TokenFilter {
  words: Uint32Array;
  prefixes: Uint32Array;
  /** prefixLength[n] is 1 when some prefix is n characters long */
  prefixLength: Uint8Array;
}

/**
 * A phrase over tokens: its words after the first must follow at the next
 * token positions; with `wildcard` the last word may run on ("suicide bomb*"
 * matches "suicide bombers"). An empty word matches no token (tokens are
 * never empty), except as a wildcard's last word, which any token starts with.
 */
interface Phrase {
  id: number;
  words: string[];
  wildcard: boolean;
  index: number;
}

const HEADLINE_WEIGHT = 3;
const ENTITY_WEIGHT = 3;
/** Each keyword counts at most this often in a body, so one repeated word cannot carry a topic. */
const MAX_HITS_PER_KEYWORD = 3;
const TOKEN_MEMO_MAX = 100_000;
const NO_HITS: readonly number[] = [];

function ruleSet(): RuleSet {
  return { words: new Map(), prefixes: new Map(), prefixLengths: [], phrases: new Map(), phraseCount: 0, tokens: new Map(), filter: null };
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const FILTER_BITS = 1 << 16;
const bitOf = (hash: number) => Math.imul(hash, 0x9e3779b1) >>> 16;
const hasBit = (bits: Uint32Array, hash: number) => {
  const bit = bitOf(hash);
  return (bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
};

/** Hash of a string's UTF-16 code units, as the scan computes it character by character. */
function hashOf(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

function tokenFilter(rules: RuleSet): TokenFilter | null {
  const words = new Uint32Array(FILTER_BITS / 32);
  const set = (bits: Uint32Array, text: string) => {
    const bit = bitOf(hashOf(text));
    bits[bit >>> 5]! |= 1 << (bit & 31);
  };
  const starts: string[] = [...rules.prefixes.keys()];
  for (const word of rules.words.keys()) set(words, word);
  for (const phrases of rules.phrases.values()) {
    for (const phrase of phrases) {
      const last = phrase.words.length - 1;
      phrase.words.forEach((word, k) => {
        if (k === last && phrase.wildcard) starts.push(word);
        else set(words, word);
      });
    }
  }
  // "word *": any token at all ends the phrase, so no token may be screened out
  if (starts.includes("")) return null;
  const prefixes = new Uint32Array(FILTER_BITS / 32);
  const prefixLength = new Uint8Array(Math.max(0, ...starts.map((p) => p.length)) + 1);
  for (const start of starts) {
    set(prefixes, start);
    prefixLength[start.length] = 1;
  }
  return { words, prefixes, prefixLength };
}

const add = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** One keyword's rule into a rule set: a phrase (has a space), a prefix (ends in '*') or a word. */
function place(rules: RuleSet, keyword: string, index: number): void {
  const normal = normalise(keyword);
  if (normal === "" || normal === "*") return;
  if (normal.includes(" ")) {
    // Same reading as a pattern over the space-joined tokens: a trailing '*' runs the last word on, any other '*' is dropped.
    const wildcard = normal.endsWith("*");
    const words = (wildcard ? normal.slice(0, -1) : normal).replace(/\*/g, "").split(" ");
    add(rules.phrases, words[0]!, { id: rules.phraseCount++, words, wildcard, index });
  } else if (normal.endsWith("*")) {
    const prefix = normal.slice(0, -1);
    add(rules.prefixes, prefix, index);
    if (!rules.prefixLengths.includes(prefix.length)) rules.prefixLengths.push(prefix.length);
    rules.prefixLengths.sort((a, b) => a - b);
  } else add(rules.words, normal, index);
}

export function compileTaxonomy(taxonomy: Taxonomy): CompiledTaxonomy {
  const compiled: CompiledTaxonomy = {
    topics: taxonomy.topics,
    byCode: new Map(taxonomy.topics.map((t) => [t.code, t])),
    body: ruleSet(),
    headline: ruleSet(),
    entities: new Map(),
  };
  taxonomy.topics.forEach((topic, index) => {
    for (const keyword of topic.keywords) {
      place(compiled.body, keyword, index);
      place(compiled.headline, keyword, index);
    }
    for (const keyword of topic.headlineKeywords) place(compiled.headline, keyword, index);
    for (const entity of topic.entities) add(compiled.entities, entityKey(entity), index);
  });
  compiled.body.filter = tokenFilter(compiled.body);
  compiled.headline.filter = tokenFilter(compiled.headline);
  return compiled;
}

/** A token run: letters, digits, apostrophes (’ read as ') and '*'. */
const TOKEN = /[\p{L}\p{N}'’*]+/gu;
const CURLY = /’/g;

/** A keyword as its rule reads it (lower case, ’ as ', any other run of symbols one space). */
function normalise(text: string): string {
  return text.toLowerCase().replace(/[’']/g, "'").replace(/[^\p{L}\p{N}'*]+/gu, " ").trim();
}

/** The words of a lower-cased text as normalise() leaves them, split on its spaces (one pass, no joined copy). */
function tokensOf(lower: string): string[] {
  const tokens = lower.match(TOKEN) ?? [];
  if (lower.includes("’")) for (let i = 0; i < tokens.length; i++) tokens[i] = tokens[i]!.replace(CURLY, "'");
  return tokens;
}

/** Per UTF-16 unit outside surrogates: 1 when it belongs in a token (TOKEN's class), 2 when not, 0 not yet known. */
const TOKEN_UNIT = new Uint8Array(0x10000);
const SURROGATE = /[\ud800-\udfff]/;
const tokenUnit = (unit: number): boolean => {
  let kind = TOKEN_UNIT[unit]!;
  if (kind === 0) TOKEN_UNIT[unit] = kind = /^[\p{L}\p{N}'’*]$/u.test(String.fromCharCode(unit)) ? 1 : 2;
  return kind === 1;
};

/**
 * The same tokens as tokensOf, in place, but made into strings only where
 * they pass the filter: the others are null (they can hit no rule nor be
 * part of a phrase). For text without surrogates (tokenUnit reads single units).
 */
function screenedTokens(lower: string, filter: TokenFilter): Array<string | null> {
  const { words, prefixes, prefixLength } = filter;
  const longest = prefixLength.length - 1;
  const tokens: Array<string | null> = [];
  const n = lower.length;
  let i = 0;
  while (i < n) {
    let unit = lower.charCodeAt(i);
    if (!tokenUnit(unit)) {
      i++;
      continue;
    }
    const start = i;
    let hash = FNV_OFFSET;
    let length = 0;
    let passes = false;
    let curly = false;
    for (;;) {
      if (unit === 0x2019) ((unit = 39), (curly = true));
      hash = Math.imul(hash ^ unit, FNV_PRIME);
      length++;
      if (length <= longest && prefixLength[length] === 1 && !passes && hasBit(prefixes, hash)) passes = true;
      if (++i >= n) break;
      unit = lower.charCodeAt(i);
      if (!tokenUnit(unit)) break;
    }
    if (passes || hasBit(words, hash)) {
      const token = lower.slice(start, i);
      tokens.push(curly ? token.replace(CURLY, "'") : token);
    } else tokens.push(null);
  }
  return tokens;
}

/** What one distinct token does under a rule set; `count` and `stamp` are scratch for the call reading a text. */
interface TokenRules {
  /** topic indices its word and prefix rules give, each once per rule */
  hits: readonly number[];
  /** phrases it starts */
  phrases: Phrase[] | undefined;
  /** occurrences in the text being read, valid where `stamp` is that call's */
  count: number;
  stamp: number;
}

let stamps = 0;

function tokenRules(rules: RuleSet, token: string): TokenRules {
  const found: number[] = [...(rules.words.get(token) ?? NO_HITS)];
  for (const length of rules.prefixLengths) {
    if (length > token.length) break;
    const indices = rules.prefixes.get(token.slice(0, length));
    if (indices) found.push(...indices);
  }
  return { hits: found.length === 0 ? NO_HITS : found, phrases: rules.phrases.get(token), count: 0, stamp: 0 };
}

/** Does the phrase match at token `at` (a null token is none of its words, nor starts with its last)? */
function phraseAt(tokens: Array<string | null>, at: number, phrase: Phrase): boolean {
  const { words } = phrase;
  const last = words.length - 1;
  if (at + last >= tokens.length) return false;
  for (let k = 1; k < last; k++) if (tokens[at + k] !== words[k]) return false;
  const end = tokens[at + last] ?? null;
  return phrase.wildcard ? end !== null && end.startsWith(words[last]!) : end === words[last];
}

/**
 * Adds `weight` per hit to the scores: a word or prefix rule hits once per
 * occurrence of each distinct token it matches, at most `cap` times per token;
 * a phrase hits at each place its words follow each other, counting matches
 * that do not overlap (leftmost first), at most `cap` times.
 */
function countHits(text: string, rules: RuleSet, weight: number, cap: number, scores: Float64Array): void {
  const lower = text.toLowerCase();
  const tokens = rules.filter !== null && !SURROGATE.test(lower) ? screenedTokens(lower, rules.filter) : tokensOf(lower);
  const memo = rules.tokens;
  // (trimmed only here: the entries this call counts in must stay the ones it finds)
  if (memo.size >= TOKEN_MEMO_MAX) memo.clear();
  const stamp = ++stamps;
  const distinct: TokenRules[] = [];
  let phraseHits: Int32Array | undefined;
  /** per phrase, the first token a next match may start at (matches do not overlap) */
  let nextFree: Int32Array | undefined;
  for (let at = 0; at < tokens.length; at++) {
    const token = tokens[at] ?? null;
    if (token === null) continue;
    let entry = memo.get(token);
    if (entry === undefined) memo.set(token, (entry = tokenRules(rules, token)));
    if (entry.stamp !== stamp) {
      entry.stamp = stamp;
      entry.count = 0;
      if (entry.hits.length > 0) distinct.push(entry);
    }
    entry.count++;
    const candidates = entry.phrases;
    if (candidates === undefined) continue;
    phraseHits ??= new Int32Array(rules.phraseCount);
    nextFree ??= new Int32Array(rules.phraseCount);
    for (const phrase of candidates) {
      if (phraseHits[phrase.id]! >= cap || at < nextFree[phrase.id]! || !phraseAt(tokens, at, phrase)) continue;
      phraseHits[phrase.id]!++;
      nextFree[phrase.id] = at + phrase.words.length;
      scores[phrase.index]! += weight;
    }
  }
  for (const entry of distinct) {
    const score = weight * Math.min(entry.count, cap);
    for (const index of entry.hits) scores[index]! += score;
  }
}

/** Each topic's score (in taxonomy order) before min_score and ancestors: what assignTopics decides on. */
export function topicScores(compiled: CompiledTaxonomy, headline: string, body: string, entityKeys: Iterable<string>): Float64Array {
  const scores = new Float64Array(compiled.topics.length);
  countHits(body, compiled.body, 1, MAX_HITS_PER_KEYWORD, scores);
  countHits(headline, compiled.headline, HEADLINE_WEIGHT, 1, scores);
  for (const key of new Set(entityKeys)) for (const index of compiled.entities.get(key) ?? []) scores[index]! += ENTITY_WEIGHT;
  return scores;
}

/**
 * The topic codes the taxonomy's rules give an article (headline words weigh
 * three times body words; a listed entity weighs three), each with its
 * ancestors, so an article on armed conflict is also under "conflict, war and peace".
 */
export function assignTopics(compiled: CompiledTaxonomy, headline: string, body: string, entityKeys: Iterable<string>): string[] {
  const scores = topicScores(compiled, headline, body, entityKeys);
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
