/**
 * The tagger's model: a linear sequence model (averaged structured perceptron)
 * over BIO tags with first-order transitions, plus the lexicon (gazetteers
 * and casing statistics) its features read.
 *
 * On disk: `model/ner-model.bin`, a compact binary (see writeModel) whose
 * lookup tables are saved ready to use, so loading takes a few milliseconds.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { REST_TEMPLATES, type Lexicon, type MapLexicon } from "./features.js";
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
  constructor(capacity: number | Int32Array) {
    if (typeof capacity !== "number") {
      this.s = capacity;
      this.mask = capacity.length / 5 - 1;
      return;
    }
    let size = 16;
    while (size * 0.7 < capacity) size <<= 1;
    this.mask = size - 1;
    this.s = new Int32Array(size * 5);
    for (let i = 4; i < this.s.length; i += 5) this.s[i] = -1;
  }
  slotArray(): Int32Array {
    return this.s;
  }
  /**
   * One table per template, each with its own compact copy of its weight rows
   * (rows renumbered 0..): a small template's table and weights then stay in
   * the CPU cache instead of being scattered through one large array.
   */
  splitByTemplate(templates: number, q: Int16Array): Array<{ table: RestTable; weights: Int16Array }> {
    const s = this.s;
    const counts = new Array<number>(templates).fill(0);
    for (let k = 0; k < s.length; k += 5) if (s[k + 4] !== -1) counts[s[k]!]!++;
    const out = counts.map((c) => ({ table: new RestTable(c), weights: new Int16Array(c * NT), n: 0 }));
    for (let k = 0; k < s.length; k += 5) {
      const row = s[k + 4]!;
      if (row === -1) continue;
      const o = out[s[k]!]!;
      o.weights.set(q.subarray(row * NT, row * NT + NT), o.n * NT);
      o.table.set(s[k]!, s[k + 1]!, s[k + 2]!, s[k + 3]!, o.n++);
    }
    return out.map(({ table, weights }) => ({ table, weights }));
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

export interface Model {
  /** hashed feature string -> weight row, for intrinsic and neighbour-word features */
  index: HashTable;
  /** number of features in the model */
  features: number;
  /** hashed part string -> interned id, for the context templates (REST_TEMPLATES) */
  vocab: HashTable;
  /** (context template, part ids) -> row of restWeights[template], one table per template */
  restByTemplate: RestTable[];
  /** per context template, its weight rows (NT each) */
  restWeights: Int16Array[];
  /**
   * features x NT weights, quantised: the saved int16 values as they are.
   * Decoding only compares sums, so the scale is folded into `trans` instead.
   */
  w: Int16Array;
  /** (NT+1) x NT transition weights in the same units; row NT is the line start */
  trans: Float64Array;
  lex: Lexicon;
  meta: Record<string, unknown>;
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

export const MODEL_PATH = (): string => path.join(packageRoot(), "src", "nlp", "tagger", "model", "ner-model.bin");

const sharedHasher = new Hasher();
/** The weight row of a string feature (intrinsic / neighbour-word kind), or -1. */
export function lookupFeature(model: Model, name: string): number {
  return model.index.getString(name, sharedHasher);
}
/** The interned id of a context-template part, or -1. */
export function vocabId(model: Model, part: string): number {
  return model.vocab.getString(part, sharedHasher);
}

/** A Lexicon over hash tables saved in the model (no strings to rebuild at load). */
class HashedLexicon implements Lexicon {
  private readonly h = new Hasher();
  private formList: string[] | undefined;
  constructor(
    readonly gazMaxLen: number,
    private readonly gaz: HashTable,
    private readonly cas: HashTable,
    private readonly formsText: string,
  ) {}
  gazMask(key: string): number {
    const v = this.gaz.getString(key, this.h);
    return v < 0 ? 0 : v & 0xff;
  }
  gazPrefix(key: string): boolean {
    const v = this.gaz.getString(key, this.h);
    return v >= 0 && (v & 0x100) !== 0;
  }
  casing(lower: string): string | undefined {
    const v = this.cas.getString(lower, this.h);
    if (v < 0) return undefined;
    const i = v >> 3;
    if (i === 0) return lower;
    this.formList ??= this.formsText.split("\n");
    return this.formList[i - 1];
  }
  lowerShare(lower: string): number | undefined {
    const v = this.cas.getString(lower, this.h);
    return v < 0 ? undefined : v & 7;
  }
}

/*
 * File format (`model/ner-model.bin`, little-endian):
 *   "GZNER01\n", uint32 header length, header JSON (utf8), zero padding to 8 bytes,
 *   then the sections the header lists as [byte offset, element count, type]:
 *   weights (int16, x scale), feat / vocab / gaz / casing (HashTable slots),
 *   rest0..rest13 (RestTable slots, one per context template) with restw0..restw13
 *   (int16, that template's weight rows), forms (utf8
 *   text: casing forms, one a line). Loading is a read plus typed-array views.
 */
const MAGIC = "GZNER01\n";

interface Header {
  format: "gazette-ner/2";
  tags: string[];
  features: number;
  scale: number;
  trans: number[];
  gazMaxLen: number;
  sections: Record<string, [number, number, "i16" | "i32" | "u8"]>;
  meta: Record<string, unknown>;
}

export interface ModelSource {
  /** feature strings; intrinsic ones have no space, context ones are "template part part ..." */
  names: string[];
  /** names.length x NT quantised weights */
  q: Int16Array;
  scale: number;
  trans: Float64Array | Float32Array | number[];
  lex: MapLexicon;
  meta: Record<string, unknown>;
}

export function writeModel(file: string, src: ModelSource): void {
  const h = new Hasher();
  const nRest = src.names.filter((n) => n.includes(" ")).length;
  const feat = new HashTable(src.names.length - nRest);
  const rest = new RestTable(nRest);
  const vocabIds = new Map<string, number>();
  const tplOf = new Map<string, number>(REST_TEMPLATES.map((t, i) => [t, i]));
  src.names.forEach((name, row) => {
    if (!name.includes(" ")) {
      h.reset().str(name);
      feat.set(h.a, h.b, row);
      return;
    }
    const parts = name.split(" ");
    const t = tplOf.get(parts[0]!);
    if (t === undefined || parts.length < 2 || parts.length > 4) throw new Error(`gazette: bad NER feature ${JSON.stringify(name)}`);
    const ids = parts.slice(1).map((p) => {
      let id = vocabIds.get(p);
      if (id === undefined) vocabIds.set(p, (id = vocabIds.size));
      return id;
    });
    rest.set(t, ids[0]!, ids[1] ?? ABSENT, ids[2] ?? ABSENT, row);
  });
  const vocab = new HashTable(vocabIds.size);
  for (const [p, id] of vocabIds) {
    h.reset().str(p);
    vocab.set(h.a, h.b, id);
  }
  const lex = src.lex;
  const gazVals = new Map<string, number>();
  for (const [k, m] of lex.gaz) gazVals.set(k, (gazVals.get(k) ?? 0) | (m & 0xff));
  for (const k of lex.gaz.keys()) {
    let p = k.indexOf(" ");
    while (p > 0) {
      const pre = k.slice(0, p);
      gazVals.set(pre, (gazVals.get(pre) ?? 0) | 0x100);
      p = k.indexOf(" ", p + 1);
    }
  }
  const gaz = new HashTable(gazVals.size);
  for (const [k, v] of gazVals) {
    h.reset().str(k);
    gaz.set(h.a, h.b, v);
  }
  const forms: string[] = [];
  const cas = new HashTable(lex.casingMap.size);
  for (const [l, form] of lex.casingMap) {
    let idx = 0;
    if (form !== l) {
      forms.push(form);
      idx = forms.length;
    }
    h.reset().str(l);
    cas.set(h.a, h.b, (idx << 3) | ((lex.lowerShareMap.get(l) ?? 6) & 7));
  }
  const sections: Array<[string, Int16Array | Int32Array | Uint8Array]> = [
    ["weights", src.q],
    ["feat", feat.slotArray()],
    ...rest.splitByTemplate(REST_TEMPLATES.length, src.q).flatMap((t, i): Array<[string, Int32Array | Int16Array]> => [
      ["rest" + i, t.table.slotArray()],
      ["restw" + i, t.weights],
    ]),
    ["vocab", vocab.slotArray()],
    ["gaz", gaz.slotArray()],
    ["casing", cas.slotArray()],
    ["forms", new TextEncoder().encode(forms.join("\n"))],
  ];
  const header: Header = {
    format: "gazette-ner/2",
    tags: [...TAGS],
    features: src.names.length,
    scale: src.scale,
    trans: Array.from(src.trans, (x) => Math.round(x * 1e4) / 1e4),
    gazMaxLen: lex.gazMaxLen,
    sections: {},
    meta: src.meta,
  };
  // lay sections out after the header; the header's own length depends on the offsets, so iterate
  let hdr = Buffer.alloc(0);
  let start = 0;
  for (let iter = 0; iter < 4; iter++) {
    start = align8(MAGIC.length + 4 + hdr.length);
    let off = start;
    for (const [name, arr] of sections) {
      header.sections[name] = [off, arr.length, arr instanceof Int16Array ? "i16" : arr instanceof Int32Array ? "i32" : "u8"];
      off = align8(off + arr.byteLength);
    }
    const next = Buffer.from(JSON.stringify(header), "utf8");
    if (next.length === hdr.length) {
      hdr = next;
      break;
    }
    hdr = next;
  }
  const total = Object.values(header.sections).reduce((m, [o, n, t]) => Math.max(m, align8(o + n * (t === "i16" ? 2 : t === "i32" ? 4 : 1))), 0);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(hdr.length, MAGIC.length);
  hdr.copy(out, MAGIC.length + 4);
  for (const [name, arr] of sections) {
    const [o] = header.sections[name]!;
    Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(out, o);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out);
}

const align8 = (n: number): number => (n + 7) & ~7;

export function loadModelFile(file = MODEL_PATH()): Model {
  let buf = fs.readFileSync(file);
  if (buf.toString("latin1", 0, MAGIC.length) !== MAGIC) throw new Error(`gazette: ${file} is not a Gazette NER model`);
  if (buf.byteOffset % 8 !== 0) buf = Buffer.from(buf); // typed-array views need alignment
  const hlen = buf.readUInt32LE(MAGIC.length);
  const header = JSON.parse(buf.toString("utf8", MAGIC.length + 4, MAGIC.length + 4 + hlen)) as Header;
  if (header.format !== "gazette-ner/2" || header.tags.join() !== TAGS.join()) throw new Error(`gazette: unsupported NER model format in ${file}`);
  const sec = (name: string): [number, number] => {
    const s = header.sections[name];
    if (!s) throw new Error(`gazette: NER model ${file} lacks section ${name}`);
    return [buf.byteOffset + s[0], s[1]];
  };
  const i32 = (name: string): Int32Array => {
    const [o, n] = sec(name);
    return new Int32Array(buf.buffer, o, n);
  };
  const [wo, wn] = sec("weights");
  const w = new Int16Array(buf.buffer, wo, wn);
  const [fo, fn] = sec("forms");
  const formsText = Buffer.from(buf.buffer, fo, fn).toString("utf8");
  const restByTemplate = REST_TEMPLATES.map((_, i) => new RestTable(i32("rest" + i)));
  const restWeights = REST_TEMPLATES.map((_, i) => {
    const [o, n] = sec("restw" + i);
    return new Int16Array(buf.buffer, o, n);
  });
  return {
    index: new HashTable(i32("feat")),
    features: header.features,
    vocab: new HashTable(i32("vocab")),
    restByTemplate,
    restWeights,
    w,
    trans: Float64Array.from(header.trans, (x) => x / header.scale),
    lex: new HashedLexicon(header.gazMaxLen, new HashTable(i32("gaz")), new HashTable(i32("casing")), formsText),
    meta: header.meta,
  };
}
