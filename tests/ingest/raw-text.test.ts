import { readFile } from "node:fs/promises";
import path from "node:path";
import matter from "gray-matter";
import { afterEach, describe, expect, it } from "vitest";
import { escapeMarkdown, ingestRawText } from "../../src/ingest/raw-text.js";
import { gazette, scratch, SEED, writeTree } from "../support/cli.js";

describe("ingestRawText", () => {
  it("turns headline + paragraph lines into front matter and a Markdown body, typography intact", () => {
    const result = ingestRawText("2025-05-07-envoy-speaks.txt", "Envoy’s “Warning” — Again\nFirst paragraph – with a dash.\n\nSecond ‘quoted’ paragraph.\n", {
      source: "Wire",
      sourceUrl: "https://example.org/a",
    });
    if (!("article" in result)) throw new Error(result.error);
    const { data, content } = matter(result.article.markdown);
    expect(data).toEqual({
      title: "Envoy’s “Warning” — Again",
      date: "2025-05-07",
      slug: "envoy-speaks",
      source: "Wire",
      source_url: "https://example.org/a",
      summary: "First paragraph – with a dash.",
    });
    expect(content).toBe("First paragraph – with a dash.\n\nSecond ‘quoted’ paragraph.\n");
    expect(result.article.relativePath).toBe("2025/05/envoy-speaks.md");
  });

  it("takes --date over the file name, and slugs the headline when the name has no date", () => {
    const result = ingestRawText("000_abc.txt", "Ministers Meet\nText.", { date: "2024-02-29" });
    expect("article" in result && result.article.relativePath).toBe("2024/02/ministers-meet.md");
  });

  it("says how to give a date when there is none, and refuses impossible ones", () => {
    expect(ingestRawText("story.txt", "Headline\nText")).toEqual({ error: "no date: name the file YYYY-MM-DD-<slug>.txt or pass --date YYYY-MM-DD" });
    expect(ingestRawText("x.txt", "Headline\nText", { date: "2025-02-30" })).toMatchObject({ error: expect.stringMatching(/not a real date/) });
  });

  it("escapes what Markdown would read as syntax, so the text shows as written", () => {
    expect(escapeMarkdown("# 1 not a heading")).toBe("\\# 1 not a heading");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("a *b* <i>c</i> [d]")).toBe("a \\*b\\* \\<i\\>c\\</i\\> \\[d\\]");
  });
});

describe("gazette ingest", () => {
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(() => cleanup());

  it("ingests the seed with its date and source, and refuses to overwrite it without --force", async () => {
    const s = await scratch();
    cleanup = s.cleanup;
    const args = ["ingest", SEED, "--date", "2025-05-07", "--source", "Afghanistan International", "--source-url", "https://www.afintl.com/en/202505079646", "--content", path.join(s.dir, "content")];
    const first = await gazette(args);
    expect(first.code).toBe(0);
    const file = path.join(s.dir, "content/articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy.md");
    const { data, content } = matter(await readFile(file, "utf8"));
    expect(data.title).toBe("Taliban Fighters Have Defected To ISIS, TTP, Says Pakistani Envoy");
    expect(data.source).toBe("Afghanistan International");
    expect(content.startsWith("Pakistan’s Special Representative for Afghanistan, Mohammad Sadiq,")).toBe(true);

    const again = await gazette(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/skipped: .* exists \(pass --force to overwrite it\)/);
    const forced = await gazette([...args, "--force"]);
    expect(forced.stderr).toMatch(/ingested 1 article/);
  });

  it("ingests a folder, naming each file it cannot take and exiting 1", async () => {
    const s = await scratch();
    cleanup = s.cleanup;
    await writeTree(s.dir, {
      "raw/2025-01-02-first.txt": "First Story\nBody one.\n",
      "raw/2025-01-03-second.txt": "Second Story\nBody two.\n",
      "raw/undated.txt": "No Date Here\nBody.\n",
    });
    const result = await gazette(["ingest", path.join(s.dir, "raw"), "--content", path.join(s.dir, "content")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/undated\.txt:1:1: no date/);
    expect(result.stderr).toMatch(/ingested 2 articles, 1 failed/);
  });
});

describe("escaped raw text renders as written", () => {
  it("round-trips through remark for text full of Markdown syntax", async () => {
    const { MarkdownRenderer } = await import("../../src/render/markdown.js");
    const renderer = new MarkdownRenderer();
    const decode = (html: string) =>
      html.replace(/<\/?p>/g, "").trim().replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    for (const text of ["# not a heading", "1. not a list", "2) nor this", "- nor a bullet", "> nor a quote", "a *b* _c_ `d` [e](f) <g> \\h", "=== or ---", "| table |"]) {
      expect(decode(renderer.render(escapeMarkdown(text)))).toBe(text);
    }
  });
});
