/**
 * Run-time tagging: prepare the document, score tokens with the linear model
 * (intrinsic feature scores cached per word form), Viterbi-decode each line,
 * then clean the spans and make them consistent across the document.
 */
import { BOUNDARY, DOC_CASE_SYMS, LINE_TYPE_SYMS, ROLES, REST_TEMPLATES, contextFeatures, digitNorm, hasDigit, intrinsicFeatures, intrinsicTail, capClass, prepareDoc, shape, type PreparedDoc } from "./features.js";
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
function addVec(v: Float64Array, o: number, u: Int32Array, p: number): void {
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
/** v[o..o+9) += weight row u[p..p+9) (int16 weights: a separate function keeps both monomorphic) */
function addW(v: Float64Array, o: number, u: Int16Array, p: number): void {
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
/** Integer score vector v[o..o+9) += weight row u[p..p+9) (arena and shape table: sums of int16 weights, exact). */
function addWi(v: Int32Array, o: number, u: Int16Array, p: number): void {
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
function setVec(v: Float64Array, o: number, u: Int32Array, p: number): void {
  for (let t = 0; t < 9; t++) v[o + t] = u[p + t]!;
}

/*
 * Per-word scores live in one growing Int32Array (an arena: the scores are sums of int16 weights), one record of
 * E numbers per distinct word form: its intrinsic feature scores (K), its
 * scores as each neighbour role (NROLES x K), and its interned key and shape
 * ids. Record 0 is the line boundary ("<>") in every role.
 */
const R_SELF = 0;
const R_ROLES = K;
const R_KEY = K + NROLES * K;
const R_SHAPE = R_KEY + 1;
/** offset of the word's shape block in shapeTab (see shapeBlock) */
const R_SHAPE_BLOCK = R_SHAPE + 1;
/** dense index of the word's shape (its block's offset / SB) */
const R_SHAPE_IX = R_SHAPE_BLOCK + 1;
const E = R_SHAPE_IX + 1;
/** shape pairs with dense indices below this have their "sh-1" / "sh+1" rows cached in a table */
const PAIR_SHAPES = 128;
/*
 * Per distinct shape, the scores of the context templates whose parts are the
 * shape and a few-valued symbol, looked up once instead of once per token:
 * "lt" by line type (3), "dc" by document case x sentence start (8), "hl" (1).
 */
const SB_LT = 0;
const SB_DC = 3;
const SB_HL = 11;
const SB = 12 * K;
const ARENA_MAX_RECORDS = 250_000;

export class LinearTagger {
  private cache = new Map<string, number>();
  private feats: string[] = [];
  private readonly h = new Hasher();
  private readonly biasRow: number;
  private readonly bId: number;
  private readonly ltIds: number[];
  private readonly dcIds: number[];
  private arena = new Int32Array(4096 * E);
  /** rows of the "ls=" features by bucket * 3 + capitalisation class (-2: not looked up yet) */
  private readonly lsRows = new Array<number>(24).fill(-2);
  private records = 0;
  private shapeTab = new Int32Array(128 * SB);
  /** per template 2 / 3 and shape pair (dense indices): 0 not looked up yet, else weight row + 2 (1: none) */
  private readonly shapePairs = new Int32Array(2 * PAIR_SHAPES * PAIR_SHAPES);
  /** dense shape index of the line boundary */
  private bShapeIx = 0;
  /** shape vocabulary id -> its block's offset in shapeTab */
  private readonly shapeBlocks = new Map<number, number>();
  /** identifies the current arena generation on WordType slots */
  private owner: object = {};
  constructor(readonly model: Model) {
    this.biasRow = lookupFeature(model, "b");
    const v = (s: string): number => vocabId(model, s);
    this.bId = v(BOUNDARY);
    this.ltIds = LINE_TYPE_SYMS.map(v);
    this.dcIds = DOC_CASE_SYMS.flatMap((x) => [v(x), v(x + "S")]);
    this.resetArena();
    this.bShapeIx = this.shapeBlock(this.bId) / SB;
  }

  private resetArena(): void {
    this.cache.clear();
    this.records = 0;
    this.owner = {};
    this.arena.fill(0);
    const b = this.newRecord();
    this.roleScores(BOUNDARY, b);
  }

  private newRecord(): number {
    // (emissions makes room for a normal document's words beforehand)
    if ((this.records + 1) * E > this.arena.length) this.growArena(this.records + 1);
    return this.records++ * E;
  }

  /** Room for `records` records in the arena. */
  private growArena(records: number): void {
    let size = this.arena.length;
    while (size < records * E) size *= 2;
    const next = new Int32Array(size);
    next.set(this.arena);
    this.arena = next;
  }

  private roleScores(key: string, o: number): void {
    const h = this.h;
    for (let r = 0; r < NROLES; r++) {
      h.from(S_ROLE[r]!).str(key);
      this.addHashed(o + R_ROLES + r * K);
    }
  }

  /**
   * The arena record of a form: scores of its intrinsic features (same
   * features as intrinsicFeatures() in features.ts, hashed incrementally, no
   * strings built) and of its neighbour roles.
   */
  entry(form: string, key: string, shapeOf?: string): number {
    const cached = this.cache.get(form);
    if (cached !== undefined) return cached;
    const o = this.newRecord();
    const h = this.h;
    const lower = form.toLowerCase();
    // dl = digitNorm(lower): the key, unless the form lower-cases differently
    const dl = lower === key ? key : hasDigit(lower) ? digitNorm(lower) : lower;
    const sh = shapeOf ?? shape(form);
    if (this.biasRow >= 0) addWi(this.arena, o, this.model.w, this.biasRow * K);
    h.from(S_W).strDigits(form);
    this.addHashed(o);
    h.from(S_L).str(dl);
    this.addHashed(o);
    h.from(S_SH).str(sh);
    this.addHashed(o);
    const len = form.length;
    for (let k = 1; k <= 4 && k < len; k++) {
      h.from(S_P[k]!).str(dl, 0, Math.min(k, dl.length));
      this.addHashed(o);
      h.from(S_S[k]!).str(dl, Math.min(len - k, dl.length), dl.length);
      this.addHashed(o);
    }
    // "ls=" + lower-case share bucket + capitalisation: few values, rows looked up once
    const ls = this.model.lex.lowerShare(lower);
    const cap = capClass(form);
    const key2 = (ls ?? 7) * 3 + cap;
    let lr = this.lsRows[key2]!;
    if (lr === -2) {
      lr = this.lsRows[key2] = lookupFeature(this.model, "ls=" + (ls ?? "u") + "lCA"[cap]);
    }
    if (lr >= 0) addWi(this.arena, o, this.model.w, lr * K);
    // the rare ones as strings
    if (len === 1 || form.includes("-")) {
      const f = this.feats;
      f.length = 0;
      intrinsicTail(form, lower, sh, this.model.lex, f);
      for (let x = 1; x < f.length; x++) {
        h.reset().str(f[x]!);
        this.addHashed(o);
      }
    }
    this.roleScores(key, o);
    this.arena[o + R_KEY] = this.model.vocab.getString(key, h);
    const shapeId = this.model.vocab.getString(sh, h);
    this.arena[o + R_SHAPE] = shapeId;
    const sb = this.shapeBlock(shapeId);
    this.arena[o + R_SHAPE_BLOCK] = sb;
    this.arena[o + R_SHAPE_IX] = sb / SB;
    this.cache.set(form, o);
    return o;
  }

  /** The offset in shapeTab of a shape's block of template scores (all zero for a shape the model lacks). */
  private shapeBlock(s0: number): number {
    let b = this.shapeBlocks.get(s0);
    if (b !== undefined) return b;
    b = this.shapeBlocks.size * SB;
    if (b + SB > this.shapeTab.length) {
      const next = new Int32Array(this.shapeTab.length * 2);
      next.set(this.shapeTab);
      this.shapeTab = next;
    }
    this.shapeBlocks.set(s0, b);
    const tab = this.shapeTab;
    const { restByTemplate, restWeights } = this.model;
    const add = (t: number, x: number, y: number, at: number): void => {
      if (x < 0 || y === -1) return;
      const r = restByTemplate[t]!.get(t, x, y, ABSENT);
      if (r >= 0) addWi(tab, b! + at, restWeights[t]!, r * K);
    };
    if (s0 >= 0) {
      for (let lt = 0; lt < 3; lt++) add(5, this.ltIds[lt]!, s0, SB_LT * K + lt * K);
      for (let dc = 0; dc < 8; dc++) add(10, this.dcIds[dc]!, s0, SB_DC * K + dc * K);
      add(7, s0, ABSENT, SB_HL * K);
    }
    return b;
  }

  private readonly syms = new Map<string, number>();
  /** Interned ids of a gazetteer feature's parts ("COUNTRYU|CITYU"). */
  private readonly gazSyms = new Map<string, number[]>();
  private gazIds(g: string): number[] {
    let ids = this.gazSyms.get(g);
    if (ids === undefined) this.gazSyms.set(g, (ids = g.split("|").map((x) => this.symId(x))));
    return ids;
  }
  /** Interned id of a (few-valued) symbol part such as a gazetteer feature. */
  private symId(s: string): number {
    let id = this.syms.get(s);
    if (id === undefined) this.syms.set(s, (id = vocabId(this.model, s)));
    return id;
  }

  /** Add the weight row of the feature hashed in this.h, if the model has it, to arena[o..o+K). */
  private addHashed(o: number): void {
    const r = this.model.index.get(this.h.a, this.h.b);
    if (r >= 0) addWi(this.arena, o, this.model.w, r * K);
  }

  /**
   * Emission scores (tokens x K) for a prepared document. Same features as
   * training's intrinsicFeatures + contextFeatures (tests pin the equality),
   * computed from cached per-word scores and interned ids instead of strings.
   */
  emissions(d: PreparedDoc): Float64Array {
    const n = d.tokens.length;
    if (this.records + n >= ARENA_MAX_RECORDS) this.resetArena();
    // every token may be a new word: room for them here, so that entry() does not grow the arena as it goes
    const room = this.records + Math.min(n, 8192);
    if (room * E > this.arena.length) this.growArena(room);
    const e = new Float64Array(n * K);
    const rec = new Int32Array(n);
    const lineOf = new Int32Array(n);
    this.recordsOf(d, rec, lineOf);
    this.score(d, rec, lineOf, e);
    return e;
  }

  /** Each token's arena record (new words scored now) and line. */
  private recordsOf(d: PreparedDoc, rec: Int32Array, lineOf: Int32Array): void {
    const n = d.tokens.length;
    const owner = this.owner;
    for (let i = 0; i < n; i++) {
      const ty = d.types[i]!;
      const form = d.forms[i]!;
      if (form === ty.text) {
        // the usual case: the record is noted on the cached word type
        if (ty.slotOwner !== owner) {
          ty.slot = this.entry(form, ty.key, ty.shape);
          ty.slotOwner = owner;
        }
        rec[i] = ty.slot;
      } else rec[i] = this.entry(form, ty.key);
      lineOf[i] = d.tokens[i]!.line;
    }
  }

  /** Add the context template t's row for parts (x, y, z), if the model has one, to e[off..off+K). */
  /** The row of context template t for parts (x, y, z), or -1. */
  private restRow(t: number, x: number, y: number, z: number): number {
    if (x < 0 || y === -1 || z === -1) return -1;
    return this.model.restByTemplate[t]!.get(t, x, y, z);
  }

  /** Template 2 or 3 (shape bigrams) for shapes x, y with dense indices xi, yi, through the pair table. */
  private addShapePair(e: Float64Array, t: number, x: number, y: number, xi: number, yi: number, off: number): void {
    let r: number;
    if (xi < PAIR_SHAPES && yi < PAIR_SHAPES) {
      const k = (t - 2) * PAIR_SHAPES * PAIR_SHAPES + xi * PAIR_SHAPES + yi;
      const v = this.shapePairs[k]!;
      if (v !== 0) r = v - 2;
      else this.shapePairs[k] = (r = this.restRow(t, x, y, ABSENT)) + 2;
    } else r = this.restRow(t, x, y, ABSENT);
    if (r >= 0) addW(e, off, this.model.restWeights[t]!, r * K);
  }

  private addRest(e: Float64Array, t: number, x: number, y: number, z: number, off: number): void {
    if (x < 0 || y === -1 || z === -1) return;
    const r = this.model.restByTemplate[t]!.get(t, x, y, z);
    if (r >= 0) addW(e, off, this.model.restWeights[t]!, r * K);
  }

  private score(d: PreparedDoc, rec: Int32Array, lineOf: Int32Array, e: Float64Array): void {
    const n = d.tokens.length;
    const a = this.arena; // no records are added below
    const st = this.shapeTab;
    const B = this.bId;
    const bx = this.bShapeIx;
    for (let i = 0; i < n; i++) {
      const o = rec[i]!;
      const off = i * K;
      setVec(e, off, a, o + R_SELF);
      const line = lineOf[i]!;
      const hasP = i > 0 && lineOf[i - 1] === line;
      const hasN = i + 1 < n && lineOf[i + 1] === line;
      const hasP2 = hasP && i > 1 && lineOf[i - 2] === line;
      const hasN2 = hasN && i + 2 < n && lineOf[i + 2] === line;
      // neighbour words: roles w-2, w-1, w+1, w+2 (ROLE_OFFSETS); record 0 is the boundary
      addVec(e, off, a, (hasP2 ? rec[i - 2]! : 0) + R_ROLES);
      addVec(e, off, a, (hasP ? rec[i - 1]! : 0) + R_ROLES + K);
      addVec(e, off, a, (hasN ? rec[i + 1]! : 0) + R_ROLES + 2 * K);
      addVec(e, off, a, (hasN2 ? rec[i + 2]! : 0) + R_ROLES + 3 * K);
      // context templates: keep in step with contextRestParts in features.ts
      const k0 = a[o + R_KEY]!;
      const s0 = a[o + R_SHAPE]!;
      const kp = hasP ? a[rec[i - 1]! + R_KEY]! : B;
      const kn = hasN ? a[rec[i + 1]! + R_KEY]! : B;
      const sp = hasP ? a[rec[i - 1]! + R_SHAPE]! : B;
      const sn = hasN ? a[rec[i + 1]! + R_SHAPE]! : B;
      this.addRest(e, 0, kp, k0, ABSENT, off);
      this.addRest(e, 1, k0, kn, ABSENT, off);
      const x0 = a[o + R_SHAPE_IX]!;
      const xp = hasP ? a[rec[i - 1]! + R_SHAPE_IX]! : bx;
      const xn = hasN ? a[rec[i + 1]! + R_SHAPE_IX]! : bx;
      this.addShapePair(e, 2, sp, s0, xp, x0, off);
      this.addShapePair(e, 3, s0, sn, x0, xn, off);
      this.addRest(e, 4, sp, s0, sn, off);
      const lt = d.lineType[i]!;
      const tok = d.tokens[i]!;
      const sb = a[o + R_SHAPE_BLOCK]!;
      addVec(e, off, st, sb + SB_LT * K + lt * K);
      addVec(e, off, st, sb + SB_DC * K + (d.docCase[i]! * 2 + (tok.sentStart ? 1 : 0)) * K);
      if (lt !== 0 || tok.line === 0 || tok.sentStart) this.scorePlaced(e, off, lt, tok.line === 0, tok.sentStart, k0, s0, sb);
      if (d.gaz[i] || (hasP && d.gaz[i - 1]) || (hasN && d.gaz[i + 1])) this.scoreGaz(d, e, off, i, hasP, hasN);
    }
  }

  /** Templates of tokens on headline lines, the first line, or starting a sentence. */
  private scorePlaced(e: Float64Array, off: number, lt: number, firstLine: boolean, sentStart: boolean, k0: number, s0: number, sb: number): void {
    if (lt !== 0) this.addRest(e, 6, this.ltIds[lt]!, k0, ABSENT, off);
    if (firstLine) addVec(e, off, this.shapeTab, sb + SB_HL * K);
    if (sentStart) {
      this.addRest(e, 8, s0, ABSENT, ABSENT, off);
      this.addRest(e, 9, k0, ABSENT, ABSENT, off);
    }
  }

  /** Gazetteer templates: the token's own matches and its neighbours'. */
  private scoreGaz(d: PreparedDoc, e: Float64Array, off: number, i: number, hasP: boolean, hasN: boolean): void {
    const g = d.gaz[i]!;
    if (g) for (const x of this.gazIds(g)) this.addRest(e, 11, x, ABSENT, ABSENT, off);
    if (hasP && d.gaz[i - 1]) this.addRest(e, 12, this.symId(d.gaz[i - 1]!), ABSENT, ABSENT, off);
    if (hasN && d.gaz[i + 1]) this.addRest(e, 13, this.symId(d.gaz[i + 1]!), ABSENT, ABSENT, off);
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
    return this.analyse(text).spans;
  }

  /** The prepared document and its cleaned, consistent spans. */
  analyse(text: string): { doc: PreparedDoc; spans: RawSpan[] } {
    const d = prepareDoc(text, this.model.lex);
    const tags = this.decode(d);
    return { doc: d, spans: postProcess(d, spansFromTags(d, tags)) };
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
        const row = model.restByTemplate[t]!.get(t, ids[0]!, ids[1] ?? ABSENT, ids[2] ?? ABSENT);
        if (row >= 0) for (let x = 0; x < K; x++) e[i * K + x]! += model.restWeights[t]![row * K + x]!;
        continue;
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
  const cleaned = cleanSpans(d, spans);
  const major = majorityTypes(d, cleaned);
  const added = propagate(d, cleaned, major);
  const all = added.length ? cleaned.concat(added) : cleaned;
  all.sort((a, b) => a.start - b.start);
  return all;
}

/** The lower-cased words of tokens [t0, t1), space-joined: a surface's key. */
function surfaceKey(d: PreparedDoc, t0: number, t1: number): string {
  let k = d.lowers[t0]!;
  for (let i = t0 + 1; i < t1; i++) k += " " + d.lowers[i]!;
  return k;
}

/** No possessive or punctuation at the edges, no letterless spans. */
function cleanSpans(d: PreparedDoc, spans: RawSpan[]): RawSpan[] {
  const { tokens } = d;
  const cleaned: RawSpan[] = [];
  for (const s of spans) {
    let { t0, t1 } = s;
    while (t1 > t0 && (tokens[t1 - 1]!.text === "'s" || tokens[t1 - 1]!.text === "’s" || TRAIL_PUNCT.test(tokens[t1 - 1]!.text))) {
      // a closing bracket that closes one inside the name stays: "Buducnost (V)"
      if (tokens[t1 - 1]!.text === ")" && tokens.slice(t0, t1 - 1).some((t) => t.text === "(")) break;
      t1--;
    }
    while (t0 < t1 && TRAIL_PUNCT.test(tokens[t0]!.text)) t0++;
    if (t1 <= t0) continue;
    const text = d.text.slice(tokens[t0]!.start, tokens[t1 - 1]!.end);
    if (!LETTER.test(text)) continue;
    cleaned.push({ ...s, t0, t1, start: tokens[t0]!.start, end: tokens[t1 - 1]!.end });
  }
  return cleaned;
}

/** One type per surface key (majority vote, running text weighing more), applied to the spans. */
function majorityTypes(d: PreparedDoc, cleaned: RawSpan[]): Map<string, ConllType> {
  const keys = cleaned.map((s) => surfaceKey(d, s.t0, s.t1));
  const votes = new Map<string, Map<ConllType, number>>();
  cleaned.forEach((s, x) => {
    const k = keys[x]!;
    let m = votes.get(k);
    if (!m) votes.set(k, (m = new Map()));
    // lines in running text weigh more than headlines / tables
    const wgt = d.lineType[s.t0] === 0 ? 2 : 1;
    m.set(s.type, (m.get(s.type) ?? 0) + wgt);
  });
  const major = new Map<string, ConllType>();
  for (const [k, m] of votes) {
    let best: ConllType = "MISC";
    let bc = -1;
    for (const [t, c] of m) if (c > bc) ((bc = c), (best = t));
    major.set(k, best);
  }
  cleaned.forEach((s, x) => (s.type = major.get(keys[x]!) ?? s.type));
  return major;
}

/**
 * Untagged occurrences of a tagged multi-letter capitalised surface get its
 * type. Candidates are looked up by first word and then by length (longest
 * first): one key built per length, not one per candidate surface.
 */
function propagate(d: PreparedDoc, cleaned: RawSpan[], major: Map<string, ConllType>): RawSpan[] {
  const { tokens } = d;
  const n = tokens.length;
  const taken = new Uint8Array(n);
  for (const s of cleaned) taken.fill(1, s.t0, s.t1);
  /** first word -> the token lengths of the surfaces starting with it, longest first */
  const byFirst = new Map<string, number[]>();
  for (const k of major.keys()) {
    if (k.length < 2) continue;
    const sp = k.indexOf(" ");
    const first = sp < 0 ? k : k.slice(0, sp);
    let len = 1;
    for (let p = sp; p >= 0; p = k.indexOf(" ", p + 1)) len++;
    const arr = byFirst.get(first);
    if (!arr) byFirst.set(first, [len]);
    else if (!arr.includes(len)) arr.push(len);
  }
  for (const arr of byFirst.values()) if (arr.length > 1) arr.sort((a, b) => b - a);
  const added: RawSpan[] = [];
  for (let i = 0; i < n; i++) {
    if (taken[i]) continue;
    const lens = byFirst.get(d.lowers[i]!);
    if (!lens) continue;
    const f = d.forms[i]!;
    if (f.charAt(0) === f.charAt(0).toLowerCase()) continue; // capitalised (or re-cased) only
    for (const len of lens) {
      const t1 = i + len;
      if (t1 > n || tokens[t1 - 1]!.line !== tokens[i]!.line) continue;
      let free = true;
      for (let j = i; j < t1; j++) if (taken[j]) free = false;
      if (!free) continue;
      const type = major.get(surfaceKey(d, i, t1));
      if (type === undefined) continue;
      // the surface must not continue a longer capitalised name
      const nx = d.forms[t1];
      if (nx && t1 < n && tokens[t1]!.line === tokens[i]!.line && /^\p{Lu}/u.test(nx) && d.lineType[t1] === 0) continue;
      added.push({ t0: i, t1, start: tokens[i]!.start, end: tokens[t1 - 1]!.end, type });
      taken.fill(1, i, t1);
      i = t1 - 1;
      break;
    }
  }
  return added;
}
