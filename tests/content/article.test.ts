import { describe, expect, it } from "vitest";
import { parseArticle, parseIsoDate, summarise } from "../../src/content/article.js";
import { formatIssue } from "../../src/content/issues.js";
import { isValidSlug, slugify } from "../../src/content/slug.js";

const article = (frontMatter: string, body = "Body text.\n") => `---\n${frontMatter}\n---\n${body}`;

describe("parseArticle", () => {
  it("reads the design.md fields into the typed model", () => {
    const result = parseArticle(
      "a.md",
      article('title: "Ministers meet in Doha"\ndate: 2025-05-07\nsource: Reuters\nsource_url: https://example.org/x\nentities: [Kabul]\nexclude_topics: [sport]'),
    );
    expect("article" in result).toBe(true);
    if (!("article" in result)) return;
    expect(result.article).toMatchObject({
      title: "Ministers meet in Doha",
      date: "2025-05-07",
      updated: "2025-05-07",
      slug: "ministers-meet-in-doha",
      url: "/articles/2025/05/ministers-meet-in-doha/",
      source: "Reuters",
      sourceUrl: "https://example.org/x",
      summary: "Body text.",
      body: "Body text.\n",
      overrides: { entities: ["Kabul"], excludeEntities: [], topics: [], excludeTopics: ["sport"] },
    });
  });

  it("knows where the body and the title stand in the file", () => {
    const text = article('title: "Ministers meet"\ndate: 2025-05-07', "Kabul said.\n");
    const result = parseArticle("a.md", text);
    if (!("article" in result)) throw new Error("expected an article");
    expect(text.slice(result.article.bodyOffset)).toBe("Kabul said.\n");
    expect(text.slice(result.article.titleOffset!, result.article.titleOffset! + 14)).toBe("Ministers meet");
  });

  it("reports every problem of a file at once, each at its field's line and column", () => {
    const result = parseArticle("bad.md", article('title: ""\ndate: 2025-02-30\nslug: ../../etc\nsource_url: ftp:x'));
    expect("issues" in result).toBe(true);
    if (!("issues" in result)) return;
    const lines = result.issues.map(formatIssue);
    expect(lines).toEqual([
      expect.stringMatching(/^bad\.md:2:8: missing title/),
      expect.stringMatching(/^bad\.md:3:7: '2025-02-30' is not a real date: write it as YYYY-MM-DD/),
      expect.stringMatching(/^bad\.md:4:7: slug '\.\.\/\.\.\/etc' must be one URL segment/),
      expect.stringMatching(/^bad\.md:5:13: source_url 'ftp:x' must be a web address/),
    ]);
  });

  it("points at the YAML error's own line", () => {
    const result = parseArticle("y.md", article('title: "ok"\ndate: 2025-05-07\ntopics: [a, b'));
    if (!("issues" in result)) throw new Error("expected issues");
    expect(result.issues).toHaveLength(1);
    expect(formatIssue(result.issues[0]!)).toMatch(/^y\.md:[45]:\d+: front matter is not valid YAML/);
  });

  it("refuses front matter that is not a mapping, and a file with none", () => {
    const list = parseArticle("l.md", article("- one\n- two"));
    expect("issues" in list && list.issues[0]!.message).toMatch(/must be a mapping of fields.*found a list/);
    const none = parseArticle("n.md", "Just text\n");
    expect("issues" in none && formatIssue(none.issues[0]!)).toMatch(/^n\.md:1:1: no front matter/);
  });

  it("suggests the field meant by a misspelt one", () => {
    const result = parseArticle("t.md", article('titel: "x"\ntitle: "y"\ndate: 2025-05-07'));
    expect("issues" in result && result.issues.map((i) => i.message)).toEqual(["unknown field 'titel': did you mean 'title'?"]);
  });
});

describe("dates", () => {
  it("accepts real days and ISO timestamps, and nothing else", () => {
    expect(parseIsoDate("2024-02-29")).toBe("2024-02-29");
    expect(parseIsoDate("2025-05-07T10:30:00Z")).toBe("2025-05-07");
    expect(parseIsoDate("2023-02-29")).toBeNull();
    expect(parseIsoDate("2025-13-01")).toBeNull();
    expect(parseIsoDate("7 May 2025")).toBeNull();
  });
});

describe("slugs", () => {
  it("folds Latin accents and keeps letters of every script", () => {
    expect(slugify("Taliban Fighters Have Defected To ISIS, TTP, Says Pakistani Envoy")).toBe("taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy");
    expect(slugify("Zürich’s café")).toBe("zurichs-cafe");
    expect(slugify("北京 发布 新闻")).toBe("北京-发布-新闻");
    expect(slugify("Москва и Киев")).toBe("москва-и-киев");
    expect(slugify("!!!")).toBe("");
  });

  it("validates editor-written slugs as one URL segment", () => {
    expect(isValidSlug("ministers-meet")).toBe(true);
    expect(isValidSlug("../x")).toBe(false);
    expect(isValidSlug("a/b")).toBe(false);
    expect(isValidSlug("a--b")).toBe(false);
  });
});

describe("summarise", () => {
  it("takes the first paragraph as plain text and cuts at a word", () => {
    expect(summarise("# Heading\n\nFirst *para* with [a link](http://x).\n\nSecond.")).toBe("First para with a link.");
    const long = summarise(`${"word ".repeat(100)}\n`, 50);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long.endsWith("…")).toBe(true);
  });
});
