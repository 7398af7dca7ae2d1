// The site stage's fast paths against the plain implementations they replace (kept here as references):
// keyword in context, Markdown-to-text, escaping, sitemap URLs and timelines must come out the same,
// character for character, on random and adversarial input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArticle, type Article } from "../../src/content/article.js";
import { DEFAULT_SITE } from "../../src/content/site-config.js";
import { outputSafeText } from "../../src/content/text.js";
import { buildArchiveIndex, entityFacts, type ArchiveIndex } from "../../src/index/archive-index.js";
import { canonicalise, indexRegistry } from "../../src/nlp/canonical.js";
import type { ArticleAnalysis } from "../../src/nlp/extract.js";
import type { TaggedSpan } from "../../src/nlp/types.js";
import { mentionContext, plainText, type MentionContext } from "../../src/site/context.js";
import { escapeXml, scriptSafe } from "../../src/site/escape.js";
import { apiFiles } from "../../src/site/api.js";
import { atomFeeds } from "../../src/site/feeds.js";
import { formatMonth } from "../../src/site/format.js";
import { SitemapCollector } from "../../src/site/sitemap.js";
import { buildPages, eachPage, entityUrl, PAGE_LISTS, pageCounts, paginate, type PageContext } from "../../src/site/pages.js";
import { articleTimeline, monthNumber, monthTimeline } from "../../src/site/timeline.js";
import { encodeUrl, href, locate } from "../../src/site/urls.js";

const RUNS = 600 * Number(process.env.GAZETTE_FUZZ_SCALE ?? 1);

// ---- References: the straightforward versions. ----

function referencePlainText(markdown: string): string {
  return outputSafeText(markdown)
    .replace(/<[^>]*>/g, "")
    .replace(/\]\([^)]*\)/g, "")
    .replace(/\\([\\`*_[\]<>#+\-=|~.!(){}])|[*_`[\]]/g, (_mark, escaped: string | undefined) => escaped ?? "")
    .replace(/\s+/g, " ");
}

function referenceContext(body: string, start: number, end: number): MentionContext {
  let from = start;
  while (from > 0 && start - from < 160 && body[from - 1] !== "\n" && !(/[.!?]/.test(body[from - 2] ?? "") && /\s/.test(body[from - 1]!))) from--;
  let to = end;
  while (to < body.length && to - end < 160 && body[to] !== "\n" && !(/[.!?]/.test(body[to]!) && /\s/.test(body[to + 1] ?? " "))) to++;
  if (to < body.length && /[.!?]/.test(body[to]!)) to++;
  const cutBefore = from > 0 && body[from - 1] !== "\n" && !/[.!?]\s$/.test(body.slice(Math.max(0, from - 2), from));
  const cutAfter = to < body.length && body[to] !== "\n" && !/[.!?]/.test(body[to - 1] ?? "");
  return {
    before: (cutBefore ? "…" : "") + referencePlainText(body.slice(from, start)).trimStart(),
    match: referencePlainText(body.slice(start, end)),
    after: referencePlainText(body.slice(end, to)).trimEnd() + (cutAfter ? "…" : ""),
  };
}

function referenceEscapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function referenceJsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function referenceTimeline(dates: readonly string[], language: string): { svg: string; summary: string } | null {
  if (dates.length === 0) return null;
  const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
  const monthKey = (index: number) => `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
  const short = new Intl.DateTimeFormat(language, { month: "short", year: "numeric", timeZone: "UTC" });
  const perMonth = new Map<string, number>();
  let first = "9999-99";
  let last = "0000-00";
  for (const date of dates) {
    const month = date.slice(0, 7);
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
    if (month < first) first = month;
    if (month > last) last = month;
  }
  const byYear = monthIndex(last) - monthIndex(first) + 1 > 60;
  const buckets: { key: string; label: string; count: number }[] = [];
  if (byYear) {
    const perYear = new Map<string, number>();
    for (const [month, n] of perMonth) perYear.set(month.slice(0, 4), (perYear.get(month.slice(0, 4)) ?? 0) + n);
    for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year++) buckets.push({ key: String(year), label: String(year), count: perYear.get(String(year)) ?? 0 });
  } else {
    for (let i = monthIndex(first); i <= monthIndex(last); i++) buckets.push({ key: monthKey(i), label: formatMonth(monthKey(i), language), count: perMonth.get(monthKey(i)) ?? 0 });
  }
  const peak = buckets.reduce((best, b) => (b.count > best.count ? b : best), buckets[0]!);
  const total = dates.length;
  const span = buckets.length === 1 ? `in ${buckets[0]!.label}` : `from ${buckets[0]!.label} to ${buckets[buckets.length - 1]!.label}`;
  const summary = buckets.length === 1 ? `${total} ${total === 1 ? "article" : "articles"} ${span}.` : `Articles per ${byYear ? "year" : "month"} ${span}; most in ${peak.label} (${peak.count}).`;
  const width = Math.max(buckets.length * 12 - 2, 120);
  const height = 64;
  const bars = buckets.map((bucket, i) => {
    const h = bucket.count === 0 ? 0 : Math.max(2, Math.round((bucket.count / peak.count) * 48));
    const tip = `${bucket.label}: ${bucket.count} ${bucket.count === 1 ? "article" : "articles"}`;
    return h === 0
      ? `<rect class="tl-empty" x="${i * 12}" y="47" width="10" height="1"><title>${referenceEscapeXml(tip)}</title></rect>`
      : `<rect class="tl-bar" x="${i * 12}" y="${48 - h}" width="10" height="${h}"><title>${referenceEscapeXml(tip)}</title></rect>`;
  });
  const startLabel = byYear ? buckets[0]!.label : short.format(new Date(`${buckets[0]!.key}-01T00:00:00Z`));
  const endLabel = byYear ? buckets[buckets.length - 1]!.label : short.format(new Date(`${buckets[buckets.length - 1]!.key}-01T00:00:00Z`));
  const labels = [`<text class="tl-label" x="0" y="${height - 3}">${referenceEscapeXml(startLabel)}</text>`];
  if (buckets.length > 1) labels.push(`<text class="tl-label" x="${width}" y="${height - 3}" text-anchor="end">${referenceEscapeXml(endLabel)}</text>`);
  const svg = [`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-hidden="true" focusable="false">`, ...bars, ...labels, `</svg>`].join("");
  return { svg, summary };
}

// ---- Input. ----

/** Text made of pieces that each step of the cleaning cares about, and plain words. */
const PIECES = [
  "word", "Kabul", " ", "  ", "\n", "\n\n", "\t", "\r\n", ".", ". ", "! ", "? ", "?", "!", ".\n", "…", "*", "**", "_", "`", "[", "]", "](", "](http://x)", ")",
  "\\", "\\*", "\\.", "\\a", "<b>", "</b>", "<", ">", "&", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\u0007", "\u001b", "\u0085", "\ufffe", "\ud83d\ude00",
  "\ud83d", "\ude00", "é", "日本", "\"", "'",
];
const text = (maxLength: number) => fc.array(fc.constantFrom(...PIECES), { maxLength }).map((parts) => parts.join(""));
/** A body and a mention in it, at any place (the edges included). */
const withMention = (bodies: fc.Arbitrary<string>) =>
  bodies.chain((body) =>
    fc.tuple(fc.constant(body), fc.integer({ min: 0, max: body.length }), fc.integer({ min: 0, max: 12 })).map(([b, start, length]) => ({ body: b, start, end: Math.min(b.length, start + length) })),
  );
const bodyWithMention = withMention(text(80));
/** Long stretches of words between the breaks, so a sentence can run past the 160 characters a context shows. */
const longBodyWithMention = withMention(
  fc.array(fc.oneof({ weight: 40, arbitrary: fc.constantFrom("word ", "Kabul ", "words, ") }, { weight: 1, arbitrary: fc.constantFrom(...PIECES) }), { maxLength: 240 }).map((parts) => parts.join("")),
);

describe("keyword in context", () => {
  it("plainText is the four cleaning steps, whichever of them it skips", () => {
    fc.assert(
      fc.property(text(40), (markdown) => {
        expect(plainText(markdown)).toBe(referencePlainText(markdown));
      }),
      { numRuns: RUNS },
    );
  });

  it("mentionContext gives the reference's context", () => {
    for (const bodies of [bodyWithMention, longBodyWithMention]) {
      fc.assert(
        fc.property(bodies, ({ body, start, end }) => {
          expect(mentionContext(body, start, end)).toEqual(referenceContext(body, start, end));
        }),
        { numRuns: RUNS },
      );
    }
  });

  it("reads no further than a sentence or 160 characters either side, in a long body", () => {
    const body = `${"Filler words here. ".repeat(40)}A long sentence ${"without a stop ".repeat(30)}names Kabul here ${"and goes on ".repeat(30)}to the end.`;
    const start = body.indexOf("Kabul");
    expect(mentionContext(body, start, start + 5)).toEqual(referenceContext(body, start, start + 5));
    // A sentence starting 159 characters before the mention: its stop is just outside the 160 shown.
    const edge = `${"A".repeat(9)}. ${"w".repeat(159)}Kabul.`;
    expect(mentionContext(edge, 170, 175)).toEqual({ before: "w".repeat(159), match: "Kabul", after: "." });
  });
});

describe("escaping", () => {
  it("escapeXml and scriptSafe are their chains of replacements", () => {
    fc.assert(
      fc.property(text(30), (value) => {
        expect(escapeXml(value)).toBe(referenceEscapeXml(value));
        expect(scriptSafe(JSON.stringify({ value, list: [value, 1] }))).toBe(referenceJsonForScript({ value, list: [value, 1] }));
        expect(scriptSafe(JSON.stringify(value))).toBe(referenceJsonForScript(value));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("URLs", () => {
  it("href drops one leading slash, as before", () => {
    const location = { baseUrl: "https://news.example.org", pathPrefix: "/sub/" };
    for (const url of ["/entities/kabul/", "entities/kabul/", "//x/", "", "/"]) expect(href(location, url)).toBe(location.pathPrefix + url.replace(/^\//, ""));
  });

  it("encodeUrl is the URL parser's form, with or without the parse", () => {
    const urls = [
      "https://news.example.org/entities/kabul/",
      "https://news.example.org/",
      "https://news.example.org",
      "https://news.example.org/sub/articles/2025/05/a-b_c~d/",
      "https://news.example.org/entities/北京/",
      "https://news.example.org/a b/",
      "https://news.example.org/./x/",
      "https://news.example.org/a/../b/",
      "https://news.example.org/.hidden/",
      "https://news.example.org/x%20y/",
      "https://news.example.org/x?y=1",
      "https://news.example.org/x#y",
      "https://NEWS.example.org/x/",
      "https://news.example.org:443/x/",
      "https://news.example.org:8443/x/",
      "http://news.example.org:80/x/",
      "https://bücher.example/x/",
      "https://user@news.example.org/x/",
      "https://news.example.org//double//slash/",
      "https://news.example.org/x\ty/",
      "https://news.example.org\\x/",
    ];
    for (const url of urls) expect(encodeUrl(url), url).toBe(new URL(url).href);
  });
});

describe("timelines", () => {
  const month = fc.tuple(fc.integer({ min: 1990, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }));
  const dates = fc.array(month, { minLength: 1, maxLength: 30 }).map((list) => list.map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`));

  it("articleTimeline draws what the reference draws, over months and over years", () => {
    fc.assert(
      fc.property(dates, (list) => {
        expect(articleTimeline(list, "en")).toEqual(referenceTimeline(list, "en"));
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it("monthTimeline on month numbers is articleTimeline on the dates", () => {
    fc.assert(
      fc.property(dates, (list) => {
        expect(monthTimeline(list.map(monthNumber), "en")).toEqual(articleTimeline(list, "en"));
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it("takes dates that are not YYYY-MM-DD by their text, as before (and fails where it failed)", () => {
    const outcome = (draw: () => unknown) => {
      try {
        return draw();
      } catch {
        return "throws";
      }
    };
    for (const list of [["0999-05-01", "1001-01-01"], ["2025-13-01", "2026-01-01"], ["2025-00-01"], ["2025-5-01", "2025-06-01"], ["0999-05-01", "2020-01-01"]]) {
      expect(outcome(() => articleTimeline(list, "en"))).toEqual(outcome(() => referenceTimeline(list, "en")));
    }
    expect(monthNumber("2025-13-01")).toBe(-1);
    expect(monthNumber("0999-01-01")).toBe(-1);
    expect(monthNumber("2025-05-07")).toBe(2025 * 12 + 4);
  });
});

describe("pages from the index", () => {
  // A small archive whose titles name entities too (the body link and context take the first mention in the body).
  const POOL = ["Anna Berg", "Omar Said", "Lena Park", "Ravi Nair", "Sara Cole", "Ivan Petrov"];
  const articles: Article[] = [];
  const analyses = new Map<Article, ArticleAnalysis>();
  for (let i = 0; i < 30; i++) {
    const names = POOL.filter((_, k) => (i * 7 + k * 3) % 5 < 2);
    const title = names[0] ? `${names[0]} In The News, Part ${i}` : `Quiet Day ${i}`;
    const body = names.map((name, k) => `${k % 2 ? "Later, " : ""}${name} spoke at length about *things* [here](http://x).${k % 3 ? `\n\n${name} left.` : " Then"}`).join(" ") || "Nothing.";
    const date = `2024-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 27)).padStart(2, "0")}`;
    const parsed = parseArticle(`a${i}.md`, `---\ntitle: ${title}\ndate: ${date}\nsummary: About ${names.join(" & ") || "nothing"} <today>\n---\n${body}\n`);
    if (!("article" in parsed)) throw new Error(JSON.stringify(parsed.issues));
    const a = parsed.article;
    const text = `${a.title}\n\n${a.body}`;
    const spans: TaggedSpan[] = [];
    for (const name of names) for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + name.length)) spans.push({ start: at, end: at + name.length, type: "person" });
    spans.sort((x, y) => x.start - y.start);
    // Offsets as the extractor reports them: the title's from titleOffset, the body's from bodyOffset.
    const titleEnd = a.title.length;
    const entities = canonicalise(text, spans, indexRegistry([])).map((e) => ({
      ...e,
      mentions: e.mentions.map((m) => (m.start < titleEnd ? { ...m, start: m.start + (a.titleOffset ?? 0), end: m.end + (a.titleOffset ?? 0) } : { ...m, start: m.start - titleEnd - 2 + a.bodyOffset, end: m.end - titleEnd - 2 + a.bodyOffset })),
    }));
    articles.push(a);
    analyses.set(a, { entities, topics: [] });
  }
  const topics = [{ code: "t1", label: "topic", slug: "topic", parent: null, keywords: [], headlineKeywords: [], entities: [], minScore: 3 }];
  const site = { ...DEFAULT_SITE, pageSize: 4, feedSize: 3 };
  const location = locate("https://news.example.org/sub/");
  const renderBody = (a: Article, links: unknown) => `${a.hash}${JSON.stringify(links)}`;

  it("are the same whether the index brings its entity facts or the pages read the mentions", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    expect(index.articles.every((indexed) => entityFacts(indexed))).toBe(true);
    const withFacts = JSON.stringify(buildPages({ index, site, location, renderBody }));
    // Copies of the articles: the pages read their mentions.
    const copies = { ...index, articles: index.articles.map((indexed) => ({ ...indexed })) };
    expect(copies.articles.some((indexed) => entityFacts(indexed))).toBe(false);
    const withoutFacts = JSON.stringify(buildPages({ index: copies, site, location, renderBody }));
    expect(withoutFacts).toBe(withFacts);
    expect(withFacts).toContain("Anna Berg");
  });

  it("are counted list by list without being made (the build's progress total)", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const pages = buildPages({ index, site, location, renderBody });
    const lengths = Object.fromEntries(PAGE_LISTS.map((list) => [list, pages[list].length]));
    expect(pageCounts(index, site.pageSize)).toEqual(lengths);
    expect(lengths.entity).toBeGreaterThan(index.entities.length);
    expect(lengths.topic).toBe(1);
  });

  it("make each entity page's contexts whatever the order of the index's lists", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    // An index edited by hand: each entity's articles in another order than the one its articles name it in.
    for (const entity of index.entities) entity.articles.reverse();
    const positionOf = new Map(index.articles.map((indexed, position) => [href(location, indexed.article.url), position]));
    const pages = buildPages({ index, site, location, renderBody });
    let checked = 0;
    for (const page of pages.entity) {
      const slug = page.url.split("/")[2]!;
      for (const item of page.items) {
        const indexed = index.articles[positionOf.get(item.card.href)!]!;
        const first = indexed.mentions.get(slug)!.mentions.find((m) => m.start >= indexed.article.bodyOffset);
        const offset = indexed.article.bodyOffset;
        expect(item.context).toEqual(first ? referenceContext(indexed.article.body, first.start - offset, first.end - offset) : null);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("writes each article's JSON-LD as JSON.stringify writes the object, made safe for a <script> block", () => {
    const nasty = ["</script><!-- x", "Line\u2028break \u2029", 'Quote " and \\ back', "A & B < C > D", "Emoji \ud83d\ude00 and \u00e9"];
    const extra: Article[] = nasty.map((title, i) => {
      const source = i % 2 ? `source: ${JSON.stringify(title)}\nsource_url: https://wire.example.com/${i}?a=1&b=<2>\n` : "";
      const parsed = parseArticle(`n${i}.md`, `---\ntitle: ${JSON.stringify(title)}\ndate: 2024-03-0${i + 1}\nsummary: ${JSON.stringify(`${title} summary`)}\n${source}---\nAnna Berg said ${title}.\n`);
      if (!("article" in parsed)) throw new Error(JSON.stringify(parsed.issues));
      return parsed.article;
    });
    const all = [...articles, ...extra];
    const allAnalyses = new Map(analyses);
    for (const a of extra) {
      const at = a.body.indexOf("Anna Berg");
      const mention = { text: "Anna Berg", start: a.bodyOffset + at, end: a.bodyOffset + at + 9 };
      allAnalyses.set(a, { entities: [{ key: "anna berg", name: "Anna Berg", type: "person", slug: "anna-berg", aliases: [], mentions: [mention, mention, mention], acronyms: [], registered: false }], topics: [] });
    }
    const odd = { ...site, title: "Site </script>", publisher: "Pub & <Co>", language: "en-GB" };
    const index = buildArchiveIndex({ articles: all, analyses: allAnalyses, registry: [], topics });
    const pages = buildPages({ index, site: odd, location, renderBody });
    const absoluteUrl = (url: string) => location.baseUrl + href(location, url);
    pages.article.forEach((page, position) => {
      const indexed = index.articles[position]!;
      const a = indexed.article;
      const thing = (slug: string) => {
        const e = index.entityBySlug.get(slug)!;
        return { "@type": e.type === "person" ? "Person" : "Thing", name: e.name, url: absoluteUrl(`/entities/${e.slug}/`), ...(e.wikidata ? { sameAs: `https://www.wikidata.org/wiki/${e.wikidata}` } : {}) };
      };
      const origin = a.sourceUrl ? new URL(a.sourceUrl).origin : null;
      const source = a.source ? { "@type": "Organization", name: a.source, ...(origin ? { url: origin } : {}) } : null;
      const about = indexed.entities.filter((slug) => indexed.mentions.get(slug)!.mentions.length >= 3).map(thing);
      const expected = referenceJsonForScript({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        headline: a.title,
        description: a.summary,
        datePublished: a.date,
        dateModified: a.updated,
        url: absoluteUrl(a.url),
        mainEntityOfPage: absoluteUrl(a.url),
        inLanguage: odd.language,
        publisher: { "@type": "Organization", name: odd.publisher, url: absoluteUrl("/") },
        author: source ?? { "@type": "Organization", name: odd.publisher, url: absoluteUrl("/") },
        ...(source ? { sourceOrganization: source } : {}),
        ...(a.sourceUrl ? { isBasedOn: a.sourceUrl } : {}),
        ...(about.length > 0 ? { about } : {}),
        mentions: indexed.entities.map(thing),
      });
      expect(page.jsonLd).toBe(expected);
    });
    expect(pages.article.some((page) => page.jsonLd.includes('"about"'))).toBe(true);
    expect(pages.article.some((page) => page.jsonLd.includes("\\u003c/script"))).toBe(true);
  });

  it("keys the article, entity and listing pages by their inputs: a changed article file changes the keys of exactly the pages that show it", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const keysOf = (reuse: PageContext["reuse"]) => {
      const keys = new Map<string, string | undefined>();
      for (const item of eachPage({ index, site, location, renderBody, reuse })) keys.set("reused" in item ? item.url : item.page.url, item.key);
      return keys;
    };
    const keys = keysOf(() => false);
    const keyedLists = new Set(["article", "entity", "home", "topic", "archiveMonth"]);
    for (const item of eachPage({ index, site, location, renderBody, reuse: () => false })) expect(item.key !== undefined).toBe(keyedLists.has(item.list));
    // The build has every keyed page with its key: each is given back unmade (a topic no article is about, kept from search engines).
    const reused = [...eachPage({ index, site, location, renderBody, reuse: (_list, url, key) => keys.get(url) === key })];
    expect(reused.filter((item) => "reused" in item).length).toBe([...keys.values()].filter((key) => key !== undefined).length);
    expect(reused.find((item) => "reused" in item && item.list === "topic")).toMatchObject({ noindex: true });

    const position = 5;
    const urlsOf = (list: number[], base: string) => paginate(list, site.pageSize, base).map((page) => page.url);
    const pageWith = (list: number[], base: string) => urlsOf(list, base)[Math.floor(list.indexOf(position) / site.pageSize)]!;
    const month = index.months.find((m) => m.articles.includes(position))!;
    const expected = new Set([
      // Its own page, its neighbours' (which link it), and those of the articles it is related to.
      ...[position - 1, position, position + 1].map((p) => index.articles[p]!.article.url),
      ...index.articles.filter((indexed) => indexed.related.includes(position)).map((indexed) => indexed.article.url),
      // Every page of each entity it names (an entity page's key covers all of its articles), and its listing pages.
      ...index.entities.filter((e) => e.articles.includes(position)).flatMap((e) => urlsOf(e.articles, entityUrl(e.slug))),
      pageWith(index.articles.map((_, p) => p), "/"),
      pageWith(month.articles, `/archive/${month.year}/${month.month}/`),
    ]);
    const indexed = index.articles[position]!;
    index.articles[position] = { ...indexed, article: { ...indexed.article, hash: `edited${indexed.article.hash}` } };
    const edited = keysOf(() => false);
    const changed = [...edited].filter(([url, key]) => key !== keys.get(url)).map(([url]) => url);
    expect(changed.sort()).toEqual([...expected].sort());
  });

  it("writes each Atom feed as the UTF-8 of its text", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const feeds = atomFeeds(index, site, location);
    expect(feeds.length).toBe(1 + index.entities.length + index.topics.length);
    for (const feed of feeds) {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(feed.content as Uint8Array);
      expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed ')).toBe(true);
      expect(text.endsWith("</feed>\n")).toBe(true);
      expect(text.match(/<entry>/g)?.length ?? 0).toBeLessThanOrEqual(3);
    }
  });

  it("keys each Atom feed by its inputs: a changed article file changes the keys of exactly the feeds that show it", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const plain = atomFeeds(index, site, location);
    const keyed = atomFeeds(index, site, location, () => false);
    expect(keyed.map((feed) => ("content" in feed ? feed.content : null))).toEqual(plain.map((feed) => feed.content));
    const keys = new Map(keyed.map((feed) => [feed.path, feed.key]));
    expect(new Set(keys.values()).size).toBe(keys.size);
    // The build has every feed with its key: each is given back unmade.
    expect(atomFeeds(index, site, location, (path, key) => keys.get(path) === key).every((feed) => "reused" in feed)).toBe(true);

    const position = 1;
    const shows = (list: number[]) => list.slice(0, site.feedSize).includes(position);
    const expected = [
      ...(shows(index.articles.map((_, i) => i)) ? ["feed.xml"] : []),
      ...index.entities.filter((e) => shows(e.articles)).map((e) => `entities/${e.slug}/feed.xml`),
      ...index.topics.filter((t) => shows(t.articles)).map((t) => `topics/${t.topic.slug}/feed.xml`),
    ];
    expect(expected.length).toBeGreaterThan(1);
    const indexed = index.articles[position]!;
    index.articles[position] = { ...indexed, article: { ...indexed.article, hash: `edited${indexed.article.hash}` } };
    const edited = atomFeeds(index, site, location, () => false);
    expect(edited.filter((feed) => feed.key !== keys.get(feed.path)).map((feed) => feed.path).sort()).toEqual(expected.sort());
    // The site's settings are in every key.
    const editedKeys = new Map(edited.map((feed) => [feed.path, feed.key]));
    const retitled = atomFeeds(index, { ...site, title: `${site.title} Weekly` }, location, () => false);
    expect(retitled.every((feed) => feed.key !== editedKeys.get(feed.path))).toBe(true);
  });

  it("keys the API files by what they show: a body edit remakes none, an alias or a topic only the files that show it", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const plain = apiFiles(index, location);
    const keyed = apiFiles(index, location, () => false);
    expect(keyed.map((file) => ("content" in file ? file.content : null))).toEqual(plain.map((file) => file.content));
    const keys = new Map(keyed.map((file) => [file.path, file.key]));
    // The files apiFiles makes again (their key changed) when the build has these.
    const remade = (edited: ArchiveIndex, at = location) =>
      apiFiles(edited, at, (path, key) => keys.get(path) === key)
        .filter((file) => !("reused" in file))
        .map((file) => file.path)
        .sort();
    expect(remade(index)).toEqual([]);
    const withArticle = (position: number, change: Partial<Article>, topicCodes?: string[]): ArchiveIndex => ({
      ...index,
      articles: index.articles.map((indexed, i) => (i === position ? { ...indexed, article: { ...indexed.article, ...change }, topics: topicCodes ?? indexed.topics } : indexed)),
    });
    // A body edit changes the file's hash and nothing these files show.
    expect(remade(withArticle(1, { body: "Changed.", hash: "0".repeat(64) }))).toEqual([]);
    expect(remade(withArticle(1, { title: "A new headline" }))).toEqual(["api/articles.json", "api/entities.json", "api/topics.json"]);
    expect(remade({ ...index, entities: index.entities.map((e, i) => (i === 0 ? { ...e, aliases: [...e.aliases, "Another Name"] } : e)) })).toEqual(["api/entities.json"]);
    expect(remade({ ...index, entities: index.entities.map((e, i) => (i === 0 ? { ...e, articles: e.articles.slice(1) } : e)) })).toEqual(["api/entities.json"]);
    expect(remade({ ...withArticle(2, {}, ["t1"]), topics: [{ ...index.topics[0]!, articles: [2] }] })).toEqual(["api/articles.json", "api/topics.json"]);
    // A topic code the taxonomy does not have is shown as it is: its text is in the key.
    expect(remade(withArticle(2, {}, ["t9"]))).toEqual(["api/articles.json"]);
    const articlesKey = (edited: ArchiveIndex) => (apiFiles(edited, location, () => false)[0] as { key: string }).key;
    expect(articlesKey(withArticle(2, {}, ["t9"]))).not.toBe(articlesKey(withArticle(2, {}, ["t8"])));
    // The path prefix is in every key.
    expect(remade(index, locate("https://news.example.org/other/"))).toEqual(["api/articles.json", "api/entities.json", "api/topics.json"]);
  });

  it("keys the sitemap by every page's URL and last change, in one file or in parts", () => {
    const index = buildArchiveIndex({ articles, analyses, registry: [], topics });
    const collect = (edit: (page: ReturnType<typeof buildPages>["article"][number]) => void = () => undefined) => {
      const pages = buildPages({ index, site, location, renderBody });
      pages.article.forEach(edit);
      const collector = new SitemapCollector();
      for (const list of PAGE_LISTS) for (const page of pages[list]) collector.add({ list, page } as Parameters<SitemapCollector["add"]>[0]);
      return collector;
    };
    // Past the limit, sitemap.xml is the index of its parts, which hold every URL once, in order.
    const split = collect().files(location, 7);
    const whole = collect().files(location);
    const locs = (text: string | Uint8Array) => [...String(text).matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]);
    expect(split.length).toBeGreaterThan(2);
    expect(locs(split[0]!.content)).toEqual(split.slice(1).map((part) => `https://news.example.org/sub/${part.path}`));
    expect(split.slice(1).flatMap((part) => locs(part.content))).toEqual(locs(whole[0]!.content));
    expect(split.slice(1, -1).every((part) => locs(part.content).length === 7)).toBe(true);
    for (const limit of [50_000, 7]) {
      const collector = collect();
      const plain = collector.files(location, limit);
      const keyed = collector.files(location, limit, () => false);
      expect(keyed.map((file) => [file.path, "content" in file ? file.content : null])).toEqual(plain.map((file) => [file.path, file.content]));
      const keys = new Map(keyed.map((file) => [file.path, file.key]));
      const has = (path: string, key: string) => keys.get(path) === key;
      expect(collector.files(location, limit, has).every((file) => "reused" in file)).toBe(true);
      // Made again when a page's last change, a page or the address is not as it was, or one file is missing.
      expect(collect((page) => page.url === index.articles[3]!.article.url && (page.article.updated = "2030-01-01")).files(location, limit, has).some((file) => "reused" in file)).toBe(false);
      expect(collect((page) => page.url === index.articles[3]!.article.url && (page.noindex = true)).files(location, limit, has).some((file) => "reused" in file)).toBe(false);
      expect(collector.files(locate("https://news.example.org/other/"), limit, has).some((file) => "reused" in file)).toBe(false);
      expect(collector.files(location, limit, (path, key) => path !== "sitemap.xml" && has(path, key)).some((file) => "reused" in file)).toBe(false);
    }
  });
});
