/**
 * Run-time tagging: prepare the document, score tokens with the linear model
 * (intrinsic feature scores cached per word form), Viterbi-decode each line,
 * then clean the spans and make them consistent across the document.
 */
import { BOUNDARY, DOC_CASE_SYMS, LINE_TYPE_SYMS, ROLES, REST_TEMPLATES, contextFeatures, digitNorm, hasDigit, intrinsicFeatures, intrinsicTail, prepareDoc, shape, type PreparedDoc } from "./features.js";
import { NT, TYPES, ABSENT, lookupFeature, vocabId, type ConllType, type Model, isInside, typeOf } from "./model.js";
import { Hasher, stateOf } from "./hashing.js";
import { viterbi } from "./viterbi.js";

export interface RawSpan {
  start: number;
  end: number;
  /** first and last+1 token index */
  t0: number;
  t1: number;
  type: ConllType;
}

const CACHE_MAX = 200_000;
const K = NT; // local copy: hot loops below
if (K !== 9) throw new Error("gazette: the tagger's unrolled loops assume 9 BIO tags");
const NROLES = ROLES.length;
// hash states after each intrinsic template's prefix (see intrinsicFeatures)
const S_W = stateOf("w=");
const S_L = stateOf("l=");
const S_SH = stateOf("sh=");
const S_P = [0, 1, 2, 3, 4].map((k) => stateOf("p" + k + "="));
const S_S = [0, 1, 2, 3, 4].map((k) => stateOf("s" + k + "="));
const S_ROLE = ROLES.map((r) => stateOf(r));

/** v[o..o+9) += u[p..p+9) (9 = number of tags, unrolled) */
function addVec(v: Float64Array, o: number, u: Float64Array, p: number): void {
  v[o]! += u[p]!;
  v[o + 1]! += u[p + 1]!;
  v[o + 2]! += u[p + 2]!;
  v[o + 3]! += u[p + 3]!;
  v[o + 4]! += u[p + 4]!;
  v[o + 5]! += u[p + 5]!;
  v[o + 6]! += u[p + 6]!;
  v[o + 7]! += u[p + 7]!;
  v[o + 8]! += u[p + 8]!;
}
/** v[o..o+9) += weight row u[p..p+9) (float32 weights: a separate function keeps both monomorphic) */
function addW(v: Float64Array, o: number, u: Float32Array, p: number): void {
  v[o]! += u[p]!;
  v[o + 1]! += u[p + 1]!;
  v[o + 2]! += u[p + 2]!;
  v[o + 3]! += u[p + 3]!;
  v[o + 4]! += u[p + 4]!;
  v[o + 5]! += u[p + 5]!;
  v[o + 6]! += u[p + 6]!;
  v[o + 7]! += u[p + 7]!;
  v[o + 8]! += u[p + 8]!;
}
function setVec(v: Float64Array, o: number, u: Float64Array, p: number): void {
  for (let t = 0; t < 9; t++) v[o + t] = u[p + t]!;
}

/** Cached per-word scores: intrinsic features, and the word's features as each neighbour role. */
interface WordEntry {
  self: Float64Array;
  /** NROLES x K: score contribution of this word when it is the neighbour at ROLE_OFFSETS[r] */
  roles: Float64Array;
  /** interned ids of the word's key and shape for the context templates (-1: not in the model) */
  keyId: number;
  shapeId: number;
}

export class LinearTagger {
  private cache = new Map<string, WordEntry>();
  private feats: string[] = [];
  private readonly h = new Hasher();
  private readonly biasRow: number;
  private readonly boundary: Float64Array;
  private readonly bId: number;
  private readonly ltIds: number[];
  private readonly dcIds: number[];
  constructor(readonly model: Model) {
    this.biasRow = lookupFeature(model, "b");
    this.boundary = this.roleScores(BOUNDARY);
    const v = (s: string): number => vocabId(model, s);
    this.bId = v(BOUNDARY);
    this.ltIds = LINE_TYPE_SYMS.map(v);
    this.dcIds = DOC_CASE_SYMS.flatMap((x) => [v(x), v(x + "S")]);
  }

  private roleScores(key: string): Float64Array {
    const v = new Float64Array(NROLES * K);
    const h = this.h;
    for (let r = 0; r < NROLES; r++) {
      h.from(S_ROLE[r]!).str(key);
      this.addHashed(v, r * K);
    }
    return v;
  }

  /**
   * Scores of the intrinsic features of a form (same features as
   * intrinsicFeatures() in features.ts, hashed incrementally, no strings built).
   */
  private entry(form: string, key: string, shapeOf?: string): WordEntry {
    let e = this.cache.get(form);
    if (e) return e;
    const v = new Float64Array(K);
    const h = this.h;
    const lower = form.toLowerCase();
    // dl = digitNorm(lower): the key, unless the form lower-cases differently
    const dl = lower === key || !hasDigit(lower) ? (lower === key ? key : lower) : digitNorm(lower);
    const sh = shapeOf ?? shape(form);
    if (this.biasRow >= 0) addW(v, 0, this.model.w, this.biasRow * K);
    h.from(S_W).strDigits(form);
    this.addHashed(v, 0);
    h.from(S_L).str(dl);
    this.addHashed(v, 0);
    h.from(S_SH).str(sh);
    this.addHashed(v, 0);
    const len = form.length;
    for (let k = 1; k <= 4 && k < len; k++) {
      h.from(S_P[k]!).str(dl, 0, Math.min(k, dl.length));
      this.addHashed(v, 0);
      h.from(S_S[k]!).str(dl, Math.min(len - k, dl.length), dl.length);
      this.addHashed(v, 0);
    }
    // the rare / small-valued ones as strings
    const f = this.feats;
    f.length = 0;
    intrinsicTail(form, lower, sh, this.model.lex, f);
    for (const x of f) {
      h.reset().str(x);
      this.addHashed(v, 0);
    }
    e = { self: v, roles: this.roleScores(key), keyId: this.model.vocab.getString(key, h), shapeId: this.model.vocab.getString(sh, h) };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(form, e);
    return e;
  }

  private readonly syms = new Map<string, number>();
  /** Interned id of a (few-valued) symbol part such as a gazetteer feature. */
  private symId(s: string): number {
    let id = this.syms.get(s);
    if (id === undefined) this.syms.set(s, (id = vocabId(this.model, s)));
    return id;
  }

  /** Add the weight row of the feature hashed in this.h, if the model has it. */
  private addHashed(v: Float64Array, off: number): void {
    const r = this.model.index.get(this.h.a, this.h.b);
    if (r >= 0) addW(v, off, this.model.w, r * K);
  }

  /**
   * Emission scores (tokens x K) for a prepared document. Same features as
   * training's intrinsicFeatures + contextFeatures (tests pin the equality),
   * computed from cached per-word scores and interned ids instead of strings.
   */
  emissions(d: PreparedDoc): Float64Array {
    const n = d.tokens.length;
    const e = new Float64Array(n * K);
    const ents = new Array<WordEntry>(n);
    const lineOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const ty = d.types[i]!;
      const form = d.forms[i]!;
      if (form === ty.text) {
        // the usual case: the scores live on the cached word type
        let en = ty.slot as WordEntry | undefined;
        if (!en) ty.slot = en = this.entry(form, ty.key, ty.shape);
        ents[i] = en;
      } else ents[i] = this.entry(form, ty.key);
      lineOf[i] = d.tokens[i]!.line;
    }
    const { w, rest } = this.model;
    const B = this.bId;
    const bound = this.boundary;
    const add = (t: number, a: number, b: number, c: number, off: number): void => {
      if (a < 0 || b === -1 || c === -1) return;
      const r = rest.get(t, a, b, c);
      if (r >= 0) addW(e, off, w, r * K);
    };
    for (let i = 0; i < n; i++) {
      const en = ents[i]!;
      const off = i * K;
      setVec(e, off, en.self, 0);
      const line = lineOf[i]!;
      const hasP = i > 0 && lineOf[i - 1] === line;
      const hasN = i + 1 < n && lineOf[i + 1] === line;
      const hasP2 = hasP && i > 1 && lineOf[i - 2] === line;
      const hasN2 = hasN && i + 2 < n && lineOf[i + 2] === line;
      // neighbour words: roles w-2, w-1, w+1, w+2 (ROLE_OFFSETS)
      addVec(e, off, hasP2 ? ents[i - 2]!.roles : bound, 0);
      addVec(e, off, hasP ? ents[i - 1]!.roles : bound, K);
      addVec(e, off, hasN ? ents[i + 1]!.roles : bound, 2 * K);
      addVec(e, off, hasN2 ? ents[i + 2]!.roles : bound, 3 * K);
      // context templates: keep in step with contextRestParts in features.ts
      const k0 = en.keyId;
      const s0 = en.shapeId;
      const kp = hasP ? ents[i - 1]!.keyId : B;
      const kn = hasN ? ents[i + 1]!.keyId : B;
      const sp = hasP ? ents[i - 1]!.shapeId : B;
      const sn = hasN ? ents[i + 1]!.shapeId : B;
      add(0, kp, k0, ABSENT, off);
      add(1, k0, kn, ABSENT, off);
      add(2, sp, s0, ABSENT, off);
      add(3, s0, sn, ABSENT, off);
      add(4, sp, s0, sn, off);
      const lt = d.lineType[i]!;
      add(5, this.ltIds[lt]!, s0, ABSENT, off);
      if (lt !== 0) add(6, this.ltIds[lt]!, k0, ABSENT, off);
      const tok = d.tokens[i]!;
      if (tok.line === 0) add(7, s0, ABSENT, ABSENT, off);
      if (tok.sentStart) {
        add(8, s0, ABSENT, ABSENT, off);
        add(9, k0, ABSENT, ABSENT, off);
      }
      add(10, this.dcIds[d.docCase[i]! * 2 + (tok.sentStart ? 1 : 0)]!, s0, ABSENT, off);
      const g = d.gaz[i]!;
      if (g) for (const x of g.split("|")) add(11, this.symId(x), ABSENT, ABSENT, off);
      if (hasP && d.gaz[i - 1]) add(12, this.symId(d.gaz[i - 1]!), ABSENT, ABSENT, off);
      if (hasN && d.gaz[i + 1]) add(13, this.symId(d.gaz[i + 1]!), ABSENT, ABSENT, off);
    }
    return e;
  }

  /** Tag sequence for the whole document, line by line. */
  decode(d: PreparedDoc): Uint8Array {
    const n = d.tokens.length;
    const tags = new Uint8Array(n);
    const em = this.emissions(d);
    const starts = d.lineStarts;
    for (let k = 0; k < starts.length; k++) {
      const s = starts[k]!;
      const e = k + 1 < starts.length ? starts[k + 1]! : n;
      viterbi(em, e - s, this.model.trans, undefined, s, tags);
    }
    return tags;
  }

  /** Raw typed spans (CoNLL types), cleaned and made consistent within the document. */
  spans(text: string): RawSpan[] {
    const d = prepareDoc(text, this.model.lex);
    const tags = this.decode(d);
    return postProcess(d, spansFromTags(d, tags));
  }
}

/**
 * Reference scoring straight from the feature strings (as training sees them):
 * slow, used by tests to pin that the fast path computes the same scores.
 */
export function referenceEmissions(model: Model, d: PreparedDoc): Float64Array {
  const n = d.tokens.length;
  const e = new Float64Array(n * K);
  const feats: string[] = [];
  for (let i = 0; i < n; i++) {
    feats.length = 0;
    intrinsicFeatures(d.forms[i]!, model.lex, feats);
    contextFeatures(d, i, feats);
    for (const f of feats) {
      let r: number | undefined;
      if (!f.includes(" ")) {
        const row = lookupFeature(model, f);
        r = row < 0 ? undefined : row;
      }
      else {
        const parts = f.split(" ");
        const ids = parts.slice(1).map((p) => vocabId(model, p));
        if (ids.some((x) => x < 0)) continue;
        const t = (REST_TEMPLATES as readonly string[]).indexOf(parts[0]!);
        const row = model.rest.get(t, ids[0]!, ids[1] ?? ABSENT, ids[2] ?? ABSENT);
        r = row < 0 ? undefined : row;
      }
      if (r === undefined) continue;
      for (let t = 0; t < K; t++) e[i * K + t]! += model.w[r * K + t]!;
    }
  }
  return e;
}

export function spansFromTags(d: PreparedDoc, tags: Uint8Array): RawSpan[] {
  const out: RawSpan[] = [];
  const n = tags.length;
  for (let i = 0; i < n; ) {
    const tag = tags[i]!;
    if (tag === 0) {
      i++;
      continue;
    }
    const ty = typeOf(tag);
    let j = i + 1;
    while (j < n && isInside(tags[j]!) && typeOf(tags[j]!) === ty && d.tokens[j]!.line === d.tokens[i]!.line) j++;
    out.push({ t0: i, t1: j, start: d.tokens[i]!.start, end: d.tokens[j - 1]!.end, type: TYPES[ty]! });
    i = j;
  }
  return out;
}

const TRAIL_PUNCT = /^[.,;:!?'"()[\]{}*#_\-–—‘’“”]+$/;
const LETTER = /\p{L}/u;

/**
 * Clean spans (no possessive or punctuation at the edges, no letterless spans)
 * and make them consistent: one type per surface in a document (majority
 * vote, longer spans first), and untagged repeats of a tagged surface tagged.
 */
export function postProcess(d: PreparedDoc, spans: RawSpan[]): RawSpan[] {
  const { tokens } = d;
  const cleaned: RawSpan[] = [];
  for (const s of spans) {
    let { t0, t1 } = s;
    while (t1 > t0 && (tokens[t1 - 1]!.text === "'s" || tokens[t1 - 1]!.text === "’s" || TRAIL_PUNCT.test(tokens[t1 - 1]!.text))) t1--;
    while (t0 < t1 && TRAIL_PUNCT.test(tokens[t0]!.text)) t0++;
    if (t1 <= t0) continue;
    const text = d.text.slice(tokens[t0]!.start, tokens[t1 - 1]!.end);
    if (!LETTER.test(text)) continue;
    cleaned.push({ ...s, t0, t1, start: tokens[t0]!.start, end: tokens[t1 - 1]!.end });
  }
  // majority type per surface key
  const key = (t0: number, t1: number): string => {
    let k = d.lowers[t0]!;
    for (let i = t0 + 1; i < t1; i++) k += " " + d.lowers[i]!;
    return k;
  };
  const votes = new Map<string, Map<ConllType, number>>();
  for (const s of cleaned) {
    const k = key(s.t0, s.t1);
    let m = votes.get(k);
    if (!m) votes.set(k, (m = new Map()));
    // lines in running text weigh more than headlines / tables
    const wgt = d.lineType[s.t0] === 0 ? 2 : 1;
    m.set(s.type, (m.get(s.type) ?? 0) + wgt);
  }
  const major = new Map<string, ConllType>();
  for (const [k, m] of votes) {
    let best: ConllType = "MISC";
    let bc = -1;
    for (const [t, c] of m) if (c > bc) ((bc = c), (best = t));
    major.set(k, best);
  }
  for (const s of cleaned) s.type = major.get(key(s.t0, s.t1)) ?? s.type;
  // propagate: untagged occurrences of a tagged multi-letter capitalised surface
  const taken = new Uint8Array(tokens.length);
  for (const s of cleaned) taken.fill(1, s.t0, s.t1);
  const byFirst = new Map<string, Array<{ len: number; k: string; type: ConllType }>>();
  for (const [k, type] of major) {
    const parts = k.split(" ");
    if (k.length < 2) continue;
    const arr = byFirst.get(parts[0]!) ?? [];
    arr.push({ len: parts.length, k, type });
    byFirst.set(parts[0]!, arr);
  }
  for (const arr of byFirst.values()) arr.sort((a, b) => b.len - a.len);
  const added: RawSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (taken[i]) continue;
    const cands = byFirst.get(d.lowers[i]!);
    if (!cands) continue;
    const f = d.forms[i]!;
    if (f.charAt(0) === f.charAt(0).toLowerCase()) continue; // capitalised (or re-cased) only
    for (const c of cands) {
      const t1 = i + c.len;
      if (t1 > tokens.length || tokens[t1 - 1]!.line !== tokens[i]!.line) continue;
      let free = true;
      for (let j = i; j < t1; j++) if (taken[j]) free = false;
      if (!free || key(i, t1) !== c.k) continue;
      // the surface must not continue a longer capitalised name
      const nx = d.forms[t1];
      if (nx && t1 < tokens.length && tokens[t1]!.line === tokens[i]!.line && /^\p{Lu}/u.test(nx) && d.lineType[t1] === 0) continue;
      added.push({ t0: i, t1, start: tokens[i]!.start, end: tokens[t1 - 1]!.end, type: c.type });
      taken.fill(1, i, t1);
      i = t1 - 1;
      break;
    }
  }
  const all = cleaned.concat(added);
  all.sort((a, b) => a.start - b.start);
  return all;
}
