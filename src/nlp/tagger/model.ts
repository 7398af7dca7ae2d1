/**
 * The tagger's model: a linear sequence model (averaged structured perceptron)
 * over BIO tags with first-order transitions, plus the lexicon (gazetteers
 * and casing statistics) its features read.
 *
 * On disk (`model/ner-model.json`): JSON with the feature strings joined by
 * "\n", weights quantised to int16 and base64-encoded (row-major, one row of
 * TAGS.length weights per feature), and the lexicon as compact line lists.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REST_TEMPLATES, type Lexicon } from "./features.js";
import { HashTable, Hasher } from "./hashing.js";

export const TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"] as const;
export const NT = TAGS.length;
export const TYPES = ["PER", "ORG", "LOC", "MISC"] as const;
export type ConllType = (typeof TYPES)[number];
/** tag index for B-type / I-type */
export const B = (t: number): number => 1 + 2 * t;
export const I = (t: number): number => 2 + 2 * t;
/** the type index of a tag, -1 for O */
export const typeOf = (tag: number): number => (tag === 0 ? -1 : (tag - 1) >> 1);
export const isInside = (tag: number): boolean => tag !== 0 && (tag - 1) % 2 === 1;

/** May tag `b` follow tag `a` (a = -1 at line start)? I-X only continues B-X or I-X. */
export function allowed(a: number, b: number): boolean {
  if (!isInside(b)) return true;
  return a >= 0 && a !== 0 && typeOf(a) === typeOf(b);
}

/** Part id for "no such part" in RestTable keys (unknown parts are simply not looked up). */
export const ABSENT = -2;

const mix = (t: number, a: number, b: number, c: number): number => {
  let h = Math.imul(t + 1, 0x9e3779b1) ^ Math.imul(a + 3, 0x85ebca77) ^ Math.imul(b + 3, 0xc2b2ae3d) ^ Math.imul(c + 3, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
};

/** Open-addressing hash table from (template, a, b, c) integer keys to weight rows; slot = [t, a, b, c, row]. */
export class RestTable {
  private readonly s: Int32Array;
  private readonly mask: number;
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size <<= 1;
    this.mask = size - 1;
    this.s = new Int32Array(size * 5);
    for (let i = 4; i < this.s.length; i += 5) this.s[i] = -1;
  }
  set(t: number, a: number, b: number, c: number, row: number): void {
    const s = this.s;
    let i = mix(t, a, b, c) & this.mask;
    while (s[i * 5 + 4] !== -1) {
      const k = i * 5;
      if (s[k] === t && s[k + 1] === a && s[k + 2] === b && s[k + 3] === c) break;
      i = (i + 1) & this.mask;
    }
    const k = i * 5;
    s[k] = t;
    s[k + 1] = a;
    s[k + 2] = b;
    s[k + 3] = c;
    s[k + 4] = row;
  }
  /** The weight row, or -1. */
  get(t: number, a: number, b: number, c: number): number {
    const s = this.s;
    let i = mix(t, a, b, c) & this.mask;
    for (;;) {
      const k = i * 5;
      const r = s[k + 4]!;
      if (r === -1) return -1;
      if (s[k] === t && s[k + 1] === a && s[k + 2] === b && s[k + 3] === c) return r;
      i = (i + 1) & this.mask;
    }
  }
}

export interface ModelFile {
  format: "gazette-ner/1";
  tags: string[];
  features: string;
  /** base64 int16, features x tags */
  weights: string;
  scale: number;
  /** (NT+1) x NT transition weights; row NT is the line start */
  trans: number[];
  lexicon: { gaz: string; gazMaxLen: number; casing: string };
  meta?: Record<string, unknown>;
}

export interface Model {
  /** hashed feature string -> weight row, for intrinsic and neighbour-word features */
  index: HashTable;
  /** number of features in the model */
  features: number;
  /** interned parts of the context templates (REST_TEMPLATES) */
  vocab: Map<string, number>;
  /** (context template, part ids) -> weight row */
  rest: RestTable;
  w: Float32Array;
  trans: Float64Array;
  lex: Lexicon;
}

/** The package root: the nearest folder above this module that holds package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("gazette: cannot find package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const MODEL_PATH = (): string => path.join(packageRoot(), "src", "nlp", "tagger", "model", "ner-model.json");

export function encodeLexicon(lex: Lexicon): ModelFile["lexicon"] {
  const gaz = [...lex.gaz].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, m]) => k + "\t" + m.toString(36));
  const casing: string[] = [];
  for (const [l, form] of [...lex.casing].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const share = lex.lowerShare.get(l) ?? 0;
    casing.push((form === l ? "" : form) + "\t" + l + "\t" + share);
  }
  return { gaz: gaz.join("\n"), gazMaxLen: lex.gazMaxLen, casing: casing.join("\n") };
}

export function decodeLexicon(f: ModelFile["lexicon"]): Lexicon {
  const gaz = new Map<string, number>();
  for (const line of f.gaz.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) gaz.set(line.slice(0, tab), parseInt(line.slice(tab + 1), 36));
  }
  const casing = new Map<string, string>();
  const lowerShare = new Map<string, number>();
  for (const line of f.casing.split("\n")) {
    const [form, l, share] = line.split("\t");
    if (l === undefined || share === undefined) continue;
    casing.set(l, form || l);
    lowerShare.set(l, Number(share));
  }
  return { gaz, gazMaxLen: f.gazMaxLen, casing, lowerShare };
}

/** The weight row of a string feature (intrinsic / neighbour-word kind), or -1. */
export function lookupFeature(model: Model, name: string): number {
  const h = new Hasher().reset().str(name);
  return model.index.get(h.a, h.b);
}

export function loadModelFile(file = MODEL_PATH()): Model {
  const mf = JSON.parse(fs.readFileSync(file, "utf8")) as ModelFile;
  if (mf.format !== "gazette-ner/1") throw new Error(`gazette: unknown NER model format in ${file}`);
  const names = mf.features.split("\n");
  const index = new HashTable(names.length);
  const h = new Hasher();
  const vocab = new Map<string, number>();
  const rest = new RestTable(names.length);
  const tplOf = new Map<string, number>(REST_TEMPLATES.map((t, i) => [t, i]));
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!name.includes(" ")) {
      h.reset().str(name);
      index.set(h.a, h.b, i);
      continue;
    }
    const parts = name.split(" ");
    const t = tplOf.get(parts[0]!);
    if (t === undefined || parts.length < 2 || parts.length > 4) throw new Error(`gazette: bad NER feature ${JSON.stringify(name)}`);
    const ids = parts.slice(1).map((p) => {
      let id = vocab.get(p);
      if (id === undefined) vocab.set(p, (id = vocab.size));
      return id;
    });
    rest.set(t, ids[0]!, ids[1] ?? ABSENT, ids[2] ?? ABSENT, i);
  }
  const buf = Buffer.from(mf.weights, "base64");
  const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const w = new Float32Array(q.length);
  const s = mf.scale;
  for (let i = 0; i < q.length; i++) w[i] = q[i]! * s;
  return { index, features: names.length, vocab, rest, w, trans: Float64Array.from(mf.trans), lex: decodeLexicon(mf.lexicon) };
}
