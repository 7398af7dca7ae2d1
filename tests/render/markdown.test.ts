import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFrontMatter } from "../../src/content/front-matter.js";
import { slugify } from "../../src/content/slug.js";
import { escapeMarkdown, ingestRawText } from "../../src/ingest/raw-text.js";
import { MarkdownRenderer } from "../../src/render/markdown.js";
import { renderPlainParagraphs, type BodyLink } from "../../src/render/plain-markdown.js";
import { ROOT, SHARED } from "../support/cli.js";

/** mulberry32: a small seeded generator, so every failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const renderer = new MarkdownRenderer();

/** The fast path's output, checked against remark's; null when the body went to remark. */
function compare(markdown: string, links: BodyLink[]): string | null {
  const fast = renderPlainParagraphs(markdown, links);
  const reference = renderer.renderWithRemark(markdown, links);
  if (fast !== null && fast !== reference) {
    // The whole case, so that it can be replayed and reduced.
    expect({ markdown, links, fast }).toEqual({ markdown, links, fast: reference });
  }
  return fast;
}

/** Article bodies as ingest writes them, from the shared Reuters texts and the small fixture archive. */
function corpusBodies(): string[] {
  const bodies: string[] = [];
  for (const corpus of ["conll2003-train", "conll2003-dev"]) {
    const dir = path.join(SHARED, "corpora", corpus);
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".txt")).sort()) {
      const result = ingestRawText(name, readFileSync(path.join(dir, name), "utf8"), { date: "2020-01-01" });
      if (!("article" in result)) throw new Error(`${name}: ${result.error}`);
      bodies.push(bodyOf(name, result.article.markdown));
    }
  }
  const fixture = path.join(ROOT, "tests", "fixtures", "small-archive", "content", "articles");
  for (const name of readdirSync(fixture, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".md")).sort()) {
    bodies.push(bodyOf(name, readFileSync(path.join(fixture, name), "utf8")));
  }
  return bodies;
}

function bodyOf(name: string, text: string): string {
  const parsed = parseFrontMatter(name, text);
  if (!("file" in parsed)) throw new Error(`${name}: ${parsed.issues[0]?.message}`);
  return parsed.file.body;
}

const PREFIXES = ["/", "/news/", "https://example.org/archive/", "http://localhost:8080/"];
const CAPITALISED = /\p{Lu}[\p{L}\p{M}\p{N}'’.-]*(?: \p{Lu}[\p{L}\p{M}\p{N}'’.-]*)*/gu;

/** Links like the build's (first mention of a capitalised name), plus stray, overlapping and out-of-range ones. */
function entityLinks(body: string, next: () => number): BodyLink[] {
  const links: BodyLink[] = [];
  const prefix = PREFIXES[Math.floor(next() * PREFIXES.length)]!;
  const seen = new Set<string>();
  for (const match of body.matchAll(CAPITALISED)) {
    const slug = slugify(match[0]);
    if (slug === "" || seen.has(slug) || next() < 0.3) continue;
    seen.add(slug);
    links.push({ start: match.index, end: match.index + match[0].length, url: `${prefix}entities/${slug}/`, ...(next() < 0.1 ? { title: match[0] } : {}) });
  }
  for (let i = Math.floor(next() * 4); i > 0; i--) {
    const start = Math.floor(next() * (body.length + 20)) - 10;
    links.push({ start, end: start + Math.floor(next() * 30) - 3, url: `${prefix}entities/x-${i}/` });
  }
  return links;
}

describe("Markdown rendering: fast path against remark", () => {
  it("renders every ingested corpus body, with entity links, exactly as remark does, all by the fast path", () => {
    const bodies = corpusBodies();
    expect(bodies.length).toBeGreaterThan(1000);
    const next = random(20240501);
    let fastBodies = 0;
    let fastLinks = 0;
    for (const body of bodies) {
      const fast = compare(body, entityLinks(body, next));
      compare(body, []);
      if (fast !== null) {
        fastBodies++;
        fastLinks += fast.split("<a href=").length - 1;
      }
    }
    // Ingested prose is the fast path's whole point: all of it should take it, and many links should land.
    expect(fastBodies).toBe(bodies.length);
    expect(fastLinks).toBeGreaterThan(bodies.length);
  });

  const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  const ATOMS = [
    "word", "Geneva", "United Nations", "AT&T", "a&b", "&", "&amp;", "&AMP;", "&#12;", "&#x41;", "&#;", "&;", "&nbsp", "& T;",
    "<", "<b>", "</i>", "<http://x.org>", "<a@b.c>", "<!-- c -->", ">", "\"", "'", "“quoted”", "*", "**b**", "_", "__u__", "snake_case",
    "[", "]", "[a](b)", "[a]", "![i](j)", "!", "`", "``c``", "#", "=", "-", "--", "+", "~", "~~s~~", "|", "a|b", "1.", "2)", "12.", "1996.",
    "3,", "\t", " ", "  ", "\\", "\\\\", "\\a", "\\ ", "\\é", "{{ x }}", "%", "http://example.org", "www.example.org", "\u0000", "\u0001",
    "\u0008", "\u000b", "\u000c", "\u001f", "\u007f", "\u0085", "\u009f", "\ufdd0", "\ufffe", "\uffff", "\ufeff", "\u00a0", "\u2028",
    "\u200b", "é", "e\u0301", "中文", "😀", "\ud800", "\udc00", "\ud83f\udffe", "Ω", "ß",
  ];
  const STARTS = [" ", "  ", "    ", "\t", "# ", "#", "> ", "- ", "-", "+ ", "* ", "1. ", "1) ", "10. ", "= ", "===", "---", "***", "___", "```", "~~~", "<div>", "| a |", "[x]: /u", "\\", "2024 "];
  const ENDS = [" ", "  ", "\t", "\\", "\\\\", " \\", "&", "<"];
  const BREAKS = ["\n", "\n\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", "\r", "\n \n", "\n\t\n"];
  const URLS = [
    "/entities/geneva/", "/entities/中文/", "/e/😀/", "/e/\ud800/", "/e/%41b/", "/e/%zz/", "/e/100%/", "/e/a b/", "/e/\"q\"/", "/e/<x>/", "/e/&amp;/",
    "/e/it's/", "/e/`/", "/e/\\/", "/e/[x]/", "/e/^{|}/", "", "#top", "?q=1&r=2", "https://example.org/a:b", "HTTPS://example.org/", "http:x",
    "javascript:alert(1)", "mailto:a@b.c", "a:b/c", "/a:b", "?x:y", "#x:y", "xmpp:x", "data:text/html,x", "\u0000", "/e/\u0085/", "/e/\ufffe/",
  ];
  const TITLES = [undefined, undefined, undefined, "", "Geneva", "a \"quoted\" & 'single' `tick`", "<b>&amp;</b>", "\u0000\u0001\u0085", "中文 😀 \ud800"];

  /**
   * A body of random lines: plain words, escapes, and every kind of syntax and
   * strange character. Most bodies are near-plain (the odd hostile atom,
   * clean line breaks), the fast path's border; the rest are hostile throughout.
   * Most lines are escaped the way ingest does, over whatever they hold.
   */
  function hostileBody(next: () => number): string {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const nearPlain = next() < 0.6;
    const atoms = nearPlain ? 0.02 : 0.4;
    const escaped = next() < 0.6;
    const lines: string[] = [];
    for (let l = Math.floor(next() * 6); l >= 0; l--) {
      const tokens: string[] = [];
      for (let t = Math.floor(next() * 10); t >= 0; t--) {
        const r = next();
        tokens.push(r < atoms ? pick(ATOMS) : r < atoms + (nearPlain ? 0.02 : 0.1) ? `\\${pick(PUNCTUATION.split(""))}` : pick(["The", "minister", "said", "1996-08-27", "on", "Monday", "talks", "in", "Paris", "Ben", "1.5", "2)"]));
      }
      let line = tokens.join(nearPlain || next() < 0.8 ? " " : pick(["", "\t", "  "]));
      if (next() < (nearPlain ? 0.03 : 0.3)) line = pick(STARTS) + line;
      if (next() < (nearPlain ? 0.03 : 0.2)) line += pick(ENDS);
      lines.push(escaped ? escapeMarkdown(line) : line);
    }
    const cleanBreaks = nearPlain || next() < 0.5;
    let body = "";
    for (const [i, line] of lines.entries()) {
      const lineBreak = cleanBreaks || next() < 0.7 ? pick(["\n", "\n\n", "\n\n", "\n\n\n"]) : pick(BREAKS);
      body += (i > 0 || next() < 0.1 ? lineBreak : "") + line;
    }
    return next() < 0.7 ? `${body}\n` : body;
  }

  function hostileLinks(body: string, next: () => number): BodyLink[] {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const links: BodyLink[] = [];
    for (let i = Math.floor(next() * 6); i > 0; i--) {
      let start: number;
      let end: number;
      const words = [...body.matchAll(/[^\s\\]+/g)];
      if (words.length > 0 && next() < 0.6) {
        const word = pick(words);
        start = word.index;
        end = start + word[0].length;
      } else {
        start = Math.floor(next() * (body.length + 4)) - 2;
        end = start + Math.floor(next() * 12) - 2;
      }
      const title = pick(TITLES);
      links.push({ start, end, url: next() < 0.5 ? `/entities/${pick(["geneva", "中文", "x-1"])}/` : pick(URLS), ...(title === undefined ? {} : { title }) });
    }
    return links;
  }

  it("renders random hostile bodies with random links exactly as remark does", () => {
    let fastBodies = 0;
    let fastLinks = 0;
    let bodies = 0;
    for (const seed of [1, 2, 3, 4]) {
      const next = random(seed);
      for (let i = 0; i < 1000; i++) {
        const body = hostileBody(next);
        const fast = compare(body, hostileLinks(body, next));
        bodies++;
        if (fast !== null) {
          fastBodies++;
          fastLinks += fast.split("<a ").length - 1;
        }
      }
    }
    // The comparison means something only if the fast path took many of these bodies, links and all, and left many to remark.
    expect(fastBodies).toBeGreaterThan(bodies * 0.3);
    expect(fastBodies).toBeLessThan(bodies * 0.8);
    expect(fastLinks).toBeGreaterThan(500);
  });

  it("takes plain paragraphs and escapes, and leaves everything else to remark", () => {
    const plain = [
      "", "\n", "One.\n", "One.\n\nTwo\nlines.\n\n\n", "\\# not a heading\n\n1\\. not a list\n\n\\- \\> \\+ \\= \\| \\~ \\` \\* \\_ \\[x\\] \\<b\\>\n",
      "AT&T and a&b > \" ' ! ] ~ | # = - + 1996.\n", "a\\b \\é \\😀 C:\\dir\\file\n", "tab\tinside\n", "\u0085 \ufffe \ud800 😀\n", "no final newline", "1.5 million\n\n2)x\n\n1996.5",
    ];
    for (const body of plain) expect(renderPlainParagraphs(body, []), JSON.stringify(body)).not.toBeNull();
    const other = [
      " lead", "\tlead", "trail \n", "trail\t", "# h", "> q", "- l", "+ l", "* l", "1. l", "2) l", "3.", "4)\tx", "= x", "_ x", "~~~", "```", "<div>", "| t |",
      "a\\\nb", "end\\", "a *b*", "a _b_", "`c`", "[l](u)", "<http://x.y>", "&amp;", "&#65;", "&x;", "a\r\nb", "a\rb", "a\u0000b", "\u0001",
      "\ufeffbom", "a\n \nb",
    ];
    for (const body of other) expect(renderPlainParagraphs(body, []), JSON.stringify(body)).toBeNull();
  });

  it("places links as remark's rendering does: not over escapes, not overlapping, not across paragraphs", () => {
    const body = "Talks in \\*Geneva\\* went on.\n\nParis and Rome\nmet Bern.\n";
    const at = (text: string, url: string, title?: string): BodyLink => {
      const start = body.indexOf(text);
      return { start, end: start + text.length, url, ...(title === undefined ? {} : { title }) };
    };
    const links = [at("Geneva", "/g/"), at("Paris", "/p/", "Paris & co"), at("Paris and", "/pa/"), at("Rome\nmet", "/rm/"), at("Bern.\n", "/b/")];
    const html = compare(body, links);
    expect(renderer.render(body, links)).toBe(html);
    expect(html).toBe('<p>Talks in *Geneva* went on.</p>\n<p><a href="/p/" title="Paris &#x26; co">Paris</a> and <a href="/rm/">Rome\nmet</a> Bern.</p>\n');
    // A link remark-html would print differently (its scheme is dropped by the sanitiser) sends the body to remark.
    expect(compare("Geneva.\n", [{ start: 0, end: 6, url: "javascript:alert(1)" }])).toBeNull();
    expect(renderer.render("Geneva.\n", [{ start: 0, end: 6, url: "javascript:alert(1)" }])).toBe("<p><a>Geneva</a>.</p>\n");
  });
});
