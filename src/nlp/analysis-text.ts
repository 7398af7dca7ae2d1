import type { Article } from "../content/article.js";

/**
 * What the tagger reads of an article: the headline, a blank line, then the
 * body with Markdown syntax blanked out (link targets, code, HTML tags,
 * escapes and emphasis marks become spaces), so offsets still line up with
 * the file and no URL or markup is mistaken for a name.
 */
export interface AnalysisText {
  text: string;
  /** Offset in the file's text of an offset in `text`, or null for the separator. */
  toFileOffset(offset: number): number | null;
}

const SEPARATOR = "\n\n";

export function analysisTextOf(article: Pick<Article, "title" | "body" | "bodyOffset" | "titleOffset">): AnalysisText {
  const titleLength = article.title.length;
  const bodyStart = titleLength + SEPARATOR.length;
  return {
    text: article.title + SEPARATOR + blankMarkdownSyntax(article.body),
    toFileOffset(offset) {
      if (offset < titleLength) return article.titleOffset === null ? null : article.titleOffset + offset;
      if (offset < bodyStart) return null;
      return article.bodyOffset + offset - bodyStart;
    },
  };
}

const blank = (match: string) => match.replace(/[^\n]/g, " ");

/** Same length, same line breaks; only prose stays. */
export function blankMarkdownSyntax(markdown: string): string {
  // Every pattern below runs in time linear in the text: none can rescan the rest of a line (or of the
  // text) from each of many starting points, which made a 20 MB or 100,000-line body take minutes.
  // Most prose has no code, tags, links or emphasis: a pattern is run only when the text holds a character
  // sequence every one of its matches contains (a pass that cannot match changes nothing).
  let text = blankComments(markdown);
  if (text.includes("```") || text.includes("~~~")) text = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank);
  if (text.includes("`")) text = text.replace(/`[^`\n]*`/g, blank);
  if (text.includes("<")) text = text.replace(/<\/?[A-Za-z][^<>\n]*>/g, blank);
  if (text.includes("](")) text = text.replace(/\]\([^()\n]*\)/g, blank);
  if (text.includes("][")) text = text.replace(/\]\[[^\]\n]*\]/g, blank);
  if (text.includes("]:")) text = text.replace(/^[ \t]*\[[^\]\n]+\]:[^\n]*$/gm, blank);
  if (text.includes("://")) text = text.replace(/https?:\/\/[^\s)>\]]+/g, blank);
  if (text.includes("\\")) text = text.replace(/\\(?=[\\`*_[\]<>#+\-=|~.!(){}])/g, " ");
  if (text.includes("*") || text.includes("_")) text = text.replace(/[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}/g, blank);
  if (text.includes("[")) text = text.replace(/!?\[/g, blank);
  return text.replace(/^(\s{0,3})(#{1,6}|>+|[-+*]|\d+[.)])(?=\s)/gm, (_m, space: string, marker: string) => space + blank(marker));
}

/** HTML comments blanked; an unclosed "<!--" ends the search (no later one can close either). */
function blankComments(markdown: string): string {
  let out = "";
  let from = 0;
  for (let open = markdown.indexOf("<!--"); open !== -1; open = markdown.indexOf("<!--", from)) {
    const close = markdown.indexOf("-->", open + 4);
    if (close === -1) break;
    out += markdown.slice(from, open) + blank(markdown.slice(open, close + 3));
    from = close + 3;
  }
  return from === 0 ? markdown : out + markdown.slice(from);
}
