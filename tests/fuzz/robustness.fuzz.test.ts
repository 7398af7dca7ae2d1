import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArticle } from "../../src/content/article.js";
import { parseFrontMatter } from "../../src/content/front-matter.js";
import { decodeText } from "../../src/content/load.js";
import { isValidSlug, slugify } from "../../src/content/slug.js";
import { ingestRawText } from "../../src/ingest/raw-text.js";
import { analysisTextOf, blankMarkdownSyntax } from "../../src/nlp/analysis-text.js";
import { canonicalise, indexRegistry } from "../../src/nlp/canonical.js";
import { analyseArticle } from "../../src/nlp/extract.js";
import { loadTagger } from "../../src/nlp/tagger/index.js";
import { compileTaxonomy } from "../../src/nlp/topics.js";
import { MarkdownRenderer } from "../../src/render/markdown.js";
import { activeContent, htmlErrors } from "../support/well-formed.js";

/**
 * Issue 7, property-based: random and adversarial text fed to ingest,
 * front-matter parsing, slugging, extraction and Markdown rendering. No call
 * may throw, and rendered HTML is always well-formed with nothing that runs.
 *
 * Runs per property (kept to a few seconds each in `npm test`; scale all of
 * them with GAZETTE_FUZZ_SCALE=10 for a longer campaign by hand).
 */
const SCALE = Number(process.env.GAZETTE_FUZZ_SCALE ?? 1);
const RUNS = {
  frontMatter: 400 * SCALE,
  parseArticle: 400 * SCALE,
  decode: 500 * SCALE,
  slug: 1000 * SCALE,
  ingest: 400 * SCALE,
  blank: 500 * SCALE,
  extract: 120 * SCALE,
  markdown: 250 * SCALE,
};

/** Pieces that break parsers: delimiters, quotes, markup, template syntax, odd Unicode. */
const NASTY = [
  "---", "---\n", "...", "\r\n", "\r", "\n", "\t", " ", ":", ": ", "#", "- ", "? ", "|", ">", "&", "*", "!", "%", "@", "`",
  "'", '"', "\\", "[", "]", "{", "}", "(", ")", "<", "/>", "</", "<script>", "</script>", "<img src=x onerror=alert(1)>",
  "javascript:alert(1)", "JaVaScRiPt:", "data:text/html,", "<a href=\"javascript:x\">", "onclick=", "{{ 7*7 }}", "{% raw %}",
  "]]>", "<![CDATA[", "<!--", "-->", "&amp;", "&#58;", "&lt;", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u00a0", "\u200b",
  "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud800", "\udc00", "😀", "👩‍👩‍👧", "é", "e\u0301", "ß", "İ", "ǅ", "中文", "عربى",
  "Москва", "हिन्दी", "\u202e", "title: x", "date: 2025-05-07", "slug: ../x", "&a [*a]", "*a", "!!js/function", "__proto__",
  "constructor", "0x1F", "1e309", "yes", "null", "~", "2025-02-30", "[x](javascript:y)", "![i](x \"t\")", "```", "~~~", "    code",
  "> quote", "1. item", "Kabul", "Mohammad Sadiq", "Tehreek-e-Taliban Pakistan (TTP)", "U.S.", "Pakistan's", "(ABC)", "Smith & Sons",
];
const nastyText = (maxLength = 40) =>
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", maxLength: 6 }), fc.string({ unit: "grapheme-composite", maxLength: 8 })), { maxLength }).map((parts) => parts.join(""));
const anyText = fc.oneof(nastyText(), fc.string({ unit: "binary", maxLength: 80 }), fc.string({ unit: "grapheme", maxLength: 80 }));

/** A front matter of random fields (some right, some hostile) with a random body. */
const articleText = fc
  .record({
    bom: fc.boolean(),
    crlf: fc.boolean(),
    title: anyText,
    date: fc.oneof(fc.constant("2025-05-07"), fc.constant("2024-02-29"), anyText),
    slug: fc.option(anyText),
    extra: fc.array(fc.tuple(fc.constantFrom("summary", "source", "source_url", "entities", "topics", "updated", "titel", "x"), anyText), { maxLength: 3 }),
    quote: fc.constantFrom("json", "raw", "single"),
    body: nastyText(60),
  })
  .map(({ bom, crlf, title, date, slug, extra, quote, body }) => {
    const value = (v: string) => (quote === "json" ? JSON.stringify(v) : quote === "single" ? `'${v.replace(/'/g, "''")}'` : v);
    const lines = ["---", `title: ${value(title)}`, `date: ${value(date)}`, ...(slug === null ? [] : [`slug: ${value(slug)}`]), ...extra.map(([k, v]) => `${k}: ${value(v)}`), "---", body];
    const text = lines.join("\n");
    return (bom ? "\ufeff" : "") + (crlf ? text.replace(/\n/g, "\r\n") : text);
  });

describe("fuzz: front matter and article parsing never throw; results are consistent", () => {
  it(`parseFrontMatter on random text (${RUNS.frontMatter} runs)`, () => {
    fc.assert(
      fc.property(fc.oneof(articleText, anyText.map((t) => `---\n${t}\n---\n${t}`), anyText), (text) => {
        const result = parseFrontMatter("f.md", text);
        if ("issues" in result) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) {
            expect(issue.line).toBeGreaterThanOrEqual(1);
            expect(issue.column).toBeGreaterThanOrEqual(1);
            expect(issue.message.length).toBeGreaterThan(10);
          }
        } else {
          expect(text.slice(result.file.bodyOffset)).toBe(result.file.body);
          expect(typeof result.file.data).toBe("object");
        }
      }),
      { numRuns: RUNS.frontMatter },
    );
  });

  it(`parseArticle on random articles (${RUNS.parseArticle} runs): a valid article has a safe slug, a real date and exact offsets`, () => {
    fc.assert(
      fc.property(articleText, (text) => {
        const result = parseArticle("a.md", text);
        if ("issues" in result) {
          for (const issue of result.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
          return;
        }
        const a = result.article;
        expect(isValidSlug(a.slug)).toBe(true);
        expect(a.url).toMatch(/^\/articles\/\d{4}\/\d{2}\/[^/.\\]+\/$/u);
        expect(a.title.trim()).not.toBe("");
        expect(text.slice(a.bodyOffset)).toBe(a.body);
        if (a.titleOffset !== null) expect(text.slice(a.titleOffset, a.titleOffset + a.title.length)).toBe(a.title);
      }),
      { numRuns: RUNS.parseArticle },
    );
  });

  it(`decodeText on random bytes (${RUNS.decode} runs): text or an issue, never a throw`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = decodeText("b.md", bytes);
        if ("issue" in result) expect(result.issue.line).toBeGreaterThanOrEqual(1);
        else expect(Buffer.from(result.text, "utf8").equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: RUNS.decode },
    );
  });
});

describe("fuzz: slugs", () => {
  it(`slugify output is always empty or a valid one-segment slug (${RUNS.slug} runs)`, () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const slug = slugify(text);
        if (slug !== "") {
          expect(isValidSlug(slug)).toBe(true);
          expect(slug).not.toMatch(/[/\\.%?#\s]/);
          expect([...slug].length).toBeLessThanOrEqual(80);
          expect(slugify(slug)).toBe(slug);
        }
      }),
      { numRuns: RUNS.slug },
    );
  });
});

describe("fuzz: ingest", () => {
  it(`ingestRawText on random raw text (${RUNS.ingest} runs): an error, or an article that parses back with the same title`, () => {
    fc.assert(
      fc.property(anyText, fc.array(nastyText(20), { maxLength: 4 }), fc.boolean(), (headline, paragraphs, crlf) => {
        const raw = [headline, ...paragraphs].join(crlf ? "\r\n" : "\n");
        const result = ingestRawText("2025-05-07-fuzz.txt", raw, { source: "Wire & <Co>", sourceUrl: "https://example.org/a?b=1&c=2" });
        if ("error" in result) return;
        const parsed = parseArticle("fuzz.md", result.article.markdown);
        if (!("article" in parsed)) throw new Error(`ingest wrote an article that does not parse: ${JSON.stringify(parsed.issues)}\n${result.article.markdown}`);
        expect(parsed.article.title).toBe(result.article.title);
        expect(parsed.article.date).toBe("2025-05-07");
        expect(parsed.article.slug).toBe(result.article.slug);
        expect(result.article.relativePath).toMatch(/^2025\/05\/[^/\\]+\.md$/);
      }),
      { numRuns: RUNS.ingest },
    );
  });
});

describe("fuzz: extraction", () => {
  const tagger = loadTagger();
  const registry = indexRegistry([
    { name: "Tehreek-e-Taliban Pakistan", type: "organization", aliases: ["TTP", "Pakistani Taliban"], description: null, wikidata: null, hidden: false, slug: null },
    { name: 'Smith & "Sons"', type: "organization", aliases: ["S&S"], description: null, wikidata: null, hidden: false, slug: null },
  ]);
  const taxonomy = compileTaxonomy({ topics: [{ code: "t:1", label: "war", slug: "war", parent: null, keywords: ["war", "talib*"], headlineKeywords: [], entities: ["Kabul"], minScore: 1 }] });

  it(`blankMarkdownSyntax keeps length and line breaks (${RUNS.blank} runs)`, () => {
    fc.assert(
      fc.property(nastyText(80), (text) => {
        const blanked = blankMarkdownSyntax(text);
        expect(blanked.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) if (text[i] === "\n") expect(blanked[i]).toBe("\n");
      }),
      { numRuns: RUNS.blank },
    );
  });

  it(`canonicalise and analyseArticle with the real tagger (${RUNS.extract} runs): mentions point at their text`, () => {
    fc.assert(
      fc.property(articleText, nastyText(40), (text, plain) => {
        const entities = canonicalise(plain, tagger.tag(plain), registry);
        for (const e of entities) {
          expect(e.slug).toMatch(/^[\p{L}\p{N}\p{M}]+(-[\p{L}\p{N}\p{M}]+)*$/u);
          for (const m of e.mentions) expect(plain.slice(m.start, m.end)).toBe(m.text);
        }
        const parsed = parseArticle("a.md", text);
        if (!("article" in parsed)) return;
        const { article } = parsed;
        const analysis = analyseArticle(article, tagger, registry, taxonomy);
        // A mention's text is what the tagger read at its place in the file (analysis-text.ts): the file's text
        // there, but with spaces for any Markdown syntax blanked inside the name ("<![CDATA[U.S." reads "CDATA U.S.").
        const read = analysisTextOf(article).text;
        for (const e of analysis.entities) {
          for (const m of e.mentions) {
            expect(m.end - m.start).toBe(m.text.length);
            const at = m.start >= article.bodyOffset ? m.start - article.bodyOffset + article.title.length + 2 : m.start - article.titleOffset!;
            expect(read.slice(at, at + m.text.length)).toBe(m.text);
            for (let i = 0; i < m.text.length; i++) if (m.text[i] !== text[m.start + i]) expect(m.text[i]).toBe(" ");
          }
        }
      }),
      // (The example: a name across blanked syntax, which fast-check first found after 5,531 runs.)
      { numRuns: RUNS.extract, examples: [['---\ntitle: "Ⰰ"\ndate: "2024-02-29"\n---\n<![CDATA[U.S.', ""]] },
    );
  });
});

describe("fuzz: Markdown rendering", () => {
  const renderer = new MarkdownRenderer();
  it(`rendered bodies are well-formed HTML with no script, handler or script URL (${RUNS.markdown} runs)`, () => {
    fc.assert(
      fc.property(nastyText(60), fc.array(fc.tuple(fc.nat(200), fc.nat(30)), { maxLength: 3 }), (markdown, spans) => {
        const links = spans
          .map(([start, length]) => ({ start: Math.min(start, markdown.length), end: Math.min(start + length, markdown.length), url: "/entities/x-&-\"y\"/" }))
          .filter((l) => l.end > l.start);
        const html = renderer.render(markdown, links);
        expect(htmlErrors(`<div class="body">${html}</div>`, true)).toEqual([]);
        expect(activeContent(html, true)).toEqual([]);
        // (A raw-text search would flag '<script' inside a quoted attribute such as class="language-<script>",
        // which is inert; the parsed DOM is what a browser runs.)
      }),
      { numRuns: RUNS.markdown },
    );
  });
});
