import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gazette, scratch, writeTree } from "../support/cli.js";
import { activeContent, attr, elements, htmlErrors, parseXml, textOf, xmlErrors } from "../support/well-formed.js";

/**
 * Issue 7, hostile input: an archive written to break out of every output
 * context builds, every output file is well-formed, nothing in it runs, and
 * every text is shown exactly as written.
 */
const TITLE = `<script>alert("t")</script> "Quotes" & 'apostrophes' {{ 7*7 }} {% raw %} ]]> </script><!-- <img src=x onerror=alert(1)>`;
const SUMMARY = `</script><script>alert("s")</script> ]]> <![CDATA[ x ]]> {{ site.title }} {% include "x" %} &amp; \u2028 end`;
const SOURCE = `<img src=x onerror=alert("src")> & "Co"`;
const SOURCE_URL = `https://example.org/path?a=1&b="><script>alert(2)</script>`;
const ENTITY = `Smith & "Sons" </script> <b>Ltd</b>`;
const ENTITY_YAML = `- name: ${JSON.stringify(ENTITY)}\n  type: organization\n  aliases: ["S&S's"]\n  description: ${JSON.stringify(`]]></description><script>alert("d")</script>`)}\n`;
const BODY = [
  `Smith met O'Brien in Kabul. {{ 7*7 }} and {% for x in y %}{% endfor %} stay as written.`,
  "",
  `<script>alert("body")</script>`,
  "",
  `<img src=x onerror="alert('img')"> <svg onload=alert(1)></svg> <div onclick="alert(2)">div</div>`,
  "",
  `[js](javascript:alert(3)) [JS](JaVaScRiPt:alert(4)) [tab](java\tscript:alert(5)) [ent](javascript&#58;alert(6)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox(7))`,
  "",
  `<a href="javascript:alert(8)">raw link</a> <iframe src="https://evil.example"></iframe> <style>body{display:none}</style>`,
  "",
  `![x" onerror="alert(9)](x.png "t\\" onerror=\\"alert(10)") [ok](https://example.org/?q=<b>)`,
  "",
  `]]> <![CDATA[ inside ]]> </script> --> <!-- unclosed comment`,
  "",
].join("\n");

const article = [
  "---",
  `title: ${JSON.stringify(TITLE)}`,
  "date: 2025-05-07",
  "slug: hostile",
  `source: ${JSON.stringify(SOURCE)}`,
  `source_url: ${JSON.stringify(SOURCE_URL)}`,
  `summary: ${JSON.stringify(SUMMARY)}`,
  `entities: [${JSON.stringify(ENTITY)}, ${JSON.stringify(`"><svg onload=alert(11)>`)}]`,
  "---",
  BODY,
].join("\n");

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])));
  return files.flat();
}

describe("hostile input builds and nothing in it runs (issue 7)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let site: string;
  let files: string[];
  const read = (file: string) => readFile(path.join(site, file), "utf8");

  beforeAll(async () => {
    ({ dir, cleanup } = await scratch("gazette-hostile-"));
    await writeTree(dir, {
      "content/articles/2025/05/hostile.md": article,
      // Control characters and noncharacters pasted from other systems: dropped, so pages and feeds stay well-formed.
      "content/articles/2025/05/controls.md": `---\ntitle: "Bell\\a and ESC\\e and NEL\\N in Kabul"\ndate: 2025-05-06\nslug: controls\n---\nText with \u0007 bell, \u001b escape, \u0085 NEL, \ufffe and \u000b in Kabul.\n`,
      "content/entities.yml": ENTITY_YAML,
      "content/site.yml": `title: ${JSON.stringify(`Gazette "&" <Co>`)}\nbase_url: https://news.example.org\n`,
    });
    const result = await gazette(["build", "--out", "_site"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    site = path.join(dir, "_site");
    files = (await walk(site)).map((f) => path.relative(site, f));
  });
  afterAll(() => cleanup());

  it("every HTML page is well-formed HTML (parse5 reports no parse error) with no script, handler or script URL", async () => {
    const pages = files.filter((f) => f.endsWith(".html"));
    expect(pages.length).toBeGreaterThan(10);
    for (const page of pages) {
      const html = await read(page);
      expect(htmlErrors(html), page).toEqual([]);
      expect(activeContent(html, false, (src) => /^\/(assets|pagefind)\//.test(src)), page).toEqual([]);
      expect(html, page).not.toMatch(/<script>alert|<img src=x|<iframe|<svg onload/i);
    }
  });

  it("the article page shows title, summary, source and body text exactly as written, template syntax included", async () => {
    const html = await read("articles/2025/05/hostile/index.html");
    const all = elements(html);
    const one = (pred: (e: (typeof all)[number]) => boolean) => all.find(pred)!;
    expect(textOf(one((e) => e.tagName === "h1"))).toBe(TITLE);
    expect(textOf(one((e) => e.tagName === "title"))).toContain(TITLE);
    expect(attr(one((e) => e.tagName === "meta" && attr(e, "name") === "description"), "content")).toBe(SUMMARY);
    expect(attr(one((e) => e.tagName === "meta" && attr(e, "property") === "og:title"), "content")).toBe(TITLE);
    const sourceLink = one((e) => e.tagName === "a" && attr(e, "rel") === "external");
    expect(attr(sourceLink, "href")).toBe(SOURCE_URL);
    expect(textOf(sourceLink)).toBe(SOURCE);
    const body = textOf(one((e) => e.tagName === "div" && attr(e, "class") === "body"));
    expect(body).toContain("{{ 7*7 }} and {% for x in y %}{% endfor %} stay as written.");
    expect(body).not.toContain("49");
    // Dangerous links keep their text but lose their target.
    const links = all.filter((e) => e.tagName === "a" && ["js", "JS", "tab", "ent", "data", "vb"].includes(textOf(e)));
    expect(links.length).toBeGreaterThanOrEqual(5);
    for (const link of links) expect(attr(link, "href") ?? "", textOf(link)).not.toMatch(/script|data:/i);
  });

  it("control characters in title and body are dropped, not passed to the page", async () => {
    const html = await read("articles/2025/05/controls/index.html");
    expect(textOf(elements(html).find((e) => e.tagName === "h1")!)).toBe("Bell and ESC and NEL in Kabul");
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe]/);
  });

  it("JSON-LD cannot be closed early: the script block parses as JSON with the title and entity names intact", async () => {
    const html = await read("articles/2025/05/hostile/index.html");
    const blocks = elements(html).filter((e) => e.tagName === "script" && attr(e, "type") === "application/ld+json");
    expect(blocks).toHaveLength(1);
    const data = JSON.parse(textOf(blocks[0]!));
    expect(data.headline).toBe(TITLE);
    expect(data.description).toBe(SUMMARY);
    expect(data.mentions.map((m: { name: string }) => m.name)).toContain(ENTITY);
    expect(textOf(blocks[0]!)).not.toMatch(/<\/script|<!--/i);
  });

  it("Atom feeds and sitemaps are well-formed XML carrying the texts exactly (no CDATA break-out)", async () => {
    const xml = files.filter((f) => f.endsWith(".xml"));
    expect(xml).toEqual(expect.arrayContaining(["feed.xml", "sitemap.xml", "news-sitemap.xml"]));
    for (const file of xml) expect(xmlErrors(await read(file)), file).toEqual([]);
    const feed = parseXml(await read("feed.xml"));
    const entry = feed.getElementsByTagName("entry")[0]!;
    expect(entry.getElementsByTagName("title")[0]!.textContent).toBe(TITLE);
    // (xmldom normalises U+2028 to a line feed as XML 1.1 does; the file itself carries it as written.)
    expect(entry.getElementsByTagName("summary")[0]!.textContent).toBe(SUMMARY.replace("\u2028", "\n"));
    expect(entry.getElementsByTagName("name")[0]!.textContent).toBe(SOURCE);
    expect(feed.getElementsByTagName("title")[0]!.textContent).toBe(`Gazette "&" <Co>`);
    const news = parseXml(await read("news-sitemap.xml"));
    expect(news.getElementsByTagName("news:title")[0]!.textContent).toBe(TITLE);
    const entityFeeds = xml.filter((f) => f.startsWith("entities/"));
    const titles = await Promise.all(entityFeeds.map(async (f) => parseXml(await read(f)).getElementsByTagName("title")[0]!.textContent));
    expect(titles).toContain(`${ENTITY}: Gazette "&" <Co>`);
    for (const loc of parseXml(await read("sitemap.xml")).getElementsByTagName("loc")) expect(() => new URL(loc.textContent!)).not.toThrow();
  });

  it("JSON Feed and the JSON API parse and carry the texts exactly", async () => {
    for (const file of files.filter((f) => f.endsWith(".json"))) {
      const text = await read(file);
      expect(() => JSON.parse(text), file).not.toThrow();
    }
    const feed = JSON.parse(await read("feed.json"));
    expect(feed.items[0].title).toBe(TITLE);
    expect(feed.items[0].summary).toBe(SUMMARY);
    expect(feed.items[0].external_url).toBe(SOURCE_URL);
    const articles = JSON.parse(await read("api/articles.json"));
    expect(articles[0].title).toBe(TITLE);
    const entities = JSON.parse(await read("api/entities.json"));
    const smith = entities.find((e: { name: string }) => e.name === ENTITY);
    expect(smith).toBeDefined();
    expect(smith.slug).toMatch(/^[\p{L}\p{N}-]+$/u);
    for (const e of entities) expect(e.slug).toMatch(/^[\p{L}\p{N}-]+$/u);
  });

  it("the entity page of a name with quotes, ampersands and tags shows it as written", async () => {
    const entities = JSON.parse(await read("api/entities.json"));
    const smith = entities.find((e: { name: string }) => e.name === ENTITY);
    const html = await read(`entities/${smith.slug}/index.html`);
    expect(textOf(elements(html).find((e) => e.tagName === "h1")!)).toContain(ENTITY);
    expect(html).not.toContain("<b>Ltd</b>");
  });
});
