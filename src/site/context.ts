import { outputSafeText } from "../content/text.js";

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
  let from = start;
  while (from > 0 && start - from < MAX_SIDE && body[from - 1] !== "\n" && !(/[.!?]/.test(body[from - 2] ?? "") && /\s/.test(body[from - 1]!))) from--;
  let to = end;
  while (to < body.length && to - end < MAX_SIDE && body[to] !== "\n" && !(/[.!?]/.test(body[to]!) && /\s/.test(body[to + 1] ?? " "))) to++;
  if (to < body.length && /[.!?]/.test(body[to]!)) to++;
  const cutBefore = from > 0 && body[from - 1] !== "\n" && !/[.!?]\s$/.test(body.slice(Math.max(0, from - 2), from));
  // Only the character before `to` matters (a regex over body.slice(0, to) read the whole body per mention).
  const cutAfter = to < body.length && body[to] !== "\n" && !/[.!?]/.test(body[to - 1] ?? "");
  return {
    before: (cutBefore ? "…" : "") + plainText(body.slice(from, start)).trimStart(),
    match: plainText(body.slice(start, end)),
    after: plainText(body.slice(end, to)).trimEnd() + (cutAfter ? "…" : ""),
  };
}

/** Markdown inline syntax off a short stretch: link targets, emphasis marks, code ticks, escapes, tags. */
export function plainText(markdown: string): string {
  // Control characters of the body would make the entity page malformed HTML (issue 7).
  return outputSafeText(markdown)
    .replace(/<[^>]*>/g, "")
    .replace(/\]\([^)]*\)/g, "")
    .replace(/\\([\\`*_[\]<>#+\-=|~.!(){}])|[*_`[\]]/g, (_mark, escaped: string | undefined) => escaped ?? "")
    .replace(/\s+/g, " ");
}
