/**
 * Feature extraction for the perceptron tagger. Shared by training and run
 * time so the two can never drift apart.
 *
 * A document is prepared once (`prepareDoc`): tokens, a "true-cased" form per
 * token (ALL-CAPS and Title-Case lines such as headlines are re-cased from
 * how the same word is written elsewhere in the article, or in the training
 * text), gazetteer matches and document-level casing evidence. Then each
 * token's features are strings, split into two kinds:
 * - intrinsic features that depend only on the token's form (cacheable per form);
 * - contextual features (neighbours, position, line type, gazetteer, document).
 */
import { tokenize, type Token } from "./tokenize.js";

/** Gazetteer classes (bit flags). */
export const GAZ = {
  COUNTRY: 1,
  CITY: 2,
  BIGCITY: 4,
  FIRSTNAME: 8,
  DEMONYM: 16,
  REGION: 32,
} as const;
export const GAZ_NAMES: Array<[number, string]> = Object.entries(GAZ).map(([k, v]) => [v, k]);

export interface Lexicon {
  /** lower-cased, space-joined token sequence -> GAZ bit mask */
  gaz: Map<string, number>;
  gazMaxLen: number;
  /** lower-cased word -> dominant written form in running text (non-initial positions) */
  casing: Map<string, string>;
  /** lower-cased word -> share of lower-case occurrences, bucketed 0..4 (4 = always lower-case) */
  lowerShare: Map<string, number>;
}

export const enum LineType {
  Normal = 0,
  Caps = 1,
  Title = 2,
}

export interface PreparedDoc {
  text: string;
  tokens: Token[];
  /** true-cased, apostrophe-normalised form used for features */
  forms: string[];
  lowers: string[];
  lineType: Uint8Array;
  /** gazetteer feature per token, "" when none */
  gaz: string[];
  /** document casing evidence per token: 0 none, 1 only lower, 2 only capitalised, 3 both */
  docCase: Uint8Array;
  /** index of the first token of the headline line's end (tokens < this are on line 0) */
  lineStarts: number[];
}

const FUNCTION_WORDS = new Set(
  "a an the of and or for in on at to by with from vs v as into over after before about under than".split(" "),
);

export const normApos = (s: string): string =>
  s.replace(/[\u2018\u2019\u02bc\u0060\u00b4]/g, "'").replace(/[\u201c\u201d\u201e]/g, '"').replace(/[\u2010\u2011]/g, "-");

const hasLower = (s: string): boolean => s !== s.toUpperCase();
const hasUpper = (s: string): boolean => s !== s.toLowerCase();
const isAlpha = (s: string): boolean => /\p{L}/u.test(s);
const initCap = (s: string): boolean => {
  const c = s.charAt(0);
  return c !== c.toLowerCase();
};

/** Word shape, runs of one class collapsed: "Xx", "X.X.", "Xx-x-Xx", "d", "X". */
export function shape(w: string): string {
  let out = "";
  let last = "";
  for (const ch of w) {
    let c: string;
    if (ch >= "a" && ch <= "z") c = "x";
    else if (ch >= "A" && ch <= "Z") c = "X";
    else if (ch >= "0" && ch <= "9") c = "d";
    else if (ch !== ch.toLowerCase()) c = "X";
    else if (ch !== ch.toUpperCase()) c = "x";
    else if (/\p{L}/u.test(ch)) c = "x";
    else if (/\p{N}/u.test(ch)) c = "d";
    else c = ch;
    if (c !== last) out += c;
    last = c;
  }
  return out;
}

function classifyLine(tokens: Token[], from: number, to: number): LineType {
  let words = 0;
  let lowerWords = 0;
  let capsWords = 0;
  let capInit = 0;
  let lowerNonFunction = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!.text;
    if (!isAlpha(t) || tokens[i]!.url) continue;
    words++;
    if (hasLower(t)) lowerWords++;
    if (!hasLower(t) && t.replace(/[^\p{L}]/gu, "").length >= 2) capsWords++;
    if (initCap(t)) capInit++;
    else if (!FUNCTION_WORDS.has(t.toLowerCase()) && t !== "'s") lowerNonFunction++;
  }
  if (words > 0 && lowerWords === 0 && capsWords > 0) return LineType.Caps;
  if (words >= 3 && lowerNonFunction === 0 && capInit >= 3 && capInit >= words - capInit) return LineType.Title;
  return LineType.Normal;
}

export function prepareDoc(text: string, lex: Lexicon): PreparedDoc {
  const tokens = tokenize(text);
  const n = tokens.length;
  const raw = tokens.map((t) => normApos(t.text));
  const lineType = new Uint8Array(n);
  const lineStarts: number[] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && tokens[e]!.line === tokens[s]!.line) e++;
    const lt = classifyLine(tokens, s, e);
    lineType.fill(lt, s, e);
    lineStarts.push(s);
    s = e;
  }
  // document casing evidence from normal lines, non-initial positions
  const docForms = new Map<string, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    if (lineType[i] !== LineType.Normal || tokens[i]!.sentStart) continue;
    const w = raw[i]!;
    if (!isAlpha(w)) continue;
    const l = w.toLowerCase();
    let m = docForms.get(l);
    if (!m) docForms.set(l, (m = new Map()));
    m.set(w, (m.get(w) ?? 0) + 1);
  }
  const forms = new Array<string>(n);
  const lowers = new Array<string>(n);
  const docCase = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const w = raw[i]!;
    const l = w.toLowerCase();
    let f = w;
    const dm = docForms.get(l);
    if (dm) {
      let lowerSeen = false;
      let capSeen = false;
      for (const k of dm.keys()) {
        if (hasUpper(k)) capSeen = true;
        else lowerSeen = true;
      }
      docCase[i] = (lowerSeen ? 1 : 0) | (capSeen ? 2 : 0);
    }
    if (lineType[i] !== LineType.Normal && isAlpha(w)) {
      // re-case words on ALL-CAPS / Title-Case lines
      let best: string | undefined;
      if (dm) {
        let bc = 0;
        for (const [k, c] of dm) if (c > bc) ((bc = c), (best = k));
      }
      if (best === undefined) best = lex.casing.get(l);
      if (best === undefined) {
        if (lineType[i] === LineType.Caps && !tokens[i]!.url) {
          // unknown all-caps word: short ones may be acronyms, keep; else title-case
          const letters = w.replace(/[^\p{L}]/gu, "").length;
          best = letters <= 3 && lineType[i] === LineType.Caps ? w : titleCase(w);
        } else best = w;
      }
      f = best;
    }
    forms[i] = f;
    lowers[i] = l;
  }
  // gazetteer: longest match from each capitalised token
  const gaz = new Array<string>(n).fill("");
  for (let i = 0; i < n; i++) {
    const f = forms[i]!;
    if (!initCap(f) || !isAlpha(f)) continue;
    let key = "";
    let bestLen = 0;
    let bestMask = 0;
    for (let k = 0; k < lex.gazMaxLen && i + k < n; k++) {
      if (tokens[i + k]!.line !== tokens[i]!.line) break;
      key = k === 0 ? lowers[i]! : key + " " + lowers[i + k]!;
      const m = lex.gaz.get(key);
      if (m !== undefined) ((bestLen = k + 1), (bestMask = m));
    }
    if (bestLen === 0) continue;
    for (let k = 0; k < bestLen; k++) {
      const pos = bestLen === 1 ? "U" : k === 0 ? "B" : "I";
      let s = "";
      for (const [bit, name] of GAZ_NAMES) if (bestMask & bit) s += (s ? "|" : "") + name + pos;
      if (!gaz[i + k]) gaz[i + k] = s;
    }
    i += bestLen - 1;
  }
  return { text, tokens, forms, lowers, lineType, gaz, docCase, lineStarts };
}

export const titleCase = (w: string): string =>
  w.toLowerCase().replace(/(^|[-'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase());

const digitNorm = (s: string): string => (/\d/.test(s) ? s.replace(/\d/g, "0") : s);

/** Features that depend on the form alone. */
export function intrinsicFeatures(f: string, lex: Lexicon, out: string[]): void {
  const l = f.toLowerCase();
  const dn = digitNorm(f);
  const dl = digitNorm(l);
  const sh = shape(f);
  out.push("b", "w=" + dn, "l=" + dl, "sh=" + sh);
  const len = f.length;
  for (let k = 1; k <= 4 && k < len; k++) {
    out.push("p" + k + "=" + dl.slice(0, k), "s" + k + "=" + dl.slice(len - k));
  }
  const ls = lex.lowerShare.get(l);
  const cap = initCap(f) ? (hasLower(f) ? "C" : "A") : "l";
  out.push("ls=" + (ls ?? "u") + cap);
  if (len === 1) out.push("len1" + sh);
  if (f.includes("-")) {
    const parts = f.split("-");
    out.push("hy1=" + parts[0]!.toLowerCase(), "hyN=" + parts[parts.length - 1]!.toLowerCase());
  }
}

const DC = ["n", "lo", "up", "lu"];
const LT = ["N", "C", "T"];

/** Features from context: neighbours, line, sentence position, gazetteer, document. */
export function contextFeatures(d: PreparedDoc, i: number, out: string[]): void {
  const { tokens, forms, lowers } = d;
  const t = tokens[i]!;
  const line = t.line;
  const at = (k: number): number => {
    const j = i + k;
    return j >= 0 && j < tokens.length && tokens[j]!.line === line ? j : -1;
  };
  const lw = (j: number): string => (j < 0 ? "<>" : digitNorm(lowers[j]!));
  const sh = (j: number): string => (j < 0 ? "<>" : shape(forms[j]!));
  const p1 = at(-1), p2 = at(-2), n1 = at(1), n2 = at(2);
  const s0 = shape(forms[i]!);
  const l0 = digitNorm(lowers[i]!);
  out.push(
    "w-1=" + lw(p1),
    "w-2=" + lw(p2),
    "w+1=" + lw(n1),
    "w+2=" + lw(n2),
    "w-1w=" + lw(p1) + "|" + l0,
    "ww+1=" + l0 + "|" + lw(n1),
    "sh-1=" + sh(p1) + "|" + s0,
    "sh+1=" + s0 + "|" + sh(n1),
    "sh3=" + sh(p1) + "|" + s0 + "|" + sh(n1),
  );
  const lt = LT[d.lineType[i]!]!;
  out.push("lt=" + lt + s0);
  if (d.lineType[i] !== LineType.Normal) out.push("ltw=" + lt + l0);
  if (t.line === 0) out.push("hl=" + s0);
  if (t.sentStart) out.push("ss=" + s0, "ssw=" + l0);
  out.push("dc=" + DC[d.docCase[i]!] + (t.sentStart ? "S" : "") + s0);
  const g = d.gaz[i]!;
  if (g) for (const x of g.split("|")) out.push("g=" + x);
  if (p1 >= 0 && d.gaz[p1]) out.push("g-1=" + d.gaz[p1]);
  if (n1 >= 0 && d.gaz[n1]) out.push("g+1=" + d.gaz[n1]);
}
