// The seed site as a host and a crawler see it: built for a sub-folder,
// served by a plain static server on 127.0.0.1, crawled for broken links,
// run through the Nu Html Checker, its feeds, sitemaps and JSON-LD checked.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LinkChecker, LinkState } from "linkinator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atomProblems, jsonFeedProblems, parseXml } from "./feed-spec.js";
import { BASE_URL, buildSeedSite, fileForUrl, listFiles, PREFIX, serveStatic, vnuCommand, type BuiltSite, type StaticServer } from "./support.js";

let site: BuiltSite;
let server: StaticServer;
let files: string[];
let htmlFiles: string[];
const read = (file: string) => readFile(path.join(site.dir, file), "utf8");

beforeAll(async () => {
  site = await buildSeedSite();
  server = await serveStatic(site.dir);
  files = await listFiles(site.dir);
  htmlFiles = files.filter((file) => file.endsWith(".html"));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await site?.cleanup();
});

/** href/src/action attribute values of an HTML page. */
function urlAttributes(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|action)="([^"]*)"/g)].map((match) => match[1]!.replace(/&amp;/g, "&"));
}

describe("the seed site under /sub/", () => {
  it("has every page the design fixes", () => {
    for (const file of [
      "index.html",
      "404.html",
      "entities/index.html",
      "topics/index.html",
      "archive/index.html",
      "search/index.html",
      "feed.xml",
      "feed.json",
      "sitemap.xml",
      "news-sitemap.xml",
      "robots.txt",
      "api/articles.json",
      "api/entities.json",
      "api/topics.json",
      "pagefind/shards.json",
      "pagefind/2025/pagefind.js",
    ]) {
      expect(files, file).toContain(file);
    }
    expect(htmlFiles.some((file) => /^articles\/\d{4}\/\d{2}\/[^/]+\/index\.html$/.test(file))).toBe(true);
    expect(htmlFiles.some((file) => /^entities\/[^/]+\/index\.html$/.test(file))).toBe(true);
  });

  it("has 0 broken internal links (linkinator crawl from every page)", async () => {
    const checker = new LinkChecker();
    const starts = htmlFiles.map((file) => `${server.url}${file.replace(/(^|\/)index\.html$/, "$1")}`);
    const result = await checker.check({
      path: starts,
      recurse: true,
      concurrency: 8,
      // Only this host is ours; canonical URLs (https://news.example.org/...) are checked against the files below.
      linksToSkip: async (link) => !link.startsWith(server.origin),
    });
    const checked = result.links.filter((link) => link.state !== LinkState.SKIPPED);
    const broken = checked.filter((link) => link.state === LinkState.BROKEN).map((link) => `${link.status} ${link.url} (on ${link.parent})`);
    console.info(`linkinator: ${checked.length} internal links checked, ${broken.length} broken`);
    expect(broken).toEqual([]);
    expect(checked.length).toBeGreaterThan(htmlFiles.length);
  }, 180_000);

  it("keeps every link inside the sub-folder, and every #fragment points at an id", async () => {
    for (const file of htmlFiles) {
      const html = await read(file);
      const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
      for (const url of urlAttributes(html)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(url)) continue;
        if (url.startsWith("#")) {
          expect(ids.has(url.slice(1)), `${file}: ${url}`).toBe(true);
          continue;
        }
        expect(url.startsWith(PREFIX), `${file}: ${url} is not under ${PREFIX}`).toBe(true);
      }
    }
  });

  it("gives every page lang, a title, a description and an absolute canonical URL that is the page itself", async () => {
    for (const file of htmlFiles) {
      const html = await read(file);
      expect(html, file).toMatch(/<html lang="[a-z]{2}(-[A-Za-z0-9]+)*">/);
      expect(html, file).toMatch(/<title>[^<]+<\/title>/);
      expect(html, file).toMatch(/<meta name="description" content="[^"]+">/);
      const canonical = html.match(/<link rel="canonical" href="([^"]+)">/)?.[1];
      expect(canonical, file).toBeDefined();
      expect(canonical!.startsWith(`${BASE_URL}${PREFIX}`), canonical).toBe(true);
      expect(fileForUrl(canonical!), file).toBe(file);
      expect(html, file).toContain('<a class="skip-link" href="#main">');
      expect(html, file).toContain(`<link rel="alternate" type="application/atom+xml" title="Gazette" href="${PREFIX}feed.xml">`);
      expect(html, file).toContain(`<link rel="alternate" type="application/feed+json"`);
    }
  });

  it("has 0 errors from the Nu Html Checker", (context) => {
    const vnu = vnuCommand();
    if (!vnu) {
      console.warn("Nu Html Checker skipped: no Java on PATH (apt-get install default-jre-headless)");
      context.skip();
      return;
    }
    const run = spawnSync(vnu.java, ["-jar", vnu.jar, "--errors-only", "--format", "json", ...htmlFiles.map((file) => path.join(site.dir, file))], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(run.error).toBeUndefined();
    const report = JSON.parse(run.stderr || run.stdout || '{"messages":[]}') as { messages: { type: string; url?: string; lastLine?: number; message: string }[] };
    const errors = report.messages.filter((m) => m.type === "error" || m.type === "non-document-error").map((m) => `${m.url?.replace(`file:${site.dir}/`, "")}:${m.lastLine}: ${m.message}`);
    console.info(`vnu: ${htmlFiles.length} pages checked, ${errors.length} errors`);
    expect(errors).toEqual([]);
  }, 180_000);

  it("serves 404.html for a missing page, with links that work from any depth", async () => {
    const response = await fetch(`${server.url}no/such/page/`);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("Page not found");
    expect(html).toContain('<meta name="robots" content="noindex">');
    for (const url of urlAttributes(html)) if (!/^[a-z]+:|^#/.test(url)) expect(url.startsWith(PREFIX), url).toBe(true);
  });
});

describe("feeds", () => {
  it("every Atom feed has RFC 4287's required elements and a self link to itself", async () => {
    const feeds = files.filter((file) => file.endsWith("feed.xml"));
    expect(feeds.length).toBeGreaterThan(2);
    for (const file of feeds) {
      const xml = await read(file);
      expect(atomProblems(xml), file).toEqual([]);
      const self = xml.match(/<link rel="self" type="application\/atom\+xml" href="([^"]+)"\/>/)?.[1];
      expect(self && fileForUrl(self), file).toBe(file);
      for (const [, href] of xml.matchAll(/<link rel="alternate" type="text\/html" href="([^"]+)"\/>/g)) {
        expect(files, `${file}: ${href}`).toContain(fileForUrl(href!));
      }
    }
  });

  it("the site feed lists the seed article; an entity's feed lists its articles", async () => {
    const site = await read("feed.xml");
    expect(site).toContain("<title>Taliban Fighters Have Defected To ISIS, TTP, Says Pakistani Envoy</title>");
    const entity = await read("entities/mohammad-sadiq/feed.xml");
    expect(entity).toContain("<title>Mohammad Sadiq: Gazette</title>");
    expect(entity.match(/<entry>/g)?.length).toBe(1);
  });

  it("feed.json is a valid JSON Feed 1.1 whose URLs resolve", async () => {
    const feed = JSON.parse(await read("feed.json")) as { feed_url: string; home_page_url: string; items: { url: string }[] };
    expect(jsonFeedProblems(feed)).toEqual([]);
    expect(fileForUrl(feed.feed_url)).toBe("feed.json");
    expect(files).toContain(fileForUrl(feed.home_page_url));
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) expect(files).toContain(fileForUrl(item.url));
  });

  it("the spec checks catch broken feeds", () => {
    expect(atomProblems(`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>y</title></entry></feed>`)).toEqual(
      expect.arrayContaining([expect.stringContaining("feed: 0 atom:id"), expect.stringContaining("feed: 0 atom:updated"), expect.stringContaining("self links"), expect.stringContaining("entry 1: 0 atom:id")]),
    );
    expect(() => atomProblems("<feed><title>x</feed>")).toThrow(/well-formed/);
    expect(jsonFeedProblems({ version: "https://jsonfeed.org/version/1", items: [{ url: "/relative" }] })).toEqual(
      expect.arrayContaining(["title is missing", expect.stringContaining("version"), "items[0].id is missing", expect.stringContaining("content_html")]),
    );
  });
});

describe("crawlers", () => {
  it("the sitemap lists every indexable page, and only pages that exist", async () => {
    const doc = parseXml(await read("sitemap.xml"));
    const locs = [...(doc.getElementsByTagName("loc") as unknown as Iterable<Element>)].map((loc) => loc.textContent!);
    const listed = new Set(locs.map(fileForUrl));
    for (const file of listed) expect(files, file).toContain(file);
    const indexable: string[] = [];
    for (const file of htmlFiles) {
      if (file.startsWith("pagefind/")) continue;
      if (!(await read(file)).includes('<meta name="robots" content="noindex">')) indexable.push(file);
    }
    expect([...listed].sort()).toEqual(indexable.sort());
  });

  it("has a Google News sitemap and a robots.txt that points at both sitemaps", async () => {
    const news = await read("news-sitemap.xml");
    parseXml(news);
    expect(news).toContain('xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"');
    expect(news).toContain("<news:publication_date>2025-05-07</news:publication_date>");
    const robots = await read("robots.txt");
    expect(robots).toContain(`Sitemap: ${BASE_URL}${PREFIX}sitemap.xml`);
    expect(robots).toContain(`Sitemap: ${BASE_URL}${PREFIX}news-sitemap.xml`);
  });

  it("each article page carries NewsArticle JSON-LD, Open Graph and Twitter meta", async () => {
    const articles = htmlFiles.filter((file) => file.startsWith("articles/"));
    expect(articles.length).toBeGreaterThan(0);
    for (const file of articles) {
      const html = await read(file);
      const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
      expect(blocks.length, file).toBe(1);
      const ld = JSON.parse(blocks[0]![1]!) as Record<string, any>;
      const canonical = html.match(/<link rel="canonical" href="([^"]+)">/)![1];
      expect(ld["@context"]).toBe("https://schema.org");
      expect(ld["@type"]).toBe("NewsArticle");
      expect(typeof ld.headline).toBe("string");
      expect(ld.headline.length).toBeGreaterThan(0);
      expect(ld.headline.length).toBeLessThanOrEqual(110);
      expect(ld.datePublished).toMatch(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/);
      expect(ld.dateModified).toMatch(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/);
      expect(ld.dateModified >= ld.datePublished).toBe(true);
      expect(ld.url).toBe(canonical);
      expect(ld.mainEntityOfPage).toBe(canonical);
      for (const party of [ld.author, ld.publisher]) {
        expect(["Organization", "Person"]).toContain(party["@type"]);
        expect(typeof party.name).toBe("string");
      }
      expect(Array.isArray(ld.mentions)).toBe(true);
      expect(ld.mentions.length).toBeGreaterThan(0);
      for (const thing of [...ld.mentions, ...(ld.about ?? [])]) {
        expect(["Person", "Organization", "Place", "Event", "Thing"]).toContain(thing["@type"]);
        expect(files).toContain(fileForUrl(thing.url));
      }
      const mentioned = new Set(ld.mentions.map((thing: { url: string }) => thing.url));
      for (const thing of ld.about ?? []) expect(mentioned.has(thing.url)).toBe(true);
      const meta = (key: string) => html.match(new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`))?.[1];
      expect(meta("og:type")).toBe("article");
      expect(meta("og:url")).toBe(canonical);
      expect(meta("og:title")).toBeTruthy();
      expect(meta("og:description")).toBeTruthy();
      expect(meta("twitter:card")).toBe("summary");
      expect(meta("twitter:title")).toBeTruthy();
      expect(meta("article:published_time")).toBe(ld.datePublished);
    }
  });
});

describe("reader pages", () => {
  const article = "articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy/index.html";

  it("the article page has its headline, date, linked source, summary, linked first mentions, grouped entities and topics", async () => {
    const html = await read(article);
    expect(html).toContain("<h1>Taliban Fighters Have Defected To ISIS, TTP, Says Pakistani Envoy</h1>");
    expect(html).toContain('<time datetime="2025-05-07"');
    expect(html).toContain('<a href="https://www.afintl.com/en/202505079646" rel="external">Afghanistan International</a>');
    expect(html).toContain('<p class="lede">');
    // The first mention in the body links to the entity, later ones do not.
    const body = html.slice(html.indexOf('<div class="body">'), html.indexOf("</article>"));
    expect(body.match(/<a href="\/sub\/entities\/mohammad-sadiq\/">/g)?.length).toBe(1);
    const index = html.slice(html.indexOf('<aside class="story-index"'), html.indexOf("</aside>"));
    expect(index).toMatch(/<h2>People<\/h2>[\s\S]*Mohammad Sadiq/);
    expect(index).toMatch(/<h2>Places<\/h2>[\s\S]*Islamabad/);
    expect(index).toMatch(/<h2>Topics<\/h2>/);
  });

  it("an entity page has its type, aliases, count, a script-free SVG timeline, co-mentions and the mention in context", async () => {
    const html = await read("entities/tehreek-e-taliban-pakistan/index.html");
    expect(html).toContain('<p class="kicker">Organisation</p>');
    expect(html).toContain("<h1>Tehreek-e-Taliban Pakistan</h1>");
    expect(html).toMatch(/Also known as .*TTP/);
    expect(html).toContain("1 article");
    expect(html).toMatch(/<svg class="timeline"[^>]*>.*<rect class="tl-bar"[^>]*><title>May 2025: 1 article<\/title>/);
    expect(html).not.toMatch(/<script(?! type="application\/ld\+json")/);
    expect(html).toContain("Often named with");
    expect(html).toMatch(/<p class="kwic">[^<]*<mark>Tehreek-e-Taliban Pakistan<\/mark>/);
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="Tehreek-e-Taliban Pakistan: Gazette" href="${PREFIX}entities/tehreek-e-taliban-pakistan/feed.xml">`);
  });

  it("/entities/ groups entities by type, most articles first, with counts", async () => {
    const html = await read("entities/index.html");
    const groups = [...html.matchAll(/<h2 id="([a-z]+)-heading">/g)].map((match) => match[1]);
    expect(groups).toEqual(expect.arrayContaining(["person", "organization", "place"]));
    expect(html).toMatch(/<span class="count"><span class="visually-hidden">\(<\/span>1<span class="visually-hidden"> article\)<\/span><\/span>/);
  });

  it("a topic page has a timeline, the entities most named and its articles", async () => {
    const html = await read("topics/politics/index.html");
    expect(html).toContain('<svg class="timeline"');
    expect(html).toContain("Most named");
    expect(html).toContain("Taliban Fighters Have Defected");
  });

  it("/topics/ lists the topics with articles (and their ancestors); an empty topic's page stays out of search engines", async () => {
    const topics = JSON.parse(await read("api/topics.json")) as { slug: string; articles: string[] }[];
    const html = await read("topics/index.html");
    const listed = new Set([...html.matchAll(/<a href="\/sub\/topics\/([^/]+)\/">/g)].map((m) => m[1]));
    for (const topic of topics) if (topic.articles.length > 0) expect(listed.has(topic.slug), topic.slug).toBe(true);
    const empty = topics.find((topic) => topic.articles.length === 0 && !listed.has(topic.slug));
    if (empty) {
      expect(await read(`topics/${empty.slug}/index.html`)).toContain('<meta name="robots" content="noindex">');
      expect(html).not.toContain(`/sub/topics/${empty.slug}/`);
    }
  });

  it("search is built with Pagefind from the article pages only, one bundle per year", async () => {
    expect(JSON.parse(await read("pagefind/shards.json"))).toEqual({ bundles: ["2025/"] });
    const entry = JSON.parse(await read("pagefind/2025/pagefind-entry.json")) as { languages: Record<string, { page_count: number }> };
    const pages = Object.values(entry.languages).reduce((sum, language) => sum + language.page_count, 0);
    expect(pages).toBe(htmlFiles.filter((file) => file.startsWith("articles/")).length);
    expect(existsSync(path.join(site.dir, "pagefind", "2025", "pagefind.js"))).toBe(true);
    expect(await read("search/index.html")).toContain(`<script type="module" src="${PREFIX}assets/search.js"></script>`);
    // What the search page loads of a bundle (Pagefind's API, its worker, wasm and index), without the ready-made
    // search interfaces Pagefind also writes, which nothing loads.
    const bundle = files.filter((file) => /^pagefind\/2025\/[^/]+$/.test(file)).map((file) => file.slice("pagefind/2025/".length));
    expect(bundle).toEqual(expect.arrayContaining(["pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.en.pagefind"]));
    expect(bundle.filter((file) => /ui|highlight/.test(file))).toEqual([]);
  });
});
