// Reader pages on an archive bigger than the seed: pagination, previous/next,
// related articles, registry descriptions and aliases, timelines over months,
// per-entity feeds; and the timeline and search-document builders on their own.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchDocument, searchIndexFiles } from "../../src/site/search-index.js";
import { articleTimeline } from "../../src/site/timeline.js";
import { articleFile, ROOT, scratch, writeTree } from "../support/cli.js";
import { atomProblems } from "./feed-spec.js";
import { buildIn, listFiles, PREFIX, type BuiltSite } from "./support.js";

const ARTICLES: { date: string; slug: string; title: string; body: string }[] = [
  { date: "2025-01-10", slug: "envoy-visits-kabul", title: "Envoy Visits Kabul", body: "Mohammad Sadiq travelled to Kabul on Monday for talks.\n\nSadiq met officials in Kabul and returned to Islamabad." },
  { date: "2025-01-20", slug: "minister-speaks", title: "Minister Speaks In Islamabad", body: "Ishaq Dar spoke in Islamabad about trade.\n\nDar said talks with Kabul would continue." },
  { date: "2025-03-02", slug: "border-reopens", title: "Border Crossing Reopens", body: "The Torkham crossing reopened, Mohammad Sadiq said in Islamabad.\n\nTraders in Kabul welcomed the news." },
  { date: "2025-04-15", slug: "talks-resume", title: "Talks Resume", body: "Mohammad Sadiq and Ishaq Dar met in Islamabad to plan talks with Kabul." },
  { date: "2025-04-28", slug: "trade-deal", title: "Trade Deal Signed", body: "Ishaq Dar signed a trade deal in Kabul. Mohammad Sadiq attended." },
];

let site: BuiltSite;
let files: string[];
const read = (file: string) => readFile(path.join(site.dir, file), "utf8");

beforeAll(async () => {
  const { dir, cleanup } = await scratch("gazette-pages-");
  const tree: Record<string, string> = {
    "content/site.yml": "title: Test Gazette\ndescription: A test archive.\nlanguage: en\nbase_url: https://news.example.org\npublisher: Test Gazette\npage_size: 2\nfeed_size: 3\n",
    "content/entities.yml": [
      "- name: Mohammad Sadiq",
      "  type: person",
      "  aliases: [Sadiq]",
      "  description: Pakistan's special representative for Afghanistan.",
      "- name: Ishaq Dar",
      "  type: person",
      "  aliases: [Dar]",
      "- name: Kabul",
      "  type: place",
      "- name: Islamabad",
      "  type: place",
      "",
    ].join("\n"),
    "content/topics.yml": await readFile(path.join(ROOT, "content", "topics.yml"), "utf8"),
  };
  for (const a of ARTICLES) {
    tree[`content/articles/${a.date.slice(0, 4)}/${a.date.slice(5, 7)}/${a.slug}.md`] = articleFile({ title: a.title, date: a.date, slug: a.slug, source: "Test Wire", summary: a.body.split("\n")[0]! }, a.body);
  }
  await writeTree(dir, tree);
  site = await buildIn(dir, cleanup);
  files = await listFiles(site.dir);
}, 180_000);

afterAll(async () => {
  await site?.cleanup();
});

const articlePath = (i: number) => `articles/${ARTICLES[i]!.date.slice(0, 4)}/${ARTICLES[i]!.date.slice(5, 7)}/${ARTICLES[i]!.slug}/index.html`;

describe("a five-article archive, two per page", () => {
  it("paginates the home page and entity pages newest first, with rel=prev/next links", async () => {
    expect(files).toEqual(expect.arrayContaining(["index.html", "page/2/index.html", "page/3/index.html"]));
    const home = await read("index.html");
    expect(home.indexOf("Trade Deal Signed")).toBeLessThan(home.indexOf("Talks Resume"));
    expect(home).toContain(`<a rel="next" href="${PREFIX}page/2/">`);
    const sadiq = files.filter((file) => file.startsWith("entities/mohammad-sadiq/") && file.endsWith(".html"));
    expect(sadiq).toEqual(["entities/mohammad-sadiq/index.html", "entities/mohammad-sadiq/page/2/index.html"]);
    const page2 = await read("entities/mohammad-sadiq/page/2/index.html");
    expect(page2).toContain(`<a rel="prev" href="${PREFIX}entities/mohammad-sadiq/">`);
    expect(page2).toContain("Page 2 of 2");
  });

  it("an entity page shows its registry description, aliases, and a timeline with a bar per month, empty months included", async () => {
    const html = await read("entities/mohammad-sadiq/index.html");
    expect(html).toContain("<p class=\"lede\">Pakistan&#39;s special representative for Afghanistan.</p>");
    expect(html).toMatch(/Also known as <span class="alias">Sadiq<\/span>/);
    expect(html).toContain("4 articles");
    const bars = [...html.matchAll(/<rect class="(tl-bar|tl-empty)"[^>]*><title>([^<]+)<\/title>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(bars).toEqual(["tl-bar January 2025: 1 article", "tl-empty February 2025: 0 articles", "tl-bar March 2025: 1 article", "tl-bar April 2025: 2 articles"]);
    expect(html).toContain("<figcaption>Articles per month from January 2025 to April 2025; most in April 2025 (2).</figcaption>");
    // Keyword in context: the sentence that names it, for each article on the page.
    expect(html).toMatch(/<p class="kwic"><mark>Mohammad Sadiq<\/mark> and Ishaq Dar met in Islamabad/);
  });

  it("an article links to the previous and next stories by date, and to related ones", async () => {
    const html = await read(articlePath(2));
    expect(html).toMatch(new RegExp(`<a rel="prev" href="${PREFIX}articles/2025/01/minister-speaks/">`));
    expect(html).toMatch(new RegExp(`<a rel="next" href="${PREFIX}articles/2025/04/talks-resume/">`));
    expect(html).toContain('<section class="related"');
    const oldest = await read(articlePath(0));
    expect(oldest).not.toContain('rel="prev"');
  });

  it("/entities/ sorts each type by number of articles", async () => {
    const html = await read("entities/index.html");
    const people = html.slice(html.indexOf('id="person"'), html.indexOf("</section>", html.indexOf('id="person"')));
    const names = [...people.matchAll(/<a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(names.slice(0, 2)).toEqual(["Mohammad Sadiq", "Ishaq Dar"]);
  });

  it("entity feeds are valid Atom and hold at most feed_size entries, newest first", async () => {
    const xml = await read("entities/mohammad-sadiq/feed.xml");
    expect(atomProblems(xml)).toEqual([]);
    const titles = [...xml.matchAll(/<entry>\s*<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(["Trade Deal Signed", "Talks Resume", "Border Crossing Reopens"]);
  });

  it("indexes every article for search", async () => {
    const entry = JSON.parse(await read("pagefind/2025/pagefind-entry.json")) as { languages: Record<string, { page_count: number }> };
    expect(Object.values(entry.languages).reduce((sum, l) => sum + l.page_count, 0)).toBe(ARTICLES.length);
  });
});

describe("articleTimeline", () => {
  it("draws nothing for no articles", () => {
    expect(articleTimeline([], "en")).toBeNull();
  });

  it("says what a single month holds", () => {
    const timeline = articleTimeline(["2025-05-07", "2025-05-09"], "en")!;
    expect(timeline.summary).toBe("2 articles in May 2025.");
    expect(timeline.svg).toMatch(/^<svg class="timeline" xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*aria-hidden="true"/);
    expect(timeline.svg.match(/<rect /g)).toHaveLength(1);
  });

  it("switches to years past five years of months, and stays small", () => {
    const dates = ["2010-01-05", "2012-06-01", "2012-07-01", "2019-12-31"];
    const timeline = articleTimeline(dates, "en")!;
    expect(timeline.svg.match(/<rect /g)).toHaveLength(10);
    expect(timeline.summary).toBe("Articles per year from 2010 to 2019; most in 2012 (2).");
    expect(timeline.svg).toContain("<title>2011: 0 articles</title>");
  });

  it("escapes what it writes", () => {
    expect(articleTimeline(["2025-01-01"], "en")!.svg).not.toMatch(/<title>[^<]*[&"][^<]*<\/title>/);
  });
});

describe("searchDocument", () => {
  it("keeps the headline and the words of the body, not the Markdown", () => {
    const html = searchDocument("A <Title>", "2025-01-02", "## Background\n\nSome *emphasis* and a [link](https://example.org).\n\n- one\n- two", "en");
    expect(html).toContain('<h1 data-pagefind-meta="title">A &lt;Title&gt;</h1>');
    expect(html).toContain("<h3>Background</h3>");
    expect(html).toContain("<p>Some emphasis and a link.</p>");
    expect(html).toContain("<p>one two</p>");
    expect(html).toContain('data-pagefind-meta="date:2025-01-02"');
    expect(html).not.toContain("example.org");
  });
});

describe("searchIndexFiles", () => {
  const bytes = (files: { path: string; content: string | Uint8Array }[]) => files.map((f) => [f.path, Buffer.from(f.content).toString("base64")]);

  /** Runs `body` with Gazette's cache in a scratch folder of its own. */
  const inScratchCache = async (body: (dir: string) => Promise<void>) => {
    const { dir, cleanup } = await scratch("gazette-search-cache-");
    const previous = process.env.GAZETTE_CACHE;
    process.env.GAZETTE_CACHE = dir;
    try {
      await body(dir);
    } finally {
      if (previous === undefined) delete process.env.GAZETTE_CACHE;
      else process.env.GAZETTE_CACHE = previous;
      await cleanup();
    }
  };

  it("makes one bundle per year, the same from Pagefind and from its cache, and ignores a damaged cache", () =>
    inScratchCache(async (dir) => {
      // The first article moved to 2024: two years, two bundles.
      const articles = ARTICLES.map((a, i) => ({ url: `/articles/${a.slug}/`, title: a.title, date: i === 0 ? "2024-12-30" : a.date, body: a.body }));
      // Each with the hash of its file, as the loader gives it (a year's bundle is cached by its articles' hashes).
      const indexOf = (list: typeof articles) =>
        ({ articles: list.map((article) => ({ article: { ...article, hash: createHash("sha256").update(JSON.stringify(article)).digest("hex") } })) }) as unknown as Parameters<typeof searchIndexFiles>[0];
      const first = await searchIndexFiles(indexOf(articles), { language: "en-GB" });
      expect(first.map((f) => f.path)).toEqual(expect.arrayContaining(["pagefind/shards.json", "pagefind/2025/pagefind.js", "pagefind/2024/pagefind.js", "pagefind/2024/pagefind-entry.json"]));
      expect(JSON.parse(String(first.find((f) => f.path === "pagefind/shards.json")!.content))).toEqual({ bundles: ["2025/", "2024/"] });
      const cached = (await readdir(dir)).filter((name) => name.startsWith("search-"));
      expect(cached).toHaveLength(2);
      const second = await searchIndexFiles(indexOf(articles), { language: "en-GB" });
      expect(bytes(second)).toEqual(bytes(first));

      // An edit in 2025 makes one new bundle; 2024's comes from the cache unchanged.
      const edited = articles.map((a, i) => (i === 3 ? { ...a, body: `${a.body}\n\nA further paragraph about tariffs.` } : a));
      const third = await searchIndexFiles(indexOf(edited), { language: "en-GB" });
      expect((await readdir(dir)).filter((name) => name.startsWith("search-"))).toHaveLength(3);
      const of2024 = (files: typeof first) => bytes(files.filter((f) => f.path.startsWith("pagefind/2024/")));
      expect(of2024(third)).toEqual(of2024(first));
      expect(bytes(third)).not.toEqual(bytes(first));

      for (const name of cached) await writeFile(path.join(dir, name), "damaged");
      const fourth = await searchIndexFiles(indexOf(articles), { language: "en-GB" });
      expect(bytes(fourth)).toEqual(bytes(first));
    }));

  it("makes the same bundles when a second Pagefind process shares them once the build is done", async () => {
    // Three years, three bundles: with the build done from the start, the two lanes each take bundles from the first.
    const articles = ARTICLES.map((a, i) => ({ url: `/articles/${a.slug}/`, title: a.title, date: i === 0 ? "2023-06-01" : i === 1 ? "2024-12-30" : a.date, body: a.body }));
    const index = { articles: articles.map((article) => ({ article: { ...article, hash: createHash("sha256").update(JSON.stringify(article)).digest("hex") } })) } as unknown as Parameters<typeof searchIndexFiles>[0];
    let oneLane: Awaited<ReturnType<typeof searchIndexFiles>> = [];
    await inScratchCache(async () => void (oneLane = await searchIndexFiles(index, { language: "en-GB" })));
    await inScratchCache(async () => {
      const twoLanes = await searchIndexFiles(index, { language: "en-GB" }, { buildDone: Promise.resolve() });
      expect(JSON.parse(String(twoLanes.find((f) => f.path === "pagefind/shards.json")!.content))).toEqual({ bundles: ["2025/", "2024/", "2023/"] });
      expect(bytes(twoLanes as { path: string; content: Uint8Array }[])).toEqual(bytes(oneLane as { path: string; content: Uint8Array }[]));
    });
  });

  it("gives a year the output already has as reused files, named from the cached bundle, and makes it again when the output or the cache falls short", () =>
    inScratchCache(async (dir) => {
      const articles = ARTICLES.map((a, i) => ({ url: `/articles/${a.slug}/`, title: a.title, date: i === 0 ? "2024-12-30" : a.date, body: a.body }));
      const index = { articles: articles.map((article) => ({ article: { ...article, hash: createHash("sha256").update(JSON.stringify(article)).digest("hex") } })) } as unknown as Parameters<typeof searchIndexFiles>[0];
      const first = await searchIndexFiles(index, { language: "en-GB" });
      // What a build records of the files it wrote: each bundle file's key.
      const keyOf = new Map(first.filter((f) => "key" in f).map((f) => [f.path, (f as { key: string }).key]));
      expect(keyOf.size).toBe(first.length - 1);
      const keys2024 = new Set(first.filter((f) => f.path.startsWith("pagefind/2024/")).map((f) => keyOf.get(f.path)));
      expect(keys2024.size).toBe(1);

      const asBuilt = (file: string, key: string) => keyOf.get(file) === key;
      const second = await searchIndexFiles(index, { language: "en-GB" }, { reuse: asBuilt });
      expect(second.map((f) => f.path).sort()).toEqual(first.map((f) => f.path).sort());
      for (const file of second) {
        if (file.path === "pagefind/shards.json") expect("content" in file).toBe(true);
        else expect(file).toEqual({ path: file.path, key: keyOf.get(file.path), reused: true });
      }

      // One file of 2024 missing from the output: that year is given whole again, from the cache.
      const lost = first.find((f) => f.path.startsWith("pagefind/2024/fragment/"))!.path;
      const third = await searchIndexFiles(index, { language: "en-GB" }, { reuse: (file, key) => file !== lost && asBuilt(file, key) });
      const of2024 = (files: typeof first) => bytes(files.filter((f) => f.path.startsWith("pagefind/2024/")) as { path: string; content: Uint8Array }[]);
      expect(of2024(third)).toEqual(of2024(first));
      expect(third.filter((f) => f.path.startsWith("pagefind/2025/")).every((f) => "reused" in f)).toBe(true);

      // A cached bundle cut short is not trusted for its file names: the year is indexed again.
      for (const name of (await readdir(dir)).filter((n) => n.startsWith("search-"))) {
        const whole = await readFile(path.join(dir, name));
        await writeFile(path.join(dir, name), whole.subarray(0, whole.length - 10));
      }
      const fourth = await searchIndexFiles(index, { language: "en-GB" }, { reuse: asBuilt });
      expect(bytes(fourth.filter((f) => f.path !== "pagefind/shards.json") as { path: string; content: Uint8Array }[])).toEqual(bytes(first.filter((f) => f.path !== "pagefind/shards.json")));
    }));
});
