/**
 * String-feature lookup without building strings: features are keyed by two
 * independent 32-bit hashes of their text (64 bits in all; with ~10^5
 * features a false match is vanishingly unlikely), which run time computes
 * incrementally ("p3=" state, then three characters) and load time computes
 * from the whole feature string. Both paths share `Hasher`.
 */

export class Hasher {
  a = 0;
  b = 0;
  reset(): this {
    this.a = 0x811c9dc5 | 0;
    this.b = 0x2545f491 | 0;
    return this;
  }
  /** Continue from a saved state. */
  from(state: HashState): this {
    this.a = state.a;
    this.b = state.b;
    return this;
  }
  save(): HashState {
    return { a: this.a, b: this.b };
  }
  ch(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    const b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.b = (b << 13) | (b >>> 19);
  }
  /** Feed s[from, to). */
  str(s: string, from = 0, to = s.length): this {
    for (let i = from; i < to; i++) this.ch(s.charCodeAt(i));
    return this;
  }
  /** Feed s with every ASCII digit read as "0" (the features' digit normalisation). */
  strDigits(s: string): this {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      this.ch(c >= 48 && c <= 57 ? 48 : c);
    }
    return this;
  }
}

export interface HashState {
  a: number;
  b: number;
}

export function stateOf(prefix: string): HashState {
  return new Hasher().reset().str(prefix).save();
}

const mix = (a: number, b: number): number => {
  let h = a ^ Math.imul(b, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
};

/** Open-addressing table from a (hash a, hash b) pair to a row number; one slot = [a, b, row]. */
export class HashTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  size = 0;
  /** A table for `capacity` entries, or one over saved slots (see `slotArray`). */
  constructor(capacity: number | Int32Array) {
    if (typeof capacity !== "number") {
      this.slots = capacity;
      this.mask = capacity.length / 3 - 1;
      for (let i = 2; i < capacity.length; i += 3) if (capacity[i] !== -1) this.size++;
      return;
    }
    let n = 16;
    while (n * 0.7 < capacity) n <<= 1;
    this.mask = n - 1;
    this.slots = new Int32Array(n * 3);
    for (let i = 2; i < this.slots.length; i += 3) this.slots[i] = -1;
  }
  /** The raw slots, for saving. */
  slotArray(): Int32Array {
    return this.slots;
  }
  /** Look a string up by its hash (or -1). */
  getString(s: string, h: Hasher): number {
    h.reset().str(s);
    return this.get(h.a, h.b);
  }
  set(a: number, b: number, row: number): void {
    const s = this.slots;
    let i = mix(a, b) & this.mask;
    while (s[i * 3 + 2] !== -1 && !(s[i * 3] === a && s[i * 3 + 1] === b)) i = (i + 1) & this.mask;
    if (s[i * 3 + 2] === -1) this.size++;
    s[i * 3] = a;
    s[i * 3 + 1] = b;
    s[i * 3 + 2] = row;
  }
  /** The row, or -1. */
  get(a: number, b: number): number {
    const s = this.slots;
    let i = mix(a, b) & this.mask;
    for (;;) {
      const k = i * 3;
      const r = s[k + 2]!;
      if (r === -1) return -1;
      if (s[k] === a && s[k + 1] === b) return r;
      i = (i + 1) & this.mask;
    }
  }
}
