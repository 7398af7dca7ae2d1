/**
 * Feature extraction for the perceptron tagger. Shared by training and run
 * time so the two can never drift apart.
 *
 * A document is prepared once (`prepareDoc`): tokens, a "true-cased" form per
 * token (ALL-CAPS and Title-Case lines such as headlines are re-cased from
 * how the same word is written elsewhere in the article, or in the training
 * text), gazetteer matches and document-level casing evidence. Then each
 * token's features are strings, split into two kinds:
 * - intrinsic features that depend only on the token's form (cacheable per form);
 * - contextual features (neighbours, position, line type, gazetteer, document).
 */
import { tokenize, type Token } from "./tokenize.js";

/** Gazetteer classes (bit flags). */
export const GAZ = {
  COUNTRY: 1,
  CITY: 2,
  BIGCITY: 4,
  FIRSTNAME: 8,
  DEMONYM: 16,
  REGION: 32,
} as const;
export const GAZ_NAMES: Array<[number, string]> = Object.entries(GAZ).map(([k, v]) => [v, k]);

/** What the features read besides the text: gazetteers and casing statistics. */
export interface Lexicon {
  /** longest gazetteer entry, in tokens */
  readonly gazMaxLen: number;
  /** GAZ bit mask of a lower-cased, space-joined token sequence (0: none) */
  gazMask(key: string): number;
  /** whether key is a proper prefix (in tokens) of a longer gazetteer entry */
  gazPrefix(key: string): boolean;
  /** dominant written form of a lower-cased word in running text (non-initial positions) */
  casing(lower: string): string | undefined;
  /** share of lower-case occurrences of a word, bucketed (see casingStats) */
  lowerShare(lower: string): number | undefined;
}

/** A Lexicon over plain Maps (training time; run time reads a hashed one from the model). */
export class MapLexicon implements Lexicon {
  private readonly prefixes = new Set<string>();
  constructor(
    readonly gaz: Map<string, number>,
    readonly gazMaxLen: number,
    readonly casingMap: Map<string, string> = new Map(),
    readonly lowerShareMap: Map<string, number> = new Map(),
  ) {
    for (const k of gaz.keys()) {
      let p = k.indexOf(" ");
      while (p > 0) {
        this.prefixes.add(k.slice(0, p));
        p = k.indexOf(" ", p + 1);
      }
    }
  }
  gazMask(key: string): number {
    return this.gaz.get(key) ?? 0;
  }
  gazPrefix(key: string): boolean {
    return this.prefixes.has(key);
  }
  casing(lower: string): string | undefined {
    return this.casingMap.get(lower);
  }
  lowerShare(lower: string): number | undefined {
    return this.lowerShareMap.get(lower);
  }
}

export const enum LineType {
  Normal = 0,
  Caps = 1,
  Title = 2,
}

export interface PreparedDoc {
  text: string;
  tokens: Token[];
  /** cached per-string word information, one per token */
  types: WordType[];
  /** true-cased, apostrophe-normalised form used for features */
  forms: string[];
  lowers: string[];
  lineType: Uint8Array;
  /** gazetteer feature per token, "" when none */
  gaz: string[];
  /** document casing evidence per token: 0 none, 1 only lower, 2 only capitalised, 3 both */
  docCase: Uint8Array;
  /** index of the first token of each line */
  lineStarts: number[];
  /** digit-normalised lower-case word per token (the neighbour-word feature value) */
  keys: string[];
  /** word shape of each token's form (computed on first use) */
  readonly shapes: string[];
}

const FUNCTION_WORDS = new Set(
  "a an the of and or for in on at to by with from vs v as into over after before about under than".split(" "),
);

const NON_ASCII_OR_BACKTICK = /[^\x00-\x5f\x61-\x7f]/;
export const normApos = (s: string): string =>
  !NON_ASCII_OR_BACKTICK.test(s) ? s : s.replace(/[\u2018\u2019\u02bc\u0060\u00b4]/g, "'").replace(/[\u201c\u201d\u201e]/g, '"').replace(/[\u2010\u2011]/g, "-");

const hasLower = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
    if (c >= 128) return s !== s.toUpperCase();
  }
  return false;
};
const hasUpper = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
    if (c >= 128) return s !== s.toLowerCase();
  }
  return false;
};
const isAlpha = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
    if (c >= 128) return /\p{L}/u.test(s);
  }
  return false;
};
const initCap = (s: string): boolean => {
  const c = s.charAt(0);
  return c !== c.toLowerCase();
};

/** Word shape, runs of one class collapsed: "Xx", "X.X.", "Xx-x-Xx", "d", "X". */
export function shape(w: string): string {
  let out = "";
  let last = "";
  for (const ch of w) {
    let c: string;
    if (ch >= "a" && ch <= "z") c = "x";
    else if (ch >= "A" && ch <= "Z") c = "X";
    else if (ch >= "0" && ch <= "9") c = "d";
    else if (ch !== ch.toLowerCase()) c = "X";
    else if (ch !== ch.toUpperCase()) c = "x";
    else if (/\p{L}/u.test(ch)) c = "x";
    else if (/\p{N}/u.test(ch)) c = "d";
    else c = ch;
    if (c !== last) out += c;
    last = c;
  }
  return out;
}

/**
 * Everything prepareDoc derives from one token string, computed once and
 * cached per lexicon (one string hash per token instead of many).
 */
export interface WordType {
  /** apostrophe-normalised text */
  text: string;
  lower: string;
  /** digit-normalised lower-case: the neighbour-word feature value */
  key: string;
  shape: string;
  alpha: boolean;
  hasLower: boolean;
  hasUpper: boolean;
  initCap: boolean;
  /** letters in the word */
  letters: number;
  functionWord: boolean;
  /** gazetteer mask of the single word (0: none) and whether it starts a longer entry */
  gaz1: number;
  gazPrefix: boolean;
  /** id of the lower-case form, shared by the types that lower-case alike (dense, per lexicon) */
  lowerId: number;
  /** run-time slot for the tagger's per-word scores (see tagger.ts): valid when slotOwner matches */
  slot: number;
  slotOwner: object | null;
}

const TYPE_CACHE_MAX = 300_000;
/** Per lexicon: word types by token string, and dense ids of lower-case forms (emptied, never replaced). */
interface TypeCache {
  types: Map<string, WordType>;
  lowerIds: Map<string, number>;
}
const typeCaches = new WeakMap<Lexicon, TypeCache>();
function typeCache(lex: Lexicon): TypeCache {
  let c = typeCaches.get(lex);
  if (!c) typeCaches.set(lex, (c = { types: new Map(), lowerIds: new Map() }));
  return c;
}

function lowerIdOf(lower: string, c: TypeCache): number {
  let id = c.lowerIds.get(lower);
  if (id === undefined) c.lowerIds.set(lower, (id = c.lowerIds.size));
  return id;
}

// per lower-case word id, document-scoped scratch values valid where the stamp is the document's number
let caseStamp = new Int32Array(1024);
let caseVal = new Uint8Array(1024);
let formStamp = new Int32Array(1024);
let docStamp = 0;
function nextDocStamp(ids: number): number {
  if (ids > caseStamp.length) {
    let size = caseStamp.length;
    while (size < ids) size *= 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    caseStamp = grow(caseStamp, (k) => new Int32Array(k));
    caseVal = grow(caseVal, (k) => new Uint8Array(k));
    formStamp = grow(formStamp, (k) => new Int32Array(k));
  }
  if (docStamp === 0x7fffffff) {
    docStamp = 0;
    caseStamp.fill(0);
    formStamp.fill(0);
  }
  return ++docStamp;
}

function makeType(raw: string, lex: Lexicon, c: TypeCache): WordType {
  const text = normApos(raw);
  const lower = text.toLowerCase();
  const alpha = isAlpha(text);
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
    else if (c >= 128 && /\p{L}/u.test(text[i]!)) letters++;
  }
  return {
    text,
    lower,
    key: digitNorm(lower),
    shape: shape(text),
    alpha,
    hasLower: hasLower(text),
    hasUpper: hasUpper(text),
    initCap: initCap(text),
    letters,
    functionWord: FUNCTION_WORDS.has(lower),
    gaz1: alpha ? lex.gazMask(lower) : 0,
    gazPrefix: alpha && lex.gazPrefix(lower),
    lowerId: lowerIdOf(lower, c),
    slot: -1,
    slotOwner: null,
  };
}

/** Forget cached word types (and the tagger scores they hold) for a lexicon. */
export function clearWordTypes(lex: Lexicon): void {
  const c = typeCaches.get(lex);
  if (c) (c.types.clear(), c.lowerIds.clear());
}

function classifyLine(tokens: Token[], types: WordType[], from: number, to: number): LineType {
  let words = 0;
  let lowerWords = 0;
  let capsWords = 0;
  let capInit = 0;
  let lowerNonFunction = 0;
  for (let i = from; i < to; i++) {
    const ty = types[i]!;
    if (!ty.alpha || tokens[i]!.url) continue;
    words++;
    if (ty.hasLower) lowerWords++;
    else if (ty.letters >= 2) capsWords++;
    if (ty.initCap) capInit++;
    else if (!ty.functionWord && ty.text !== "'s") lowerNonFunction++;
  }
  if (words > 0 && lowerWords === 0 && capsWords > 0) return LineType.Caps;
  if (words >= 3 && lowerNonFunction === 0 && capInit >= 3 && capInit >= words - capInit) return LineType.Title;
  return LineType.Normal;
}

const gazFeatureCache = new Map<number, string>();
function gazFeature(mask: number, pos: string): string {
  const k = mask * 4 + (pos === "U" ? 0 : pos === "B" ? 1 : 2);
  let s = gazFeatureCache.get(k);
  if (s === undefined) {
    s = "";
    for (const [bit, name] of GAZ_NAMES) if (mask & bit) s += (s ? "|" : "") + name + pos;
    gazFeatureCache.set(k, s);
  }
  return s;
}

export function prepareDoc(text: string, lex: Lexicon): PreparedDoc {
  // bounded caches, trimmed between documents (a document's word types must share one lower-case id space)
  const c = typeCache(lex);
  if (c.types.size >= TYPE_CACHE_MAX) clearWordTypes(lex);
  const cache = c.types;
  const tokens = tokenize(text);
  const n = tokens.length;
  const types = new Array<WordType>(n);
  for (let i = 0; i < n; i++) {
    const raw = tokens[i]!.text;
    let t = cache.get(raw);
    if (t === undefined) cache.set(raw, (t = makeType(raw, lex, c)));
    types[i] = t;
  }
  const lineType = new Uint8Array(n);
  const lineStarts: number[] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && tokens[e]!.line === tokens[s]!.line) e++;
    const lt = classifyLine(tokens, types, s, e);
    if (lt !== LineType.Normal) lineType.fill(lt, s, e);
    lineStarts.push(s);
    s = e;
  }
  const gen = nextDocStamp(c.lowerIds.size);
  const recase = caseEvidence(tokens, types, lineType, gen);
  const docForms = recase ? headlineWordForms(tokens, types, lineType, gen) : undefined;
  const forms = new Array<string>(n);
  const lowers = new Array<string>(n);
  const keys = new Array<string>(n);
  const docCase = new Uint8Array(n);
  const recased: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const ty = types[i]!;
    let f = ty.text;
    if (ty.alpha) {
      docCase[i] = caseStamp[ty.lowerId] === gen ? caseVal[ty.lowerId]! : 0;
      if (lineType[i] !== LineType.Normal) {
        const best = recaseWord(tokens[i]!, ty, lineType[i]!, docForms, lex);
        if (best !== f) ((f = best), (recased[i] = true));
      }
    }
    forms[i] = f;
    lowers[i] = ty.lower;
    keys[i] = ty.key;
  }
  const gaz = gazetteerMatches(tokens, types, forms, lowers, recased, lex);
  let shapes: string[] | undefined;
  return {
    text, tokens, types, forms, lowers, lineType, gaz, docCase, lineStarts, keys,
    // only training and the reference scorer read shapes as strings
    get shapes(): string[] {
      return (shapes ??= forms.map((f, i) => (recased[i] ? shape(f) : types[i]!.shape)));
    },
  };
}

/**
 * Document casing evidence from normal lines, non-initial positions (1 lower-case
 * seen, 2 capitalised seen), kept per lower-case word id in scratch arrays stamped
 * with the document's number (no per-document Map). Returns whether some
 * ALL-CAPS / Title-Case line has words to re-case.
 */
function caseEvidence(tokens: Token[], types: WordType[], lineType: Uint8Array, gen: number): boolean {
  let recase = false;
  for (let i = 0; i < tokens.length; i++) {
    const ty = types[i]!;
    if (lineType[i] !== LineType.Normal) {
      recase ||= ty.alpha;
      continue;
    }
    if (tokens[i]!.sentStart || !ty.alpha) continue;
    const id = ty.lowerId;
    if (caseStamp[id] !== gen) ((caseStamp[id] = gen), (caseVal[id] = 0));
    caseVal[id]! |= ty.hasUpper ? 2 : 1;
  }
  return recase;
}

/** For re-casing ALL-CAPS / Title-Case lines: how each of their words is written elsewhere (by lower-case id). */
function headlineWordForms(tokens: Token[], types: WordType[], lineType: Uint8Array, gen: number): Map<number, Map<string, number>> {
  const n = tokens.length;
  const docForms = new Map<number, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    if (lineType[i] === LineType.Normal || !types[i]!.alpha) continue;
    const id = types[i]!.lowerId;
    if (formStamp[id] !== gen) ((formStamp[id] = gen), docForms.set(id, new Map()));
  }
  for (let i = 0; i < n; i++) {
    const ty = types[i]!;
    if (lineType[i] !== LineType.Normal || tokens[i]!.sentStart || !ty.alpha || formStamp[ty.lowerId] !== gen) continue;
    const m = docForms.get(ty.lowerId)!;
    m.set(ty.text, (m.get(ty.text) ?? 0) + 1);
  }
  return docForms;
}

/** The form of a word on an ALL-CAPS / Title-Case line, re-cased from the document or the training text. */
function recaseWord(tok: Token, ty: WordType, lt: number, docForms: Map<number, Map<string, number>> | undefined, lex: Lexicon): string {
  const f = ty.text;
  let best: string | undefined;
  const dm = docForms?.get(ty.lowerId);
  if (dm) {
    let bc = 0;
    for (const [k, c] of dm) if (c > bc) ((bc = c), (best = k));
  }
  if (best === undefined) best = lex.casing(ty.lower);
  if (best === undefined) {
    if (lt === LineType.Caps && !tok.url) {
      // unknown all-caps word: short ones may be acronyms, keep; else title-case
      best = ty.letters <= 3 ? f : titleCase(f);
    } else best = f;
  }
  return best;
}

/** Gazetteer feature per token: longest match from each capitalised token ("" none). */
function gazetteerMatches(tokens: Token[], types: WordType[], forms: string[], lowers: string[], recased: boolean[], lex: Lexicon): string[] {
  const n = tokens.length;
  const gaz = new Array<string>(n).fill("");
  for (let i = 0; i < n; i++) {
    const ty = types[i]!;
    if (!ty.alpha || (ty.gaz1 === 0 && !ty.gazPrefix)) continue;
    if (recased[i] ? !initCap(forms[i]!) : !ty.initCap) continue;
    let bestLen = ty.gaz1 ? 1 : 0;
    let bestMask = ty.gaz1;
    if (ty.gazPrefix) {
      let key = l0(lowers, i);
      for (let k = 1; k < lex.gazMaxLen && i + k < n; k++) {
        if (tokens[i + k]!.line !== tokens[i]!.line) break;
        key = key + " " + lowers[i + k]!;
        const m = lex.gazMask(key);
        if (m !== 0) ((bestLen = k + 1), (bestMask = m));
        if (!lex.gazPrefix(key)) break;
      }
    }
    if (bestLen === 0) continue;
    for (let k = 0; k < bestLen; k++) {
      if (!gaz[i + k]) gaz[i + k] = gazFeature(bestMask, bestLen === 1 ? "U" : k === 0 ? "B" : "I");
    }
    i += bestLen - 1;
  }
  return gaz;
}

const l0 = (lowers: string[], i: number): string => lowers[i]!;

export const titleCase = (w: string): string =>
  w.toLowerCase().replace(/(^|[-'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase());

export const hasDigit = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
};
export const digitNorm = (s: string): string => (hasDigit(s) ? s.replace(/\d/g, "0") : s);

/** Features that depend on the form alone. */
export function intrinsicFeatures(f: string, lex: Lexicon, out: string[]): void {
  const l = f.toLowerCase();
  const dn = digitNorm(f);
  const dl = digitNorm(l);
  const sh = shape(f);
  out.push("b", "w=" + dn, "l=" + dl, "sh=" + sh);
  const len = f.length;
  for (let k = 1; k <= 4 && k < len; k++) {
    out.push("p" + k + "=" + dl.slice(0, k), "s" + k + "=" + dl.slice(len - k));
  }
  intrinsicTail(f, l, sh, lex, out);
}

/** Capitalisation class: 0 lower-case start, 1 Capitalised, 2 ALL CAPS (no lower-case letter). */
export function capClass(f: string): number {
  return initCap(f) ? (hasLower(f) ? 1 : 2) : 0;
}

/** The small-valued intrinsic features (run time builds these as strings; the rest it hashes). */
export function intrinsicTail(f: string, l: string, sh: string, lex: Lexicon, out: string[]): void {
  // first: run time computes this one itself (see LinearTagger.entry)
  const ls = lex.lowerShare(l);
  out.push("ls=" + (ls ?? "u") + "lCA"[capClass(f)]);
  if (f.length === 1) out.push("len1" + sh);
  if (f.includes("-")) {
    const parts = f.split("-");
    out.push("hy1=" + parts[0]!.toLowerCase(), "hyN=" + parts[parts.length - 1]!.toLowerCase());
  }
}

const DC = ["n", "lo", "up", "lu"];
const LT = ["N", "C", "T"];
export const DOC_CASE_SYMS: readonly string[] = DC;
export const LINE_TYPE_SYMS: readonly string[] = LT;

/** The neighbour-word roles a token's lower-cased word plays for tokens around it. */
export const ROLES = ["w-2=", "w-1=", "w+1=", "w+2="] as const;
/** For role r, the neighbour sits at offset ROLE_OFFSETS[r] from the token being scored. */
export const ROLE_OFFSETS = [-2, -1, 1, 2] as const;
export const BOUNDARY = "<>";

/** Features from context: neighbours, line, sentence position, gazetteer, document. */
export function contextFeatures(d: PreparedDoc, i: number, out: string[]): void {
  for (let r = 0; r < 4; r++) {
    const j = neighbour(d, i, ROLE_OFFSETS[r]!);
    out.push(ROLES[r] + (j < 0 ? BOUNDARY : d.keys[j]!));
  }
  contextRest(d, i, out);
}

/** Index of the token at offset k from i on the same line, or -1. */
export function neighbour(d: PreparedDoc, i: number, k: number): number {
  const j = i + k;
  return j >= 0 && j < d.tokens.length && d.tokens[j]!.line === d.tokens[i]!.line ? j : -1;
}

/**
 * The remaining context templates, written once over abstract part values so
 * that training (strings) and run time (interned integer ids) share one
 * definition. A feature is a template id plus 1-3 parts.
 */
export const REST_TEMPLATES = ["w-1w", "ww+1", "sh-1", "sh+1", "sh3", "lt", "ltw", "hl", "ss", "ssw", "dc", "g", "g-1", "g+1"] as const;

export interface PartSource<V> {
  key(j: number): V;
  shape(j: number): V;
  sym(s: string): V;
}

export function contextRestParts<V>(d: PreparedDoc, i: number, src: PartSource<V>, emit: (t: number, a: V, b?: V, c?: V) => void): void {
  const t = d.tokens[i]!;
  const p1 = neighbour(d, i, -1);
  const n1 = neighbour(d, i, 1);
  const k0 = src.key(i);
  const s0 = src.shape(i);
  const B = src.sym(BOUNDARY);
  const kp = p1 < 0 ? B : src.key(p1);
  const kn = n1 < 0 ? B : src.key(n1);
  const sp = p1 < 0 ? B : src.shape(p1);
  const sn = n1 < 0 ? B : src.shape(n1);
  emit(0, kp, k0);
  emit(1, k0, kn);
  emit(2, sp, s0);
  emit(3, s0, sn);
  emit(4, sp, s0, sn);
  const lt = src.sym(LT[d.lineType[i]!]!);
  emit(5, lt, s0);
  if (d.lineType[i] !== LineType.Normal) emit(6, lt, k0);
  if (t.line === 0) emit(7, s0);
  if (t.sentStart) {
    emit(8, s0);
    emit(9, k0);
  }
  emit(10, src.sym(DC[d.docCase[i]!]! + (t.sentStart ? "S" : "")), s0);
  const g = d.gaz[i]!;
  if (g) for (const x of g.split("|")) emit(11, src.sym(x));
  if (p1 >= 0 && d.gaz[p1]) emit(12, src.sym(d.gaz[p1]!));
  if (n1 >= 0 && d.gaz[n1]) emit(13, src.sym(d.gaz[n1]!));
}

/** String form of the remaining context features: "template part part ...". */
export function contextRest(d: PreparedDoc, i: number, out: string[]): void {
  const src: PartSource<string> = { key: (j) => d.keys[j]!, shape: (j) => d.shapes[j]!, sym: (s) => s };
  contextRestParts(d, i, src, (t, a, b, c) => {
    out.push(REST_TEMPLATES[t] + " " + a + (b === undefined ? "" : " " + b) + (c === undefined ? "" : " " + c));
  });
}
