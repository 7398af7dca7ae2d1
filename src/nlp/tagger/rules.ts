/**
 * Span rules applied after decoding and document consistency. They fix
 * patterns a CoNLL-trained model gets wrong in general news text, without
 * any built-in names:
 * - acronym definitions: "Tehreek-e-Taliban Pakistan (TTP)" -> one span whose
 *   initials spell the acronym, typed like the acronym;
 * - "Operation Zarb-e-Azb": a capitalised "Operation" starts a MISC (event) name;
 * - "<Name> network": the militant / business network is an organisation;
 * - "ISIS-K": a name plus a short capital suffix is typed like the name;
 * - adjectives in front of a MISC name ("Afghan Taliban", "Kandahar-based
 *   Taliban") are dropped from the span;
 * - a one-word MISC name used as a noun with "the" ("the Taliban are") that is
 *   not an adjective or event is an organisation.
 */
import { GAZ, type Lexicon, type PreparedDoc } from "./features.js";
import type { ConllType } from "./model.js";
import type { RawSpan } from "./tagger.js";

const CONNECTORS = new Set(["of", "and", "for", "the", "de", "del", "della", "des", "du", "e", "i", "al", "el", "on", "in", "&", "-"]);
const ACRONYM = /^[A-Z][A-Z0-9&-]{1,9}$/;
const ADJ_SUFFIX = /-(?:based|led|born|backed|wide|owned|run|made|style|era|type|controlled|linked|bound|speaking|ruled|held|sponsored|dominated|affiliated|allied|aligned)$/;
export const EVENT_WORDS =
  /\b(?:war|wars|operation|games|olympics?|cup|championships?|open|summit|conference|festival|elections?|crisis|revolution|battle|uprising|tournament|grand prix|tour|massacre|offensive|intifada|rally|marathon|talks|accords?)\b/i;

/** Grammar words that start sentences but never names ("While Sadiq did not ..."). */
const SENTENCE_STARTERS = new Set(
  ("while when whenever after before although though since as if but and yet so because unless until meanwhile however also then " +
    "where once whether despite during following according unlike thus still even only nor or whereas besides including without " +
    "with from at by to over through against between among amid within upon speaking asked says said").split(" "),
);

export interface RuleContext {
  lex: Lexicon;
  /** lower-cased words the training data uses as adjectival MISC ("german", "moslem") */
  adjectives: ReadonlySet<string>;
}

const isCap = (s: string): boolean => /^\p{Lu}/u.test(s);

/**
 * Is this one word an adjective of nationality or religion, or an adjectival
 * compound ("Kandahar-based", "EU-wide", "US-Taliban")? `strict` leaves out
 * the suffix guess ("-ian", "-ese", "-ish"), which would also hit given names.
 */
export function isAdjectivalWord(word: string, ctx: RuleContext, strict = false): boolean {
  const l = word.toLowerCase().replace(/[’‘]/g, "'");
  if (ctx.lex.gazMask(l) & GAZ.DEMONYM) return true;
  if (ctx.adjectives.has(l)) return true;
  if (ADJ_SUFFIX.test(l)) return true;
  if (strict) return false;
  // one-word hyphenated MISC names are nearly always adjectival compounds
  if (l.includes("-")) return true;
  return /^\p{Lu}/u.test(word) && /(?:ians?|ese|ish)$/.test(l) && !/(?:parish)$/.test(l);
}

export function applyRules(d: PreparedDoc, spans: RawSpan[], ctx: RuleContext): RawSpan[] {
  const { tokens } = d;
  const n = tokens.length;
  const text = (t0: number, t1: number): string => d.text.slice(tokens[t0]!.start, tokens[t1 - 1]!.end);
  const mk = (t0: number, t1: number, type: ConllType): RawSpan => ({ t0, t1, start: tokens[t0]!.start, end: tokens[t1 - 1]!.end, type });
  let out = spans.slice();
  const replace = (s: RawSpan): void => {
    out = out.filter((o) => o.t1 <= s.t0 || o.t0 >= s.t1);
    out.push(s);
  };
  const typeOfSurface = (surf: string): ConllType | undefined => {
    const votes = new Map<ConllType, number>();
    for (const o of out) if (text(o.t0, o.t1) === surf) votes.set(o.type, (votes.get(o.type) ?? 0) + 1);
    let best: ConllType | undefined;
    let bc = 0;
    for (const [t, c] of votes) if (c > bc) ((bc = c), (best = t));
    return best;
  };

  // a sentence-initial everyday word is no part of a name: "While Sadiq", "Speaking Monday"
  for (const s of out.slice()) {
    let t0 = s.t0;
    while (t0 < s.t1 - 1 && tokens[t0]!.sentStart && SENTENCE_STARTERS.has(d.lowers[t0]!)) t0++;
    // "Later Vandermeer": an everyday word before a name the article tags on its own
    if (t0 === s.t0 && s.t1 - s.t0 >= 2 && tokens[t0]!.sentStart && d.lowers[t0] !== "the") {
      const ls = ctx.lex.lowerShare(d.lowers[t0]!);
      const restText = text(t0 + 1, s.t1);
      if (ls !== undefined && ls >= 3 && ls <= 5 && out.some((o) => o !== s && text(o.t0, o.t1) === restText)) t0++;
    }
    if (t0 !== s.t0) {
      out = out.filter((o) => o !== s);
      out.push(mk(t0, s.t1, s.type));
    }
  }

  // adjectives in front of a MISC name: "Afghan Taliban" -> "Taliban"
  for (const s of out.slice()) {
    if (s.type !== "MISC" || s.t1 - s.t0 < 2) continue;
    let t0 = s.t0;
    // only before a proper name: "Asian Cup" keeps its adjective ("cup" is an everyday word)
    const properNext = (k: number): boolean => {
      const ls = ctx.lex.lowerShare(d.lowers[k]!);
      return isCap(d.forms[k]!) && (ls === undefined || ls <= 1 || ls === 6) && !EVENT_WORDS.test(d.lowers[k]!);
    };
    while (t0 < s.t1 - 1 && isAdjectivalWord(tokens[t0]!.text, ctx, true) && properNext(t0 + 1)) t0++;
    if (t0 === s.t0) continue;
    const rest = text(t0, s.t1);
    out = out.filter((o) => o !== s);
    out.push(mk(t0, s.t1, "MISC"));
    void rest;
  }

  // acronym definitions: Words (ACRO)
  for (let j = 1; j + 2 < n; j++) {
    if (tokens[j]!.text !== "(" || tokens[j + 2]!.text !== ")") continue;
    const acro = tokens[j + 1]!.text;
    if (!ACRONYM.test(acro) || tokens[j + 1]!.line !== tokens[j]!.line) continue;
    const letters = acro.replace(/[^A-Z]/g, "");
    if (letters.length < 2) continue;
    let best = -1;
    let initials = "";
    for (let s = j - 1; s >= 0 && j - s <= 12 && tokens[s]!.line === tokens[j]!.line; s--) {
      const w = tokens[s]!.text;
      if (!/\p{L}/u.test(w) && w !== "&" && w !== "-") break;
      if (!isCap(w) && !CONNECTORS.has(w.toLowerCase())) break;
      let ini = "";
      for (const part of w.split(/[-‐]/)) if (isCap(part)) ini += part[0]!.toUpperCase();
      initials = ini + initials;
      if (isCap(w) && initials === letters) best = s;
      if (initials.length > letters.length) break;
    }
    if (best < 0) continue;
    const inside = out.filter((o) => o.t0 < j && o.t1 > best);
    // the model already has a span ending here that covers the definition: keep it
    const whole = inside.find((o) => o.t1 === j && o.t0 <= best);
    let type = typeOfSurface(acro);
    if (!type || type === "MISC") {
      let inner: ConllType | undefined;
      const byLen = new Map<ConllType, number>();
      for (const o of inside) byLen.set(o.type, (byLen.get(o.type) ?? 0) + (o.t1 - o.t0));
      let bc = 0;
      for (const [t, c] of byLen) if (c > bc) ((bc = c), (inner = t));
      type = whole?.type ?? (inner === "LOC" ? "LOC" : type === "MISC" && inner === "MISC" ? "MISC" : "ORG");
    }
    if (whole) whole.type = type;
    else replace(mk(best, j, type));
    if (!out.some((o) => o.t0 === j + 1)) replace(mk(j + 1, j + 2, type));
  }

  // "Operation Name": a MISC (event) name
  for (let i = 0; i + 1 < n; i++) {
    if (tokens[i]!.text !== "Operation" || !isCap(d.forms[i + 1]!) || tokens[i + 1]!.line !== tokens[i]!.line) continue;
    let j = i + 1;
    while (j < n && tokens[j]!.line === tokens[i]!.line && isCap(d.forms[j]!) && /\p{L}/u.test(tokens[j]!.text)) j++;
    const cover = out.filter((o) => o.t0 < j && o.t1 > i);
    const end = Math.max(j, ...cover.map((o) => o.t1));
    replace(mk(i, end, "MISC"));
  }

  // "<Name> network" is an organisation
  for (const s of out.slice()) {
    const nx = s.t1;
    if (nx < n && tokens[nx]!.text === "network" && tokens[nx]!.line === tokens[s.t0]!.line) replace(mk(s.t0, nx + 1, "ORG"));
  }

  // a one-word MISC in capitals ("ISIS") is an organisation's acronym
  for (const s of out) {
    if (s.type === "MISC" && s.t1 - s.t0 === 1 && /^[A-Z]{2,6}$/.test(d.forms[s.t0]!)) s.type = "ORG";
  }

  // "ISIS-K": a known name with a short capital suffix takes the name's type
  for (const s of out) {
    if (s.t1 - s.t0 !== 1) continue;
    const m = /^(.+)[-‐]([A-Z0-9]{1,2})$/.exec(tokens[s.t0]!.text);
    if (!m) continue;
    const t = typeOfSurface(m[1]!);
    if (t) s.type = t;
  }

  // one-word MISC nouns used with "the" ("the Taliban are") are organisations
  const nounUse = new Map<string, number>();
  for (const s of out) {
    if (s.type !== "MISC" || s.t1 - s.t0 !== 1 || s.t0 === 0) continue;
    const w = tokens[s.t0]!.text;
    if (tokens[s.t0 - 1]!.text !== "the" || isAdjectivalWord(w, ctx) || EVENT_WORDS.test(w)) continue;
    const nx = s.t1 < n && tokens[s.t1]!.line === tokens[s.t0]!.line ? tokens[s.t1]!.text : ".";
    // followed by punctuation, a verb-like or function word rather than a noun it modifies
    if (/^[.,;:)"'’”]$/.test(nx) || /^(?:are|is|was|were|have|has|had|and|or|for|on|in|of|to|who|which|that|would|will|could|may|might|can|did|do|does|also|said|say|says|control|remain|remains|government|leadership)$/.test(nx)) {
      nounUse.set(w, (nounUse.get(w) ?? 0) + 1);
    }
  }
  if (nounUse.size) {
    for (const s of out) {
      if (s.type === "MISC" && s.t1 - s.t0 === 1 && (nounUse.get(tokens[s.t0]!.text) ?? 0) >= 1) s.type = "ORG";
    }
  }

  for (const s of out) {
    if (s.t1 - s.t0 !== 1) continue;
    const m = /^(.+)[-‐]([A-Z0-9]{1,2})$/.exec(tokens[s.t0]!.text);
    if (!m) continue;
    const t = typeOfSurface(m[1]!);
    if (t) s.type = t;
  }

  out.sort((a, b) => a.start - b.start);
  return out;
}
