import { outputSafeText } from "../content/text.js";

/** The sentence around a mention, split so a template can mark the name: keyword in context. */
export interface MentionContext {
  before: string;
  match: string;
  after: string;
}

const MAX_SIDE = 160;

/** A sentence stop before white space, or a line break: a sentence starts after it (after the white space). */
const SENTENCE_START_BEFORE = /\n|[.!?]\s/g;
/** A line break, or a sentence stop before white space or the end of the text: a sentence ends there. */
const SENTENCE_END = /\n|[.!?](?=\s|$)/g;

/**
 * Keyword in context for a mention at [start, end) of a Markdown body: the sentence around it, at most
 * MAX_SIDE characters either side. Only that stretch is searched and cleaned, so the cost does not grow
 * with the article; an entity page finds each of its contexts this way when it is made.
 */
export function mentionContext(body: string, start: number, end: number): MentionContext {
  // The last sentence start at or before the mention, no further back than MAX_SIDE (or the body's start).
  let from = Math.max(start - MAX_SIDE, 0);
  SENTENCE_START_BEFORE.lastIndex = Math.max(from - 2, 0);
  // (test() and lastIndex: where each match ends, with no match array made.)
  while (SENTENCE_START_BEFORE.test(body)) {
    // Either match ends where its sentence starts (a stop's white space may be a line break: the same start).
    const sentence = SENTENCE_START_BEFORE.lastIndex;
    if (sentence > start) break;
    if (sentence > from) from = sentence;
  }
  // The first sentence end at or after the mention, no further than MAX_SIDE (or the body's end).
  let to = Math.min(end + MAX_SIDE, body.length);
  SENTENCE_END.lastIndex = end;
  if (SENTENCE_END.test(body)) to = Math.min(to, SENTENCE_END.lastIndex - 1);
  return contextBetween(body, from, start, end, to);
}

function startsSentence(body: string, at: number): boolean {
  return body.charCodeAt(at - 1) === 0x0a || (at >= 2 && isStop(body.charCodeAt(at - 2)) && isSpace(body.charCodeAt(at - 1)));
}

/** The context from the sentence bounds [from, to) around a mention at [start, end). */
function contextBetween(body: string, from: number, start: number, end: number, to: number): MentionContext {
  if (to < body.length && isStop(body.charCodeAt(to))) to++;
  const cutBefore = from > 0 && !startsSentence(body, from);
  // Only the character before `to` matters (a regex over body.slice(0, to) read the whole body per mention).
  const cutAfter = to < body.length && body.charCodeAt(to) !== 0x0a && !(to > 0 && isStop(body.charCodeAt(to - 1)));
  return {
    before: (cutBefore ? "…" : "") + plainText(body.slice(from, start)).trimStart(),
    match: plainText(body.slice(start, end)),
    after: plainText(body.slice(end, to)).trimEnd() + (cutAfter ? "…" : ""),
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
