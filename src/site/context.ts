import { outputSafeText } from "../content/text.js";
import { lowerBound, upperBound } from "../sorted.js";

/** The sentence around a mention, split so a template can mark the name: keyword in context. */
export interface MentionContext {
  before: string;
  match: string;
  after: string;
}

const MAX_SIDE = 160;

/**
 * Keyword in context for a mention at [start, end) of a Markdown body. Only the
 * stretch around the mention is read and cleaned, so the cost does not grow
 * with the article.
 */
export function mentionContext(body: string, start: number, end: number): MentionContext {
  // A sentence starts after a line break, or after ".", "!" or "?" and white space.
  let from = start;
  while (from > 0 && start - from < MAX_SIDE && !startsSentence(body, from)) from--;
  // It ends at a line break, or at ".", "!" or "?" before white space or the end of the body.
  let to = end;
  while (to < body.length && to - end < MAX_SIDE && !endsSentence(body, to)) to++;
  return contextBetween(body, from, start, end, to);
}

/** Where the sentences of a body start and end: found once, for every mention in it. */
export interface SentenceBreaks {
  /** Positions after a line break or after ".", "!" or "?" and white space, ascending: the first `startCount`. */
  starts: number[];
  startCount: number;
  /** Positions of a line break, or of ".", "!" or "?" before white space or the end, ascending: the first `endCount`. */
  ends: number[];
  endCount: number;
  /** Nothing in the body but line breaks would be changed by plainText: a stretch within a line needs no cleaning. */
  plain: boolean;
}

/** Line breaks, and sentence stops before white space or the end of the text. */
const BREAK = /\n|[.!?](?=\s|$)/g;

/**
 * `into`: breaks found before, whose lists are overwritten (a caller done with them; the lists keep their
 * storage, so finding the breaks of article after article allocates nothing).
 */
export function sentenceBreaks(body: string, into?: SentenceBreaks): SentenceBreaks {
  const breaks = into ?? { starts: [], startCount: 0, ends: [], endCount: 0, plain: false };
  const { starts, ends } = breaks;
  let startCount = 0;
  let endCount = 0;
  BREAK.lastIndex = 0;
  // Every break is one character: where test() leaves lastIndex says where it was, with no match array made.
  // (A regular expression reads a body, often a slice of its file's text, far faster than charCodeAt can.)
  while (BREAK.test(body)) {
    const at = BREAK.lastIndex - 1;
    ends[endCount++] = at;
    if (body.charCodeAt(at) === 0x0a) starts[startCount++] = at + 1;
    else if (at + 1 < body.length) starts[startCount++] = at + 2;
  }
  breaks.startCount = startCount;
  breaks.endCount = endCount;
  breaks.plain = !NOT_PLAIN_BUT_LINE_BREAKS.test(body);
  return breaks;
}

/**
 * mentionContext with the body's sentence breaks known: the same result, without walking the text to find
 * them. The entity pages do this in two steps (contextStart and contextEnd while the article is at hand,
 * contextBetween when the page is made); this is the two as one, which the tests hold to the reference.
 */
export function mentionContextIn(body: string, breaks: SentenceBreaks, start: number, end: number): MentionContext {
  return contextBetween(body, contextStart(breaks, start), start, end, contextEnd(breaks, body.length, end), breaks.plain);
}

/** Where the context of a mention starting at `start` begins: the last sentence start at or before it, at most MAX_SIDE before it. */
export function contextStart(breaks: SentenceBreaks, start: number): number {
  const after = upperBound(breaks.starts, start, breaks.startCount);
  // The body starts a sentence.
  return Math.max(after > 0 ? breaks.starts[after - 1]! : 0, start - MAX_SIDE, 0);
}

/** Where the context of a mention ending at `end` stops: the first sentence end at or after it, at most MAX_SIDE after it. */
export function contextEnd(breaks: SentenceBreaks, bodyLength: number, end: number): number {
  const at = lowerBound(breaks.ends, end, breaks.endCount);
  return Math.min(at < breaks.endCount ? breaks.ends[at]! : bodyLength, end + MAX_SIDE, bodyLength);
}

function startsSentence(body: string, at: number): boolean {
  return body.charCodeAt(at - 1) === 0x0a || (at >= 2 && isStop(body.charCodeAt(at - 2)) && isSpace(body.charCodeAt(at - 1)));
}

function endsSentence(body: string, at: number): boolean {
  return body.charCodeAt(at) === 0x0a || (isStop(body.charCodeAt(at)) && (at + 1 >= body.length || isSpace(body.charCodeAt(at + 1))));
}

/**
 * The context from the sentence bounds around a mention at [start, end) (contextStart and contextEnd, kept as
 * numbers until a page shows the context). `plain`: the body has nothing plainText changes but line breaks,
 * and no sentence holds one, so the stretches around the mention are clean.
 */
export function contextBetween(body: string, from: number, start: number, end: number, to: number, plain = false): MentionContext {
  if (to < body.length && isStop(body.charCodeAt(to))) to++;
  const cutBefore = from > 0 && !startsSentence(body, from);
  // Only the character before `to` matters (a regex over body.slice(0, to) read the whole body per mention).
  const cutAfter = to < body.length && body.charCodeAt(to) !== 0x0a && !(to > 0 && isStop(body.charCodeAt(to - 1)));
  return {
    before: (cutBefore ? "…" : "") + (plain ? body.slice(from, start) : plainText(body.slice(from, start))).trimStart(),
    match: plainText(body.slice(start, end)),
    after: (plain ? body.slice(end, to) : plainText(body.slice(end, to))).trimEnd() + (cutAfter ? "…" : ""),
  };
}

/** ".", "!" or "?". */
function isStop(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f;
}

/** White space as the regular expression \s knows it. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Anything plainText's steps would change: what outputSafeText removes or replaces (any surrogate: it
 * decides whether one is alone), "<", "]", escapes and marks, and white space other than single spaces.
 */
const NOT_PLAIN = /[\u0000-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff<\\\]*_`[]| {2}/;
/** The same, line breaks aside. */
const NOT_PLAIN_BUT_LINE_BREAKS = /[\u0000-\u0009\u000b-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff<\\\]*_`[]| {2}/;

/** Markdown inline syntax off a short stretch: link targets, emphasis marks, code ticks, escapes, tags. */
export function plainText(markdown: string): string {
  // Most stretches are words and single spaces, which every step below leaves as they are.
  if (!NOT_PLAIN.test(markdown)) return markdown;
  // Control characters of the body would make the entity page malformed HTML (issue 7).
  return outputSafeText(markdown)
    .replace(/<[^>]*>/g, "")
    .replace(/\]\([^)]*\)/g, "")
    .replace(/\\([\\`*_[\]<>#+\-=|~.!(){}])|[*_`[\]]/g, (_mark, escaped: string | undefined) => escaped ?? "")
    .replace(/\s+/g, " ");
}
