// The seed site in a real browser (Debian's Chromium via playwright-core),
// served from a sub-folder by a plain static server on 127.0.0.1:
// axe-core on every kind of page, in light and dark mode, and a reader's
// journey home -> article -> entity -> search at a phone and a desktop width.
import { cp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleFile, ROOT, scratch, writeTree } from "../support/cli.js";
import { buildIn, buildSeedSite, serveStatic, type BuiltSite, type StaticServer } from "../site/support.js";
import { HAS_CHROMIUM, launchChromium, screenshotPath, SKIP_REASON } from "./support.js";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const ARTICLE = "articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy/";
const PAGES: Record<string, string> = {
  home: "",
  article: ARTICLE,
  "entity index": "entities/",
  entity: "entities/tehreek-e-taliban-pakistan/",
  "topic index": "topics/",
  topic: "topics/politics/",
  search: "search/",
  "search results": "search/?q=defections",
};
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
] as const;

let site: BuiltSite;
let server: StaticServer;
let browser: Browser;

/** A page that records console errors and failed requests, so a test can insist on none. */
async function openPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  return { page, problems };
}

describe.skipIf(!HAS_CHROMIUM)(`the seed site in Chromium${HAS_CHROMIUM ? "" : ` (skipped: ${SKIP_REASON})`}`, () => {
  beforeAll(async () => {
    site = await buildSeedSite();
    server = await serveStatic(site.dir);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await site?.cleanup();
  });

  describe("axe-core", () => {
    for (const colorScheme of ["light", "dark"] as const) {
      it(`finds 0 violations on every kind of page (${colorScheme === "light" ? "all rules, light mode" : "colour contrast, dark mode"})`, async () => {
        const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
        const source = await AXE_SOURCE;
        const report: string[] = [];
        const violations: string[] = [];
        try {
          for (const [name, url] of Object.entries(PAGES)) {
            const { page, problems } = await openPage(context);
            await page.goto(server.url + url, { waitUntil: "load" });
            if (name === "search results") await page.locator("#search-results .card").first().waitFor();
            await page.addScriptTag({ content: source });
            // Every rule in light mode; in dark mode only colour contrast changes, so only it runs again.
            const result = await page.evaluate(async (onlyContrast) => {
              type Axe = { run(context: Document, options?: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[]; passes: unknown[] }> };
              const axe = (globalThis as unknown as { axe: Axe }).axe;
              const run = await axe.run(document, onlyContrast ? { runOnly: ["color-contrast"] } : {});
              return { violations: run.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) })), passes: run.passes.length };
            }, colorScheme === "dark");
            report.push(`${name}: ${result.violations.length} violations (${result.passes} rules passed)`);
            for (const v of result.violations) violations.push(`${name}: ${v.id} (${v.impact}) at ${v.targets.join(", ")}`);
            expect(problems, name).toEqual([]);
            await page.close();
          }
        } finally {
          await context.close();
        }
        console.info(`axe-core ${colorScheme}:\n  ${report.join("\n  ")}`);
        expect(violations).toEqual([]);
      }, 180_000);
    }
  });

  for (const viewport of VIEWPORTS) {
    it(`a reader goes home -> article -> entity -> search at ${viewport.name} width (${viewport.width}x${viewport.height})`, async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, colorScheme: "light" });
      const { page, problems } = await openPage(context);
      const shot = async (name: string) => page.screenshot({ path: await screenshotPath(`${viewport.name}-${name}`), fullPage: true });
      const noSidewaysScroll = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
      try {
        await page.goto(server.url);
        await expect(page.locator("h1").textContent()).resolves.toBe("Latest articles");
        // The first Tab reaches the skip link, which shows itself with a focus ring.
        await page.keyboard.press("Tab");
        const skip = await page.evaluate(() => {
          const active = document.activeElement as HTMLElement;
          const box = active.getBoundingClientRect();
          return { text: active.textContent, left: box.left, outline: getComputedStyle(active).outlineStyle };
        });
        expect(skip.text).toBe("Skip to content");
        expect(skip.left).toBeGreaterThanOrEqual(0);
        expect(skip.outline).not.toBe("none");
        await noSidewaysScroll();
        await shot("1-home");

        const articleLink = page.locator("main .card-title a").first();
        const title = (await articleLink.textContent())!;
        await articleLink.click();
        await page.waitForURL(`**${ARTICLE}`);
        await expect(page.locator("h1").textContent()).resolves.toBe(title);
        await noSidewaysScroll();
        await shot("2-article");

        // A word of the article, to search for later: its longest word, so one that is really in the text.
        const body = (await page.locator(".story .body").textContent())!;
        const word = body.split(/[^\p{L}]+/u).reduce((best, w) => (w.length > best.length ? w : best), "");
        expect(word.length).toBeGreaterThan(6);

        const entityLink = page.locator(".story .body a[href*='/entities/']").first();
        const entityName = (await entityLink.textContent())!;
        await entityLink.click();
        await page.waitForURL("**/sub/entities/**");
        await expect(page.locator("h1").textContent()).resolves.toBe(entityName);
        await expect(page.locator("svg.timeline").count()).resolves.toBe(1);
        await expect(page.locator(".kwic mark").first().textContent()).resolves.toBeTruthy();
        await noSidewaysScroll();
        await shot("3-entity");

        await page.locator("nav[aria-label='Sections'] a", { hasText: "Search" }).click();
        await page.waitForURL("**/sub/search/");
        await page.locator("#search-query").fill(word);
        await page.locator("#search-query").press("Enter");
        const hit = page.locator("#search-results .card-title a", { hasText: title });
        await hit.waitFor();
        expect(await hit.getAttribute("href")).toBe(`/sub/${ARTICLE}`);
        await expect(page.locator("#search-results mark").first().textContent()).resolves.toMatch(new RegExp(word, "i"));
        expect(page.url()).toContain(`?q=${encodeURIComponent(word)}`);
        await noSidewaysScroll();
        await shot("4-search");
        await hit.click();
        await page.waitForURL(`**${ARTICLE}`);

        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);
  }

  it("reads well in dark mode and prints without navigation", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const { page, problems } = await openPage(context);
    try {
      await page.goto(server.url + ARTICLE);
      const colours = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
      expect(colours.bg).toBe("rgb(20, 20, 20)");
      await page.screenshot({ path: await screenshotPath("phone-dark-article"), fullPage: true });
      await page.emulateMedia({ media: "print" });
      await expect(page.locator("nav[aria-label='Sections']").isVisible()).resolves.toBe(false);
      await expect(page.locator(".site-footer").isVisible()).resolves.toBe(false);
      await expect(page.locator("h1").isVisible()).resolves.toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("search covers every year: each year's bundle is merged into the newest one's", async () => {
    const { dir, cleanup } = await scratch("gazette-years-");
    let yearsServer: StaticServer | undefined;
    const context = await browser.newContext();
    try {
      await cp(path.join(ROOT, "content"), path.join(dir, "content"), { recursive: true });
      await writeTree(path.join(dir, "content", "articles", "2019", "03"), {
        "harbour-dredging-resumes.md": articleFile(
          { title: "Harbour dredging resumes in Mombasa", date: "2019-03-06", source: "Gazette desk" },
          "Dredgers returned to the old harbour on Wednesday after the quinquennial survey found silt had built up again.",
        ),
      });
      yearsServer = await serveStatic((await buildIn(dir, async () => undefined)).dir);
      const { page, problems } = await openPage(context);
      for (const [word, title] of [
        ["quinquennial", "Harbour dredging resumes in Mombasa"],
        ["defections", "Taliban fighters have defected to ISIS"],
      ] as const) {
        await page.goto(`${yearsServer.url}search/?q=${word}`);
        await page.locator("#search-results .card-title a", { hasText: title }).first().waitFor();
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await yearsServer?.close();
      await cleanup();
    }
  });

  it("works without JavaScript, search aside", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const { page } = await openPage(context);
    try {
      await page.goto(server.url);
      await page.locator("main .card-title a").first().click();
      await page.waitForURL(`**${ARTICLE}`);
      await page.locator(".story-index a").first().click();
      await page.waitForURL("**/sub/entities/**");
      await expect(page.locator("svg.timeline").isVisible()).resolves.toBe(true);
      await page.goto(`${server.url}search/`);
      await expect(page.locator("noscript").count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });
});
