/** First-order Viterbi decoding over BIO tags with hard I-after-B constraints. */
import { NT, allowed } from "./model.js";

const ALLOWED: boolean[] = [];
for (let a = -1; a < NT; a++) for (let b = 0; b < NT; b++) ALLOWED[(a + 1) * NT + b] = allowed(a, b);

/**
 * emit: n x NT scores; trans: (NT+1) x NT (row NT = start);
 * mask (optional): per token, bit t set when tag t is permitted.
 * Returns the best tag sequence.
 */
export function viterbi(emit: Float32Array, n: number, trans: Float32Array, mask?: Uint16Array): Uint8Array {
  const out = new Uint8Array(n);
  if (n === 0) return out;
  const score = new Float64Array(n * NT);
  const back = new Int8Array(n * NT);
  const NEG = -1e30;
  for (let b = 0; b < NT; b++) {
    const ok = ALLOWED[b]! && (!mask || (mask[0]! >> b) & 1);
    score[b] = ok ? trans[NT * NT + b]! + emit[b]! : NEG;
  }
  for (let i = 1; i < n; i++) {
    const m = mask ? mask[i]! : 0xffff;
    for (let b = 0; b < NT; b++) {
      if (!((m >> b) & 1)) {
        score[i * NT + b] = NEG;
        continue;
      }
      let best = NEG;
      let arg = 0;
      for (let a = 0; a < NT; a++) {
        if (!ALLOWED[(a + 1) * NT + b]) continue;
        const s = score[(i - 1) * NT + a]! + trans[a * NT + b]!;
        if (s > best) ((best = s), (arg = a));
      }
      score[i * NT + b] = best + emit[i * NT + b]!;
      back[i * NT + b] = arg;
    }
  }
  let best = -Infinity;
  let arg = 0;
  for (let b = 0; b < NT; b++) {
    const s = score[(n - 1) * NT + b]!;
    if (s > best) ((best = s), (arg = b));
  }
  for (let i = n - 1; i >= 0; i--) {
    out[i] = arg;
    arg = back[i * NT + arg]!;
  }
  return out;
}
