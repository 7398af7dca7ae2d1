// Markdown bodies that are plain paragraphs, printed directly: what nearly every ingested article is, and what
// the render workers do without loading remark at all (see markdown.ts for the rest).
import { outputSafeText } from "../content/text.js";

/** A link to add over a stretch of the Markdown source (offsets into the body). */
export interface BodyLink {
  start: number;
  end: number;
  url: string;
  title?: string;
}

/** The links in order of their start. */
export function sortLinks(links: BodyLink[]): BodyLink[] {
  return [...links].sort((a, b) => a.start - b.start);
}

/** A text node cut at its links: plain stretches, and linked ones with their link. */
export type Piece = string | { text: string; link: BodyLink };

/**
 * Places the pending links (sorted by start; placed and passed-over ones are
 * taken off) in the text node that spans [from, to) of the source, or returns
 * null when no link lands in it. Both renderings place links with this one
 * function, so they agree on which links appear.
 */
export function placeLinks(from: number, to: number, value: string, pending: BodyLink[]): Piece[] | null {
  // Escapes and character references make a value differ from its source; only aligned text is linked.
  if (to - from !== value.length) return null;
  const out: Piece[] = [];
  let cursor = 0;
  while (pending.length > 0 && pending[0]!.start < to) {
    const link = pending.shift()!;
    // A link that began in an earlier node, or runs past this one, cannot be placed.
    if (link.start < from + cursor || link.end > to) continue;
    const start = link.start - from;
    const end = link.end - from;
    if (start > cursor) out.push(value.slice(cursor, start));
    out.push({ text: value.slice(start, end), link });
    cursor = end;
  }
  if (out.length === 0) return null;
  if (cursor < value.length) out.push(value.slice(cursor));
  return out;
}

/*
 * The fast path. It accepts only bodies that remark (CommonMark, no
 * extensions) reads as paragraphs each holding exactly one text node, whose
 * value is the source with the escaping backslashes taken out:
 *
 * - no character that means something anywhere: C0 controls other than tab and
 *   line feed (CR ends lines, NUL becomes U+FFFD), a leading BOM (the parser
 *   drops it, shifting offsets), and nothing that could be a character
 *   reference ('&', then letters, digits or '#', then ';');
 * - no line that could be anything but paragraph text: none starts with a
 *   space or tab (indented code, stripped indentation, blank-looking lines),
 *   with a block marker (# > - + * = _ ` ~ < |: headings, quotes, lists,
 *   thematic breaks, setext underlines, fences, HTML, tables) or with what
 *   could be an ordered-list marker (digits, '.' or ')', then a space, a tab
 *   or the line end: "12. ", "3)"), and none ends with a space or tab
 *   (hard breaks; stripped blanks). Blank lines are therefore empty lines;
 *   paragraphs are the runs of non-empty lines between them;
 * - no inline syntax: every '`' '*' '_' '[' '<' (code, emphasis, links,
 *   images, autolinks, HTML) is escaped, and no backslash stands at a line end
 *   or at the end (hard break). A backslash before ASCII punctuation is an
 *   escape, any other one is a literal backslash.
 *
 * The printing is remark-html's: "<p>" + text + "</p>" per paragraph, joined by
 * "\n", a final "\n"; text escapes '&' and '<' as hexadecimal references
 * (hast-util-to-html), attributes '\0' '"' '&' "'" '`'. Link URLs are
 * normalised as mdast-util-to-hast does only when they are simple (safe ASCII,
 * '%' plus two alphanumerics, non-ASCII BMP characters) and kept only when
 * hast-util-sanitize certainly keeps them; any other link sends the body to
 * remark.
 */
const NOT_PLAIN_ANYWHERE = /[\0-\x08\x0b-\x1f]|&[#0-9A-Za-z]*;|^\ufeff/;
const NOT_PLAIN_LINE = /^(?:[\t #*+\-<=>_`|~]|\d+[.)](?=[\t ]|$))|[\t ]$/m;
/** Every escape (kept), and the syntax that sends a body to remark. */
const INLINE = /\\(?:[!-/:-@[-`{-~]|$)|[`*_[<]/gm;
const PARAGRAPH = /[^\n]+(?:\n[^\n]+)*/g;
/** URLs that micromark's normalizeUri changes only by percent-encoding their non-ASCII characters. */
const SIMPLE_URL = /^(?:[!#$&-;=?-Z_a-z~\u0080-\ud7ff\ue000-\uffff]|%[0-9A-Za-z]{2})*$/;
const NON_ASCII = /[\u0080-\ud7ff\ue000-\uffff]/g;

/**
 * The HTML remark would make of a body of plain paragraphs, with the links
 * placed as remark's rendering places them; null for any other body.
 */
export function renderPlainParagraphs(markdown: string, links: BodyLink[]): string | null {
  if (NOT_PLAIN_ANYWHERE.test(markdown) || NOT_PLAIN_LINE.test(markdown)) return null;
  // Offsets of the backslashes that escape a character: remark's text leaves them out.
  const escapes: number[] = [];
  for (const match of markdown.matchAll(INLINE)) {
    if (match[0].length !== 2) return null;
    escapes.push(match.index);
  }
  const pending = links.length > 0 ? sortLinks(links) : links;
  let html = "";
  let nextEscape = 0;
  for (const paragraph of markdown.matchAll(PARAGRAPH)) {
    const from = paragraph.index;
    const to = from + paragraph[0].length;
    let value = paragraph[0];
    if (nextEscape < escapes.length && escapes[nextEscape]! < to) {
      value = "";
      let last = from;
      for (; nextEscape < escapes.length && escapes[nextEscape]! < to; nextEscape++) {
        value += markdown.slice(last, escapes[nextEscape]);
        last = escapes[nextEscape]! + 1;
      }
      value += markdown.slice(last, to);
    }
    let inner: string;
    const pieces = pending.length > 0 ? placeLinks(from, to, value, pending) : null;
    if (pieces === null) {
      inner = escapeText(value);
    } else {
      inner = "";
      for (const piece of pieces) {
        if (typeof piece === "string") {
          inner += escapeText(piece);
          continue;
        }
        const href = plainHref(piece.link.url);
        if (href === null) return null;
        const title = piece.link.title ?? null;
        inner += `<a href="${escapeAttribute(href)}"${title === null ? "" : ` title="${escapeAttribute(title)}"`}>${escapeText(piece.text)}</a>`;
      }
    }
    html += html === "" ? `<p>${inner}</p>` : `\n<p>${inner}</p>`;
  }
  return outputSafeText(html === "" ? html : `${html}\n`);
}

/** The href remark-html prints for a link URL, or null when the URL is not simple enough to be sure of it. */
function plainHref(url: string): string | null {
  if (!SIMPLE_URL.test(url)) return null;
  const href = url.replace(NON_ASCII, encodeURIComponent);
  // hast-util-sanitize drops an href whose scheme is not on its list; only ones it certainly keeps are taken.
  const colon = href.indexOf(":");
  if (colon >= 0 && !/^https?:/.test(href) && !/[/?#]/.test(href.slice(0, colon))) return null;
  return href;
}

function escapeText(text: string): string {
  return text.replace(/[&<]/g, (ch) => (ch === "&" ? "&#x26;" : "&#x3C;"));
}

function escapeAttribute(value: string): string {
  return value.replace(/[\0"&'`]/g, (ch) => `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`);
}
