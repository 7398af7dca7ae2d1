/**
 * Run-time tagging: prepare the document, score tokens with the linear model
 * (intrinsic feature scores cached per word form), Viterbi-decode each line,
 * then clean the spans and make them consistent across the document.
 */
import { contextFeatures, intrinsicFeatures, prepareDoc, type PreparedDoc } from "./features.js";
import { NT, TYPES, type ConllType, type Model, isInside, typeOf } from "./model.js";
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

export class LinearTagger {
  private cache = new Map<string, Float32Array>();
  private feats: string[] = [];
  constructor(readonly model: Model) {}

  private intrinsic(form: string): Float32Array {
    let v = this.cache.get(form);
    if (v) return v;
    v = new Float32Array(NT);
    const f = this.feats;
    f.length = 0;
    intrinsicFeatures(form, this.model.lex, f);
    this.addRows(f, v);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(form, v);
    return v;
  }

  private addRows(feats: string[], v: Float32Array, off = 0): void {
    const { index, w } = this.model;
    for (const s of feats) {
      const r = index.get(s);
      if (r === undefined) continue;
      const base = r * NT;
      for (let t = 0; t < NT; t++) v[off + t]! += w[base + t]!;
    }
  }

  /** Emission scores for tokens [from, to) of a prepared document. */
  emissions(d: PreparedDoc, from: number, to: number): Float32Array {
    const n = to - from;
    const e = new Float32Array(n * NT);
    const f = this.feats;
    for (let i = from; i < to; i++) {
      const iv = this.intrinsic(d.forms[i]!);
      const off = (i - from) * NT;
      for (let t = 0; t < NT; t++) e[off + t] = iv[t]!;
      f.length = 0;
      contextFeatures(d, i, f);
      this.addRows(f, e, off);
    }
    return e;
  }

  /** Tag sequence for the whole document, line by line. */
  decode(d: PreparedDoc): Uint8Array {
    const n = d.tokens.length;
    const tags = new Uint8Array(n);
    const starts = d.lineStarts;
    for (let k = 0; k < starts.length; k++) {
      const s = starts[k]!;
      const e = k + 1 < starts.length ? starts[k + 1]! : n;
      const em = this.emissions(d, s, e);
      tags.set(viterbi(em, e - s, this.model.trans), s);
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
