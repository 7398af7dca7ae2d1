import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArticle, summarise } from "../../src/content/article.js";
import { blankMarkdownSyntax } from "../../src/nlp/analysis-text.js";
import { articleFile, gazette, scratch, writeTree } from "../support/cli.js";

/** Issue 7: the names that trip Eleventy (#2537 empty slugs, #2462 case-only duplicates) work. */
describe("titles in other scripts get real slugs; names differing only in case are one entity", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await scratch("gazette-names-"));
    await writeTree(dir, {
      "content/articles/2025/05/zh.md": articleFile({ title: "中国外交部发言人就阿富汗局势答记者问", date: "2025-05-07", entities: ["Kabul"] }, "正文。"),
      "content/articles/2025/05/ar.md": articleFile({ title: "المبعوث الباكستاني: مقاتلو طالبان انشقوا", date: "2025-05-07", entities: ["KABUL"] }, "نص المقال."),
      "content/articles/2025/05/ru.md": articleFile({ title: "Переговоры в Москве возобновятся", date: "2025-05-07", entities: ["kabul"] }, "Текст статьи."),
      "content/articles/2025/05/hi.md": articleFile({ title: "काबुल में वार्ता फिर शुरू", date: "2025-05-07" }, "लेख।"),
    });
    const result = await gazette(["build", "--out", "_site"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it.each([
    ["zh", "中国外交部发言人就阿富汗局势答记者问"],
    ["ar", "المبعوث-الباكستاني-مقاتلو-طالبان-انشقوا"],
    ["ru", "переговоры-в-москве-возобновятся"],
    ["hi", "काबुल-में-वार्ता-फिर-शुरू"],
  ])("%s: the page is at /articles/2025/05/<real slug>/", async (_lang, slug) => {
    const html = await readFile(path.join(dir, "_site/articles/2025/05", slug, "index.html"), "utf8");
    expect(html).toContain("<h1>");
    const sitemap = await readFile(path.join(dir, "_site/sitemap.xml"), "utf8");
    expect(sitemap).toContain(`/articles/2025/05/${encodeURIComponent(slug)}/`);
  });

  it("Kabul, KABUL and kabul are one entity with one page listing all three articles", async () => {
    const entities = JSON.parse(await readFile(path.join(dir, "_site/api/entities.json"), "utf8"));
    const kabul = entities.filter((e: { name: string }) => e.name.toLowerCase() === "kabul");
    expect(kabul).toHaveLength(1);
    expect(kabul[0].articles).toHaveLength(3);
    expect((await stat(path.join(dir, "_site/entities", kabul[0].slug, "index.html"))).isFile()).toBe(true);
  });
});

/** Issue 7: a 20 MB article and a 100,000-line article are read in reasonable time. */
describe("huge articles", () => {
  const paragraph = "Mohammad Sadiq met [officials](https://example.org/x) in Kabul on *Tuesday*, said the <b>envoy</b> (TTP).";
  const big = `---\ntitle: Big\ndate: 2025-05-07\n---\n${`${paragraph}\n\n`.repeat(Math.ceil(20e6 / (paragraph.length + 2)))}`;
  const lines = `---\ntitle: Long\ndate: 2025-05-07\n---\n${"A short line of text in Kabul.\n".repeat(100_000)}`;
  // Inputs that made the old code quadratic: one 2 MB line of openers that never close, and 100,000 blank lines.
  const adversarial = [
    "<a".repeat(1_000_000),
    "](".repeat(1_000_000),
    "<!--".repeat(500_000),
    "[".repeat(2_000_000),
    " \n".repeat(1_000_000),
  ];

  /** Milliseconds of the fastest of three runs: interference on a shared machine only ever adds time. */
  const fastest = (run: () => void) =>
    Math.min(...[0, 1, 2].map(() => {
      const started = performance.now();
      run();
      return performance.now() - started;
    }));

  it("parse a 20 MB and a 100,000-line article in time proportional to their size (ratio to a tenth, side by side)", () => {
    const tenth = (text: string) => text.slice(0, text.indexOf("\n", Math.floor(text.length / 10)) + 1);
    for (const text of [big, lines]) {
      const parsed = parseArticle("big.md", text);
      expect("article" in parsed).toBe(true);
      const ratio = fastest(() => parseArticle("big.md", text)) / fastest(() => parseArticle("big.md", tenth(text)));
      // linear: ~10; a quadratic pass would give ~100
      expect(ratio).toBeLessThan(30);
    }
  });

  it("Markdown-blanking and summaries stay linear on adversarial text (ratio to a quarter, side by side)", () => {
    for (const text of adversarial) {
      const blanked = blankMarkdownSyntax(text);
      expect(blanked.length).toBe(text.length);
      const work = (input: string) => () => {
        blankMarkdownSyntax(input);
        summarise(input);
      };
      const ratio = fastest(work(text)) / Math.max(1, fastest(work(text.slice(0, text.length / 4))));
      // linear: ~4; quadratic: ~16
      expect(ratio, JSON.stringify(text.slice(0, 8))).toBeLessThan(10);
    }
  });

  it("gazette check reads a 20 MB and a 100,000-line article through the CLI", async () => {
    const { dir, cleanup } = await scratch("gazette-huge-");
    try {
      await writeTree(dir, { "content/articles/2025/05/big.md": big, "content/articles/2025/05/long.md": lines });
      const result = await gazette(["check"], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^2 articles/);
    } finally {
      await cleanup();
    }
  });

  it("a 20 MB file that is not UTF-8 near its end is refused at the right line", async () => {
    const { dir, cleanup } = await scratch("gazette-huge-");
    try {
      const bytes = Buffer.concat([Buffer.from(big), Buffer.from([0xe9, 0x0a])]);
      await writeTree(dir, { "content/articles/2025/05/big.md": bytes });
      const result = await gazette(["check"], { cwd: dir });
      expect(result.code).toBe(1);
      const expectedLine = big.split("\n").length;
      expect(result.stderr).toContain(`content/articles/2025/05/big.md:${expectedLine}:1: not UTF-8 text`);
    } finally {
      await cleanup();
    }
  });
});
