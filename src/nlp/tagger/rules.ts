/**
 * Span rules applied after decoding and document consistency. They fix
 * patterns a CoNLL-trained model gets wrong in general news text, without
 * any built-in names:
 * - acronym definitions: "Tehreek-e-Taliban Pakistan (TTP)" -> one span whose
 *   initials spell the acronym, typed like the acronym;
 * - "Operation Zarb-e-Azb": a capitalised "Operation" starts a MISC (event) name;
 * - "<Name> network": the militant / business network is an organisation;
 * - "ISIS-K": a name plus a short capital suffix is typed like the name;
 * - adjectives in front of a MISC name ("Afghan Taliban", "Kandahar-based
 *   Taliban") are dropped from the span;
 * - a one-word MISC name used as a noun with "the" ("the Taliban are") that is
 *   not an adjective or event is an organisation.
 */
import { GAZ, type Lexicon, type PreparedDoc } from "./features.js";
import { TYPES, type ConllType } from "./model.js";
import type { RawSpan } from "./tagger.js";

const CONNECTORS = new Set(["of", "and", "for", "the", "de", "del", "della", "des", "du", "e", "i", "al", "el", "on", "in", "&", "-"]);
const ACRONYM = /^[A-Z][A-Z0-9&-]{1,9}$/;
const ADJ_SUFFIX = /-(?:based|led|born|backed|wide|owned|run|made|style|era|type|controlled|linked|bound|speaking|ruled|held|sponsored|dominated|affiliated|allied|aligned)$/;
export const EVENT_WORDS =
  /\b(?:war|wars|operation|games|olympics?|cup|championships?|open|summit|conference|festival|elections?|crisis|revolution|battle|uprising|tournament|grand prix|tour|massacre|offensive|intifada|rally|marathon|talks|accords?)\b/i;

/** Grammar words that start sentences but never names ("While Sadiq did not ..."). */
const SENTENCE_STARTERS = new Set(
  ("while when whenever after before although though since as if but and yet so because unless until meanwhile however also then " +
    "where once whether despite during following according unlike thus still even only nor or whereas besides including without " +
    "with from at by to over through against between among amid within upon speaking asked says said").split(" "),
);

export interface RuleContext {
  lex: Lexicon;
  /** lower-cased words the training data uses as adjectival MISC ("german", "moslem") */
  adjectives: ReadonlySet<string>;
}

const isCap = (s: string): boolean => /^\p{Lu}/u.test(s);

/**
 * Is this one word an adjective of nationality or religion, or an adjectival
 * compound ("Kandahar-based", "EU-wide", "US-Taliban")? `strict` leaves out
 * the suffix guess ("-ian", "-ese", "-ish"), which would also hit given names.
 */
export function isAdjectivalWord(word: string, ctx: RuleContext, strict = false): boolean {
  const l = word.toLowerCase().replace(/[’‘]/g, "'");
  if (ctx.lex.gazMask(l) & GAZ.DEMONYM) return true;
  if (ctx.adjectives.has(l)) return true;
  if (ADJ_SUFFIX.test(l)) return true;
  if (strict) return false;
  // one-word hyphenated MISC names are nearly always adjectival compounds
  if (l.includes("-")) return true;
  return /^\p{Lu}/u.test(word) && /(?:ians?|ese|ish)$/.test(l) && !/(?:parish)$/.test(l);
}

/** Index of each CoNLL type in per-surface vote counts. */
const TYPE_IX: Readonly<Record<ConllType, number>> = { PER: 0, ORG: 1, LOC: 2, MISC: 3 };

function heapPush(h: number[], x: number): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (h[up]! <= x) break;
    h[i] = h[up]!;
    i = up;
  }
  h[i] = x;
}
function heapPop(h: number[]): void {
  const last = h.pop()!;
  const n = h.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h[c + 1]! < h[c]!) c++;
    if (h[c]! >= last) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
}

/** Votes of the live spans with one surface: count per type, and (min-heaps, lazily cleaned) their positions. */
interface SurfaceVotes {
  n: [number, number, number, number];
  pos: [number[], number[], number[], number[]];
}

/**
 * The rules' working set of spans, in the order the rules add them (which
 * decides ties between types), without any whole-list scan: spans are
 * numbered by position (removed ones leave a hole), every token knows the live
 * span covering it (spans never overlap), and, once a rule asks for the type
 * of a surface, each surface keeps its type votes and the positions of its
 * spans per type (the earliest position breaks a tie, as a scan in order did).
 */
class SpanSet {
  readonly at: Array<RawSpan | null> = [];
  /** per token: position + 1 of the live span covering it, 0 none */
  private readonly owner: Int32Array;
  private votes: Map<string, SurfaceVotes> | undefined;
  private readonly votesAt: Array<SurfaceVotes | undefined> = [];
  constructor(
    private readonly d: PreparedDoc,
    spans: readonly RawSpan[],
  ) {
    this.owner = new Int32Array(d.tokens.length);
    for (const s of spans) this.add(s);
  }
  surface(s: RawSpan): string {
    const t = this.d.tokens;
    return this.d.text.slice(t[s.t0]!.start, t[s.t1 - 1]!.end);
  }
  add(s: RawSpan): void {
    const p = this.at.length;
    this.at.push(s);
    this.owner.fill(p + 1, s.t0, s.t1);
    if (this.votes) this.index(p, s);
  }
  /** Position of a live span. */
  posOf(s: RawSpan): number {
    const p = this.owner[s.t0]! - 1;
    if (p < 0 || this.at[p] !== s) throw new Error("gazette: NER rules lost track of a span");
    return p;
  }
  remove(p: number): void {
    const s = this.at[p]!;
    this.at[p] = null;
    for (let k = s.t0; k < s.t1; k++) if (this.owner[k] === p + 1) this.owner[k] = 0;
    const v = this.votesAt[p];
    if (v) v.n[TYPE_IX[s.type]]! -= 1;
  }
  setType(p: number, type: ConllType): void {
    const s = this.at[p]!;
    if (s.type === type) return;
    const v = this.votesAt[p];
    if (v) {
      v.n[TYPE_IX[s.type]]! -= 1;
      v.n[TYPE_IX[type]]! += 1;
      heapPush(v.pos[TYPE_IX[type]]!, p);
    }
    s.type = type;
  }
  /** Live spans in order. */
  live(): RawSpan[] {
    const out: RawSpan[] = [];
    for (const s of this.at) if (s) out.push(s);
    return out;
  }
  /** Positions of the live spans overlapping tokens [t0, t1), in order. */
  overlapping(t0: number, t1: number): number[] {
    const ps: number[] = [];
    let last = 0;
    for (let k = t0; k < t1; k++) {
      const o = this.owner[k]!;
      if (o !== 0 && o !== last) ps.push(o - 1);
      last = o;
    }
    return ps.length > 1 ? ps.sort((a, b) => a - b) : ps;
  }
  /** The live span starting at token t, if any. */
  startingAt(t: number): RawSpan | undefined {
    const o = this.owner[t];
    const s = o ? this.at[o - 1] : undefined;
    return s && s.t0 === t ? s : undefined;
  }
  /** Remove every live span overlapping s, then add s. */
  replace(s: RawSpan): void {
    for (const p of this.overlapping(s.t0, s.t1)) this.remove(p);
    this.add(s);
  }
  private index(p: number, s: RawSpan): void {
    const key = this.surface(s);
    let v = this.votes!.get(key);
    if (!v) this.votes!.set(key, (v = { n: [0, 0, 0, 0], pos: [[], [], [], []] }));
    this.votesAt[p] = v;
    const t = TYPE_IX[s.type];
    v.n[t]! += 1;
    heapPush(v.pos[t]!, p);
  }
  private votesOf(surf: string): SurfaceVotes | undefined {
    if (!this.votes) {
      this.votes = new Map();
      this.at.forEach((s, p) => s && this.index(p, s));
    }
    return this.votes.get(surf);
  }
  /** Is some live span written exactly so? */
  hasSurface(surf: string): boolean {
    const v = this.votesOf(surf);
    return v !== undefined && v.n[0] + v.n[1] + v.n[2] + v.n[3] > 0;
  }
  /** The majority type of the live spans written exactly so (a tie goes to the type met first in order). */
  typeOfSurface(surf: string): ConllType | undefined {
    const v = this.votesOf(surf);
    if (!v) return undefined;
    const max = Math.max(v.n[0], v.n[1], v.n[2], v.n[3]);
    if (max <= 0) return undefined;
    let best = -1;
    let bestPos = Infinity;
    for (let t = 0; t < 4; t++) {
      if (v.n[t] !== max) continue;
      const h = v.pos[t]!;
      // drop positions of spans removed or retyped since they were noted
      while (h.length && (this.at[h[0]!] === null || TYPE_IX[this.at[h[0]!]!.type] !== t)) heapPop(h);
      if (h[0]! < bestPos) ((bestPos = h[0]!), (best = t));
    }
    return TYPES[best];
  }
}

const textOf = (d: PreparedDoc, t0: number, t1: number): string => d.text.slice(d.tokens[t0]!.start, d.tokens[t1 - 1]!.end);
const mk = (d: PreparedDoc, t0: number, t1: number, type: ConllType): RawSpan => ({
  t0,
  t1,
  start: d.tokens[t0]!.start,
  end: d.tokens[t1 - 1]!.end,
  type,
});

/*
 * Each rule is a small function of its own, and the rare work (a rule that
 * fires) a separate one again: the optimising compiler then compiles small
 * units once, instead of recompiling one large function whenever a rarely
 * taken branch first runs.
 */

/** A sentence-initial everyday word is no part of a name: "While Sadiq", "Speaking Monday". */
function trimSentenceStarters(d: PreparedDoc, set: SpanSet, ctx: RuleContext): void {
  const { tokens } = d;
  for (const s of set.live()) {
    if (!tokens[s.t0]!.sentStart || s.t1 - s.t0 < 2) continue;
    let t0 = s.t0;
    while (t0 < s.t1 - 1 && tokens[t0]!.sentStart && SENTENCE_STARTERS.has(d.lowers[t0]!)) t0++;
    // "Later Vandermeer": an everyday word before a name the article tags on its own
    if (t0 === s.t0 && d.lowers[t0] !== "the") {
      const ls = ctx.lex.lowerShare(d.lowers[t0]!);
      // (s itself is longer than the rest, so it never matches)
      if (ls !== undefined && ls >= 3 && ls <= 5 && set.hasSurface(textOf(d, t0 + 1, s.t1))) t0++;
    }
    if (t0 !== s.t0) {
      set.remove(set.posOf(s));
      set.add(mk(d, t0, s.t1, s.type));
    }
  }
}

/** Adjectives in front of a MISC name: "Afghan Taliban" -> "Taliban". */
function trimMiscAdjectives(d: PreparedDoc, set: SpanSet, ctx: RuleContext): void {
  const { tokens } = d;
  // only before a proper name: "Asian Cup" keeps its adjective ("cup" is an everyday word)
  const properNext = (k: number): boolean => {
    const ls = ctx.lex.lowerShare(d.lowers[k]!);
    return isCap(d.forms[k]!) && (ls === undefined || ls <= 1 || ls === 6) && !EVENT_WORDS.test(d.lowers[k]!);
  };
  for (const s of set.live()) {
    if (s.type !== "MISC" || s.t1 - s.t0 < 2) continue;
    let t0 = s.t0;
    while (t0 < s.t1 - 1 && isAdjectivalWord(tokens[t0]!.text, ctx, true) && properNext(t0 + 1)) t0++;
    if (t0 === s.t0) continue;
    set.remove(set.posOf(s));
    set.add(mk(d, t0, s.t1, "MISC"));
  }
}

/** Acronym definitions: Words (ACRO). */
function acronymDefinitions(d: PreparedDoc, set: SpanSet): void {
  const { tokens } = d;
  const n = tokens.length;
  for (let j = 1; j + 2 < n; j++) {
    if (tokens[j]!.text === "(" && tokens[j + 2]!.text === ")") acronymAt(d, set, j);
  }
}

function acronymAt(d: PreparedDoc, set: SpanSet, j: number): void {
  const { tokens } = d;
  const acro = tokens[j + 1]!.text;
  if (!ACRONYM.test(acro) || tokens[j + 1]!.line !== tokens[j]!.line) return;
  const letters = acro.replace(/[^A-Z]/g, "");
  if (letters.length < 2) return;
  let best = -1;
  let initials = "";
  for (let s = j - 1; s >= 0 && j - s <= 12 && tokens[s]!.line === tokens[j]!.line; s--) {
    const w = tokens[s]!.text;
    if (!/\p{L}/u.test(w) && w !== "&" && w !== "-") break;
    if (!isCap(w) && !CONNECTORS.has(w.toLowerCase())) break;
    let ini = "";
    for (const part of w.split(/[-‐]/)) if (isCap(part)) ini += part[0]!.toUpperCase();
    initials = ini + initials;
    if (isCap(w) && initials === letters) best = s;
    if (initials.length > letters.length) break;
  }
  if (best < 0) return;
  const inside = set.overlapping(best, j);
  // the model already has a span ending here that covers the definition: keep it
  const wholePos = inside.find((p) => set.at[p]!.t1 === j && set.at[p]!.t0 <= best);
  const whole = wholePos === undefined ? undefined : set.at[wholePos]!;
  let type = set.typeOfSurface(acro);
  if (!type || type === "MISC") {
    let inner: ConllType | undefined;
    const byLen = new Map<ConllType, number>();
    for (const p of inside) {
      const o = set.at[p]!;
      byLen.set(o.type, (byLen.get(o.type) ?? 0) + (o.t1 - o.t0));
    }
    let bc = 0;
    for (const [t, c] of byLen) if (c > bc) ((bc = c), (inner = t));
    type = whole?.type ?? (inner === "LOC" ? "LOC" : type === "MISC" && inner === "MISC" ? "MISC" : "ORG");
  }
  if (wholePos !== undefined) set.setType(wholePos, type);
  else set.replace(mk(d, best, j, type));
  if (!set.startingAt(j + 1)) set.replace(mk(d, j + 1, j + 2, type));
}

/** "Operation Name": a MISC (event) name. */
function operations(d: PreparedDoc, set: SpanSet): void {
  const { tokens } = d;
  const n = tokens.length;
  for (let i = 0; i + 1 < n; i++) {
    if (tokens[i]!.text === "Operation") operationAt(d, set, i);
  }
}

function operationAt(d: PreparedDoc, set: SpanSet, i: number): void {
  const { tokens } = d;
  const n = tokens.length;
  if (!isCap(d.forms[i + 1]!) || tokens[i + 1]!.line !== tokens[i]!.line) return;
  let j = i + 1;
  while (j < n && tokens[j]!.line === tokens[i]!.line && isCap(d.forms[j]!) && /\p{L}/u.test(tokens[j]!.text)) j++;
  let end = j;
  for (const p of set.overlapping(i, j)) end = Math.max(end, set.at[p]!.t1);
  set.replace(mk(d, i, end, "MISC"));
}

/** "<Name> network" is an organisation (every span as the rule started, even one replaced meanwhile). */
function networks(d: PreparedDoc, set: SpanSet): void {
  const { tokens } = d;
  const n = tokens.length;
  for (const s of set.live()) {
    const nx = s.t1;
    if (nx < n && tokens[nx]!.text === "network" && tokens[nx]!.line === tokens[s.t0]!.line) set.replace(mk(d, s.t0, nx + 1, "ORG"));
  }
}

/** A one-word MISC in capitals ("ISIS") is an organisation's acronym. */
function capitalMiscIsOrg(d: PreparedDoc, set: SpanSet): void {
  const at = set.at;
  for (let p = 0; p < at.length; p++) {
    const s = at[p];
    if (s && s.type === "MISC" && s.t1 - s.t0 === 1 && /^[A-Z]{2,6}$/.test(d.forms[s.t0]!)) set.setType(p, "ORG");
  }
}

const SUFFIXED = /^(.+)[-‐]([A-Z0-9]{1,2})$/;
/** "ISIS-K": a known name with a short capital suffix takes the name's type. */
function suffixedNames(d: PreparedDoc, set: SpanSet): void {
  const at = set.at;
  for (let p = 0; p < at.length; p++) {
    const s = at[p];
    if (!s || s.t1 - s.t0 !== 1) continue;
    const m = SUFFIXED.exec(d.tokens[s.t0]!.text);
    if (!m) continue;
    const t = set.typeOfSurface(m[1]!);
    if (t) set.setType(p, t);
  }
}

const NOUN_NEXT_PUNCT = /^[.,;:)"'’”]$/;
const NOUN_NEXT_WORD =
  /^(?:are|is|was|were|have|has|had|and|or|for|on|in|of|to|who|which|that|would|will|could|may|might|can|did|do|does|also|said|say|says|control|remain|remains|government|leadership)$/;
/** One-word MISC nouns used with "the" ("the Taliban are") are organisations. */
function miscNounsAreOrgs(d: PreparedDoc, set: SpanSet, ctx: RuleContext): void {
  const { tokens } = d;
  const n = tokens.length;
  const at = set.at;
  let nounUse: Set<string> | undefined;
  for (const s of at) {
    if (!s || s.type !== "MISC" || s.t1 - s.t0 !== 1 || s.t0 === 0) continue;
    const w = tokens[s.t0]!.text;
    if (tokens[s.t0 - 1]!.text !== "the" || isAdjectivalWord(w, ctx) || EVENT_WORDS.test(w)) continue;
    const nx = s.t1 < n && tokens[s.t1]!.line === tokens[s.t0]!.line ? tokens[s.t1]!.text : ".";
    // followed by punctuation, a verb-like or function word rather than a noun it modifies
    if (NOUN_NEXT_PUNCT.test(nx) || NOUN_NEXT_WORD.test(nx)) (nounUse ??= new Set()).add(w);
  }
  if (!nounUse) return;
  for (let p = 0; p < at.length; p++) {
    const s = at[p];
    if (s && s.type === "MISC" && s.t1 - s.t0 === 1 && nounUse.has(tokens[s.t0]!.text)) set.setType(p, "ORG");
  }
}

export function applyRules(d: PreparedDoc, spans: RawSpan[], ctx: RuleContext): RawSpan[] {
  const set = new SpanSet(d, spans);
  trimSentenceStarters(d, set, ctx);
  trimMiscAdjectives(d, set, ctx);
  acronymDefinitions(d, set);
  operations(d, set);
  networks(d, set);
  capitalMiscIsOrg(d, set);
  suffixedNames(d, set);
  miscNounsAreOrgs(d, set, ctx);
  suffixedNames(d, set);
  const out = set.live();
  out.sort((a, b) => a.start - b.start);
  return out;
}
