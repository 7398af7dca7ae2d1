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
import type { Lexicon } from "./features.js";

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
  index: Map<string, number>;
  w: Float32Array;
  trans: Float32Array;
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

export function loadModelFile(file = MODEL_PATH()): Model {
  const mf = JSON.parse(fs.readFileSync(file, "utf8")) as ModelFile;
  if (mf.format !== "gazette-ner/1") throw new Error(`gazette: unknown NER model format in ${file}`);
  const names = mf.features.split("\n");
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) index.set(names[i]!, i);
  const buf = Buffer.from(mf.weights, "base64");
  const q = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const w = new Float32Array(q.length);
  const s = mf.scale;
  for (let i = 0; i < q.length; i++) w[i] = q[i]! * s;
  return { index, w, trans: Float32Array.from(mf.trans), lex: decodeLexicon(mf.lexicon) };
}
