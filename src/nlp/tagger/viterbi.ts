/** First-order Viterbi decoding over BIO tags with hard I-after-B constraints. */
import { NT as NT_, allowed } from "./model.js";

const NT = NT_; // module-local copy for the hot loops

/** For each tag b, the tags a that may precede it (an I-X only follows B-X or I-X). */
const PRED: Int8Array[] = [];
for (let b = 0; b < NT; b++) {
  const a: number[] = [];
  for (let x = 0; x < NT; x++) if (allowed(x, b)) a.push(x);
  PRED.push(Int8Array.from(a));
}
const START_OK = Array.from({ length: NT }, (_, b) => allowed(-1, b));

type Scores = Float32Array | Float64Array;
let score = new Float64Array(256 * NT);
let back = new Int8Array(256 * NT);

/**
 * emit: n x NT scores; trans: (NT+1) x NT (row NT = start);
 * mask (optional): per token, bit t set when tag t is permitted.
 * Returns the best tag sequence.
 */
export function viterbi(emit: Scores, n: number, trans: Scores, mask?: Uint16Array, base = 0, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(n);
  if (n === 0) return out;
  if (!mask && emit instanceof Float64Array && trans instanceof Float64Array) {
    viterbiFast(emit, n, trans, base, out, into ? base : 0);
    return out;
  }
  const eo = base * NT;
  if (score.length < n * NT) {
    score = new Float64Array(n * NT * 2);
    back = new Int8Array(n * NT * 2);
  }
  const NEG = -1e30;
  for (let b = 0; b < NT; b++) {
    const ok = START_OK[b]! && (!mask || (mask[0]! >> b) & 1);
    score[b] = ok ? trans[NT * NT + b]! + emit[eo + b]! : NEG;
  }
  for (let i = 1; i < n; i++) {
    const m = mask ? mask[i]! : 0xffff;
    const prev = (i - 1) * NT;
    const cur = i * NT;
    for (let b = 0; b < NT; b++) {
      if (!((m >> b) & 1)) {
        score[cur + b] = NEG;
        continue;
      }
      const preds = PRED[b]!;
      let best = NEG;
      let arg = 0;
      for (let k = 0; k < preds.length; k++) {
        const a = preds[k]!;
        const s = score[prev + a]! + trans[a * NT + b]!;
        if (s > best) ((best = s), (arg = a));
      }
      score[cur + b] = best + emit[eo + cur + b]!;
      back[cur + b] = arg;
    }
  }
  let best = -Infinity;
  let arg = 0;
  for (let b = 0; b < NT; b++) {
    const s = score[(n - 1) * NT + b]!;
    if (s > best) ((best = s), (arg = b));
  }
  const oo = into ? base : 0;
  for (let i = n - 1; i >= 0; i--) {
    out[oo + i] = arg;
    arg = back[i * NT + arg]!;
  }
  return out;
}

const NEG_INF = -1e30;
let tcache: Float64Array | undefined;
let tcacheSrc: Float64Array | undefined;
/** The transition matrix with forbidden transitions set to -1e30, so the inner loop needs no test. */
function closedTrans(trans: Float64Array): Float64Array {
  if (tcacheSrc === trans && tcache) return tcache;
  const t = Float64Array.from(trans);
  for (let a = -1; a < NT; a++) for (let b = 0; b < NT; b++) if (!allowed(a, b)) t[(a < 0 ? NT : a) * NT + b] = NEG_INF;
  tcache = t;
  tcacheSrc = trans;
  return t;
}
let prevBuf = new Float64Array(NT);
let curBuf = new Float64Array(NT);

/** Unconstrained decoding (run time): scores in two small buffers, back-pointers in `back`. */
function viterbiFast(emit: Float64Array, n: number, trans: Float64Array, base: number, out: Uint8Array, oo: number): void {
  const T = closedTrans(trans);
  if (back.length < n * NT) back = new Int8Array(n * NT * 2);
  const bk = back;
  let prev = prevBuf;
  let cur = curBuf;
  const eo = base * NT;
  for (let b = 0; b < NT; b++) prev[b] = T[NT * NT + b]! + emit[eo + b]!;
  for (let i = 1; i < n; i++) {
    const ei = eo + i * NT;
    const bi = i * NT;
    for (let b = 0; b < NT; b++) {
      let best: number;
      let arg: number;
      if (b !== 0 && (b & 1) === 0) {
        // I-X follows only B-X (b - 1) or I-X (b): every other predecessor scores -1e30 and never wins
        best = prev[b - 1]! + T[(b - 1) * NT + b]!;
        arg = b - 1;
        const s = prev[b]! + T[b * NT + b]!;
        if (s > best) ((best = s), (arg = b));
      } else {
        best = prev[0]! + T[b]!;
        arg = 0;
        for (let a = 1; a < NT; a++) {
          const s = prev[a]! + T[a * NT + b]!;
          if (s > best) ((best = s), (arg = a));
        }
      }
      cur[b] = best + emit[ei + b]!;
      bk[bi + b] = arg;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  let best = -Infinity;
  let arg = 0;
  for (let b = 0; b < NT; b++) {
    if (prev[b]! > best) ((best = prev[b]!), (arg = b));
  }
  prevBuf = prev;
  curBuf = cur;
  for (let i = n - 1; i >= 0; i--) {
    out[oo + i] = arg;
    arg = bk[i * NT + arg]!;
  }
}
