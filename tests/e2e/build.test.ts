import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gazette, ROOT, scratch } from "../support/cli.js";

const FIXTURE = path.join(ROOT, "tests/fixtures/small-archive/content");

interface ApiArticle { url: string; title: string; date: string; entities: string[]; topics: string[] }
interface ApiEntity { slug: string; name: string; type: string; aliases: string[]; articles: string[] }
interface ApiTopic { slug: string; label: string; code: string; articles: string[] }

async function listFiles(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true, withFileTypes: true })) as { isFile(): boolean; parentPath: string; name: string }[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Every href and src of a page, resolved against the page's own URL. */
function links(html: string, pageUrl: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]+)"/g)]
    .map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), `https://news.example.org${pageUrl}`))
    .filter((url) => url.host === "news.example.org")
    .map((url) => url.pathname);
}

describe("gazette build on a small archive", () => {
  let out = "";
  let cleanup: () => Promise<void> = async () => undefined;
  const page = (url: string) => readFile(path.join(out, decodeURI(url), url.endsWith("/") ? "index.html" : ""), "utf8");
  const json = async <T>(file: string) => JSON.parse(await readFile(path.join(out, file), "utf8")) as T;

  beforeAll(async () => {
    const s = await scratch();
    cleanup = s.cleanup;
    out = path.join(s.dir, "site");
    const result = await gazette(["build", "--content", FIXTURE, "--out", out], { env: { GAZETTE_CACHE: path.join(s.dir, "cache") } });
    expect(result.stderr).toMatch(/^built 3 articles, \d+ entities, 3 topics: \d+ pages, \d+ files in [\d.]+s/m);
    expect(result.code).toBe(0);
  });
  afterAll(() => cleanup());

  it("writes every page design.md fixes", async () => {
    const files = await listFiles(out);
    for (const expected of [
      "index.html", "page/2/index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "feed.json",
      "api/articles.json", "api/entities.json", "api/topics.json",
      "articles/2024/03/ceasefire-talks-open-in-geneva/index.html",
      "entities/index.html", "entities/united-nations/index.html", "entities/united-nations/feed.xml",
      "topics/index.html", "topics/politics/index.html", "topics/politics/feed.xml",
      "archive/2024/index.html", "archive/2024/03/index.html", "archive/2024/04/index.html", "search/index.html",
    ]) expect(files).toContain(expected);
    expect(files.some((f) => f.includes("gazette-staging"))).toBe(false);
  });

  it("lists the articles newest first in the API, with their entities and topics", async () => {
    const articles = await json<ApiArticle[]>("api/articles.json");
    expect(articles.map((a) => a.url)).toEqual([
      "/articles/2024/04/soccer-geneva-side-wins-cup/",
      "/articles/2024/03/un-envoy-returns-to-geneva/",
      "/articles/2024/03/ceasefire-talks-open-in-geneva/",
    ]);
    expect(articles[0]!.topics).toEqual(["sport"]);
    expect(articles[1]!.topics).toEqual(["conflict-war-and-peace", "politics"]);
    expect(articles[1]!.entities).toContain("united-nations");
  });

  it("honours the registry and the editor's overrides", async () => {
    const entities = await json<ApiEntity[]>("api/entities.json");
    const un = entities.find((e) => e.slug === "united-nations")!;
    expect(un).toMatchObject({ name: "United Nations", type: "organization" });
    expect(un.aliases).toContain("UN");
    expect(un.articles).toEqual(["/articles/2024/03/un-envoy-returns-to-geneva/", "/articles/2024/03/ceasefire-talks-open-in-geneva/"]);
    expect(entities.some((e) => e.slug === "un" || e.name === "U.N.")).toBe(false);
    expect(entities.find((e) => e.slug === "red-cross")?.articles).toEqual(["/articles/2024/03/un-envoy-returns-to-geneva/"]);
    expect(entities.some((e) => e.name === "Servette")).toBe(false);
    const topics = await json<ApiTopic[]>("api/topics.json");
    expect(topics.find((t) => t.slug === "sport")).toMatchObject({ code: "medtop:15000000", articles: ["/articles/2024/04/soccer-geneva-side-wins-cup/"] });
  });

  it("links each article page to its entity and topic pages, and those back to it", async () => {
    const url = "/articles/2024/03/un-envoy-returns-to-geneva/";
    const html = await page(url);
    expect(html).toMatch(/<h1[^>]*>UN Envoy Returns To Geneva<\/h1>/);
    const targets = links(html, url);
    expect(targets).toContain("/entities/united-nations/");
    expect(targets).toContain("/topics/politics/");
    // The body links the entity's first mention.
    expect(html).toMatch(/The <a href="\/entities\/united-nations\/">U\.N\.<\/a> envoy/);
    for (const back of ["/entities/united-nations/", "/topics/politics/", "/archive/2024/03/"]) expect(links(await page(back), back)).toContain(url);
  });

  it("resolves every internal link of every page to a written file", async () => {
    const files = new Set(await listFiles(out));
    const htmlFiles = [...files].filter((f) => f.endsWith(".html"));
    const broken: string[] = [];
    for (const file of htmlFiles) {
      const url = `/${file.replace(/index\.html$/, "")}`;
      for (const target of links(await readFile(path.join(out, file), "utf8"), url)) {
        const decoded = decodeURI(target).replace(/^\//, "");
        if (!files.has(decoded) && !files.has(`${decoded}index.html`) && !files.has(`${decoded}/index.html`)) broken.push(`${url} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("paginates listings at the site's page size", async () => {
    const home = await page("/");
    expect(home.match(/class="card"/g)).toHaveLength(2);
    expect(links(home, "/")).toContain("/page/2/");
    const second = await page("/page/2/");
    expect(second).toContain("Ceasefire Talks Open In Geneva");
    expect(links(second, "/page/2/")).toContain("/");
  });

  it("writes feeds and a sitemap with absolute URLs", async () => {
    const atom = await readFile(path.join(out, "feed.xml"), "utf8");
    expect(atom).toContain("<id>https://news.example.org/articles/2024/04/soccer-geneva-side-wins-cup/</id>");
    const feed = await json<{ version: string; items: { url: string }[] }>("feed.json");
    expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
    expect(feed.items).toHaveLength(3);
    const sitemap = await readFile(path.join(out, "sitemap.xml"), "utf8");
    expect(sitemap).toContain("<loc>https://news.example.org/entities/united-nations/</loc>");
    expect(sitemap).not.toContain("/search/");
    expect(await readFile(path.join(out, "robots.txt"), "utf8")).toContain("Sitemap: https://news.example.org/sitemap.xml");
  });
});

describe("gazette build under a path prefix", () => {
  it("prefixes every link, API URL and canonical URL", async () => {
    const s = await scratch();
    try {
      const out = path.join(s.dir, "site");
      const result = await gazette(["build", "--content", FIXTURE, "--out", out, "--base-url", "https://example.com", "--path-prefix", "/news/"], { env: { GAZETTE_CACHE: path.join(s.dir, "cache") } });
      expect(result.code).toBe(0);
      const html = await readFile(path.join(out, "entities/united-nations/index.html"), "utf8");
      const hrefs = [...html.matchAll(/\shref="([^"]+)"/g)].map((m) => m[1]!);
      expect(hrefs.filter((h) => h.startsWith("/") && !h.startsWith("/news/"))).toEqual([]);
      expect(html).toContain('<link rel="canonical" href="https://example.com/news/entities/united-nations/">');
      const api = JSON.parse(await readFile(path.join(out, "api/entities.json"), "utf8")) as ApiEntity[];
      expect(api.find((e) => e.slug === "united-nations")!.articles[0]).toBe("/news/articles/2024/03/un-envoy-returns-to-geneva/");
    } finally {
      await s.cleanup();
    }
  });
});

describe("gazette check", () => {
  it("reports every problem of an archive as path:line:col and exits 1", async () => {
    const s = await scratch();
    try {
      const { writeTree } = await import("../support/cli.js");
      await writeTree(s.dir, {
        "content/articles/2024/01/a.md": "---\ntitle: A\ndate: 2024-01-32\n---\nText.\n",
        "content/articles/2024/01/b.md": "---\ndate: 2024-01-02\n---\nText.\n",
        "content/entities.yml": "- name: X\n  type: planet\n",
      });
      const result = await gazette(["check", "--content", path.join(s.dir, "content")], { cwd: s.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("content/entities.yml:2:9: entity 1: type 'planet' is not one of person, organization, place, event, other");
      expect(result.stderr).toContain("content/articles/2024/01/a.md:3:7: '2024-01-32' is not a real date");
      expect(result.stderr).toContain("content/articles/2024/01/b.md:2:1: missing title");
      expect(result.stderr).toContain("3 problems found");
    } finally {
      await s.cleanup();
    }
  });

  it("exits 2 on bad usage", async () => {
    const result = await gazette(["build", "--no-such-flag"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--no-such-flag'/);
  });
});
