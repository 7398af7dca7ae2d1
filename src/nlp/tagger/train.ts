/**
 * Trains the NER model from ../shared/corpora/conll2003-train (or
 * $GAZETTE_CORPORA/conll2003-train) and writes src/nlp/tagger/model/ner-model.bin.
 *
 *   npm run train:ner [-- --epochs N] [--out FILE]
 *
 * The corpus gives, per article, the distinct entity surfaces it mentions
 * (not token labels), so token labels are projected: each gold surface is
 * matched in the article's tokens (case-sensitive, leftmost-longest). A
 * surface listed with two types in one article (e.g. "NEW YORK" as team and
 * city) is left ambiguous: the perceptron picks, with its current weights,
 * the best of the permitted labellings as the reference (latent-variable
 * structured perceptron). Casing statistics are computed out-of-fold (5
 * folds) so that training sees unknown words the way run time does.
 * Deterministic: fixed fold split and a seeded shuffle.
 */
import fs from "node:fs";
import path from "node:path";
import { GAZ, MapLexicon, contextFeatures, intrinsicFeatures, normApos, prepareDoc, titleCase, type Lexicon, type PreparedDoc } from "./features.js";
import { buildGazetteer, casingStats } from "./gazetteer.js";
import { B, I, MODEL_PATH, NT, TYPES, packageRoot, writeModel } from "./model.js";
import { tokenize } from "./tokenize.js";
import { viterbi } from "./viterbi.js";
import { EVENT_WORDS } from "./rules.js";

type Gold = Record<string, Array<{ type: string; text: string }>>;

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf("--" + name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const EPOCHS = Number(opt("epochs", "10"));
const FOLDS = 5;
const root = packageRoot();
const corpora = process.env.GAZETTE_CORPORA ?? path.join(root, "..", "shared", "corpora");
const trainDir = path.join(corpora, "conll2003-train");
const outFile = opt("out", MODEL_PATH());

function readCorpus(dir: string): Array<{ file: string; text: string; gold: Gold[string] }> {
  const gold = JSON.parse(fs.readFileSync(path.join(dir, "gold.json"), "utf8")) as Gold;
  return Object.keys(gold)
    .sort()
    .map((file) => ({ file, text: fs.readFileSync(path.join(dir, file), "utf8"), gold: gold[file]! }));
}

/** Per-token bit mask of permitted tags from the gold surfaces. */
function goldMasks(d: PreparedDoc, gold: Gold[string], stats: { unmatched: number; ambiguous: number }): Uint16Array {
  const toks = d.tokens.map((t) => normApos(t.text));
  const surf = new Map<string, { parts: string[]; types: Set<number> }>();
  for (const g of gold) {
    const ti = TYPES.indexOf(g.type as (typeof TYPES)[number]);
    if (ti < 0) continue;
    const parts = tokenize(g.text).map((t) => normApos(t.text));
    if (!parts.length) continue;
    const k = parts.join(" ");
    const e = surf.get(k) ?? { parts, types: new Set<number>() };
    e.types.add(ti);
    surf.set(k, e);
  }
  const byFirst = new Map<string, Array<{ parts: string[]; types: Set<number> }>>();
  for (const e of surf.values()) {
    const a = byFirst.get(e.parts[0]!) ?? [];
    a.push(e);
    byFirst.set(e.parts[0]!, a);
  }
  for (const a of byFirst.values()) a.sort((x, y) => y.parts.length - x.parts.length);
  const mask = new Uint16Array(toks.length).fill(1); // O
  const matched = new Set<string>();
  for (let i = 0; i < toks.length; i++) {
    const cands = byFirst.get(toks[i]!);
    if (!cands) continue;
    for (const c of cands) {
      const L = c.parts.length;
      if (i + L > toks.length) continue;
      let ok = true;
      for (let k = 0; k < L && ok; k++) ok = toks[i + k] === c.parts[k] && d.tokens[i + k]!.line === d.tokens[i]!.line;
      if (!ok) continue;
      let bm = 0;
      let im = 0;
      for (const t of c.types) ((bm |= 1 << B(t)), (im |= 1 << I(t)));
      if (c.types.size > 1) stats.ambiguous++;
      mask[i] = bm;
      for (let k = 1; k < L; k++) mask[i + k] = im;
      matched.add(c.parts.join(" "));
      i += L - 1;
      break;
    }
  }
  for (const k of surf.keys()) if (!matched.has(k)) stats.unmatched++;
  return mask;
}

/**
 * One-word MISC names that the training text mostly uses as adjectives
 * ("German call", "Moslem rebels"): the tagger does not report these.
 */
function adjectivalMisc(docs: Array<{ text: string; gold: Gold[string] }>): string[] {
  const adj = new Map<string, number>();
  const other = new Map<string, number>();
  const cased = new Map<string, string>();
  for (const d of docs) {
    const words = new Set(d.gold.filter((g) => g.type === "MISC" && /^[\p{L}'-]+$/u.test(g.text)).map((g) => g.text));
    for (const w of words) {
      const re = new RegExp(`(?<![\\p{L}'-])${w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}'-])(\\s+\\S)?`, "gu");
      for (const m of d.text.matchAll(re)) {
        const l = w.toLowerCase();
        cased.set(l, w);
        if (m[1] && /\p{Ll}/u.test(m[1].trim())) adj.set(l, (adj.get(l) ?? 0) + 1);
        else other.set(l, (other.get(l) ?? 0) + 1);
      }
    }
  }
  // nationality / religion / group adjectives look alike: "Serbian", "Moslem", "Kurds", "Hutu"
  const looksAdjectival = (w: string): boolean => /(?:an|ans|ian|ians|ese|ish|i|is|ic|ch|ks|bs|ts|ds|ns|ms|u|us)$/.test(w) && !EVENT_WORDS.test(w);
  return [...adj]
    .filter(([w, c]) => c >= 2 && c >= 2 * (other.get(w) ?? 0) && looksAdjectival(w) && /^\p{Lu}\p{Ll}+(?:-\p{L}+)*$/u.test(cased.get(w) ?? ""))
    .map(([w]) => w)
    .sort();
}

interface Line {
  /** feature ids per token: ids[off[i]..off[i+1]) */
  ids: Int32Array;
  off: Int32Array;
  mask: Uint16Array;
  ambiguous: boolean;
}

function main(): void {
  const t0 = Date.now();
  const docs = readCorpus(trainDir);
  console.log(`train: ${docs.length} articles from ${trainDir}`);
  const g = buildGazetteer();
  console.log(`gazetteer: ${g.gaz.size} names`, g.sources);
  const gazOnly = new MapLexicon(g.gaz, g.gazMaxLen);
  const pre = docs.map((d) => prepareDoc(d.text, gazOnly));
  // given names that are also everyday words ("Will", "May", "North") say little: drop them
  const lowerSeen = new Map<string, number>();
  for (const d of pre) {
    d.tokens.forEach((t, i) => {
      if (!t.sentStart && d.lineType[i] === 0 && /^\p{Ll}+$/u.test(t.text)) lowerSeen.set(t.text, (lowerSeen.get(t.text) ?? 0) + 1);
    });
  }
  let dropped = 0;
  for (const [k, m] of g.gaz) {
    if (m & GAZ.FIRSTNAME && (lowerSeen.get(k) ?? 0) >= 2) {
      dropped++;
      if (m === GAZ.FIRSTNAME) g.gaz.delete(k);
      else g.gaz.set(k, m & ~GAZ.FIRSTNAME);
    }
  }
  console.log(`gazetteer: dropped ${dropped} given names that are common lower-case words`);
  const foldOf = (i: number): number => i % FOLDS;
  const foldLex: Lexicon[] = [];
  for (let k = 0; k < FOLDS; k++) {
    const cs = casingStats(pre.filter((_, i) => foldOf(i) !== k));
    foldLex.push(new MapLexicon(g.gaz, g.gazMaxLen, cs.casing, cs.lowerShare));
  }
  const full = casingStats(pre);
  const fullLex = new MapLexicon(g.gaz, g.gazMaxLen, full.casing, full.lowerShare);

  const dict = new Map<string, number>();
  const counts: number[] = [];
  const fid = (s: string): number => {
    let id = dict.get(s);
    if (id === undefined) {
      id = dict.size;
      dict.set(s, id);
      counts.push(0);
    }
    counts[id]!++;
    return id;
  };
  const stats = { unmatched: 0, ambiguous: 0 };
  const lines: Line[] = [];
  /** lines of headline variants (Title Case), used in alternate epochs */
  const altLines = new Map<number, Line>();
  const feats: string[] = [];
  const encodeLine = (d: PreparedDoc, lex: Lexicon, s: number, e: number, mask: Uint16Array): Line => {
    const ids: number[] = [];
    const off = new Int32Array(e - s + 1);
    for (let i = s; i < e; i++) {
      feats.length = 0;
      intrinsicFeatures(d.forms[i]!, lex, feats);
      contextFeatures(d, i, feats);
      for (const f of feats) ids.push(fid(f));
      off[i - s + 1] = ids.length;
    }
    const m = mask.slice(s, e);
    let amb = false;
    for (const x of m) if (x & (x - 1)) amb = true;
    return { ids: Int32Array.from(ids), off, mask: m, ambiguous: amb };
  };
  docs.forEach((doc, di) => {
    const lex = foldLex[foldOf(di)]!;
    const d = prepareDoc(doc.text, lex);
    const mask = goldMasks(d, doc.gold, stats);
    const starts = d.lineStarts;
    for (let k = 0; k < starts.length; k++) {
      const s = starts[k]!;
      const e = k + 1 < starts.length ? starts[k + 1]! : d.tokens.length;
      lines.push(encodeLine(d, lex, s, e, mask));
      if (k === 0 && d.lineType[0] === 0) {
        // augmentation: the same article with its headline in Title Case
        const nl = doc.text.indexOf("\n");
        const head = nl < 0 ? doc.text : doc.text.slice(0, nl);
        const th = head.replace(/[\p{L}'’-]+/gu, (w) => (/^\p{Ll}/u.test(w) && !/^(?:a|an|the|of|and|or|in|on|at|to|for|by)$/.test(w) ? titleCase(w) : w));
        if (th !== head && th.length === head.length) {
          const d2 = prepareDoc(th + doc.text.slice(head.length), lex);
          if (d2.tokens.length === d.tokens.length && d2.lineStarts[1] === d.lineStarts[1]) {
            altLines.set(lines.length - 1, encodeLine(d2, lex, s, e, mask));
          }
        }
      }
    }
  });
  console.log(`features: ${dict.size}, lines: ${lines.length} (+${altLines.size} title-case headline variants), unmatched gold surfaces: ${stats.unmatched}, ambiguous matches: ${stats.ambiguous}`);

  // averaged structured perceptron
  const F = dict.size;
  const W = new Float32Array(F * NT);
  const U = new Float32Array(F * NT);
  const TR = new Float32Array((NT + 1) * NT);
  const TU = new Float32Array((NT + 1) * NT);
  let c = 1;
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
  const order = lines.map((_, i) => i);
  for (let ep = 0; ep < EPOCHS; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let errs = 0;
    let toks = 0;
    for (const li of order) {
      const L = ep % 2 === 1 && altLines.has(li) ? altLines.get(li)! : lines[li]!;
      const n = L.off.length - 1;
      const em = new Float32Array(n * NT);
      for (let i = 0; i < n; i++) {
        for (let p = L.off[i]!; p < L.off[i + 1]!; p++) {
          const base = L.ids[p]! * NT;
          for (let t = 0; t < NT; t++) em[i * NT + t]! += W[base + t]!;
        }
      }
      const pred = viterbi(em, n, TR);
      let gold: Uint8Array;
      if (L.ambiguous) gold = viterbi(em, n, TR, L.mask);
      else {
        gold = new Uint8Array(n);
        for (let i = 0; i < n; i++) gold[i] = 31 - Math.clz32(L.mask[i]!);
      }
      toks += n;
      let wrong = false;
      for (let i = 0; i < n; i++) {
        const gp = gold[i]!;
        const pp = pred[i]!;
        const gPrev = i === 0 ? NT : gold[i - 1]!;
        const pPrev = i === 0 ? NT : pred[i - 1]!;
        if (gp !== pp) {
          errs++;
          wrong = true;
          for (let p = L.off[i]!; p < L.off[i + 1]!; p++) {
            const base = L.ids[p]! * NT;
            W[base + gp]! += 1;
            U[base + gp]! += c;
            W[base + pp]! -= 1;
            U[base + pp]! -= c;
          }
        }
        if (gp !== pp || gPrev !== pPrev) {
          TR[gPrev * NT + gp]! += 1;
          TU[gPrev * NT + gp]! += c;
          TR[pPrev * NT + pp]! -= 1;
          TU[pPrev * NT + pp]! -= c;
        }
      }
      void wrong;
      c++;
    }
    console.log(`epoch ${ep + 1}/${EPOCHS}: token errors ${errs} / ${toks} (${((100 * errs) / toks).toFixed(2)}%)  ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  // average
  for (let i = 0; i < W.length; i++) W[i] = W[i]! - U[i]! / c;
  for (let i = 0; i < TR.length; i++) TR[i] = TR[i]! - TU[i]! / c;

  // prune features whose weights all round to ~0, quantise to int16
  let maxAbs = 0;
  for (const x of W) maxAbs = Math.max(maxAbs, Math.abs(x));
  const scale = maxAbs / 32767;
  const minKeep = Number(opt("prune", "0.02"));
  const names = [...dict.keys()];
  const keptNames: string[] = [];
  const keptW: number[] = [];
  for (let f = 0; f < F; f++) {
    let m = 0;
    for (let t = 0; t < NT; t++) m = Math.max(m, Math.abs(W[f * NT + t]!));
    if (m < minKeep) continue;
    keptNames.push(names[f]!);
    for (let t = 0; t < NT; t++) keptW.push(Math.round(W[f * NT + t]! / scale));
  }
  const q = Int16Array.from(keptW);
  writeModel(outFile, {
    names: keptNames,
    q,
    scale,
    trans: TR,
    lex: fullLex,
    meta: {
      trainedOn: "conll2003-train",
      articles: docs.length,
      epochs: EPOCHS,
      features: keptNames.length,
      gazetteerSources: g.sources,
      adjectives: adjectivalMisc(docs),
    },
  });
  console.log(`model: ${keptNames.length}/${F} features kept, ${(fs.statSync(outFile).size / 1e6).toFixed(2)} MB -> ${outFile} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

main();
