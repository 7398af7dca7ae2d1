// Issue 5's browser test: `gazette serve`, an article open in Chromium, the article file edited: the page
// changes by itself (no reload from the test). Then a content error shows in the page while the last good
// site stays up, and goes away when the error is fixed. Needs Debian's Chromium (skipped, saying so, without).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusTexts, makeProject, slugOf, dateOf } from "../build/support.js";
import { CLI, scratch } from "../support/cli.js";

const CHROMIUM = process.env.GAZETTE_CHROMIUM ?? "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`serve browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set GAZETTE_CHROMIUM)`);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

describe.skipIf(!HAS_CHROMIUM)("gazette serve in a browser", () => {
  let work: Awaited<ReturnType<typeof scratch>>;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let log = "";
  let origin = "";
  let project = "";

  beforeAll(async () => {
    work = await scratch("gazette-serve-");
    project = path.join(work.dir, "project");
    await makeProject(project, await corpusTexts(4));
    server = spawn(process.execPath, [CLI, "serve", "--content", "content", "--out", "_site", "--port", "0"], {
      cwd: project,
      env: { ...process.env, CI: "1", GAZETTE_CACHE: path.join(work.dir, "cache") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (chunk) => (log += chunk));
    server.stderr!.on("data", (chunk) => (log += chunk));
    origin = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
        if (server!.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`serve exited:\n${log}`));
        }
      }, 50);
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    await work?.cleanup();
  });

  /** Waits until the server's log has grown past `from` with a line matching `pattern`; returns when it saw it. */
  const logged = (pattern: RegExp, from: number, timeout = 60_000) =>
    new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (pattern.test(log.slice(from))) {
          clearInterval(timer);
          resolve(performance.now());
        } else if (Date.now() - started > timeout) {
          clearInterval(timer);
          reject(new Error(`no ${pattern} in:\n${log}`));
        }
      }, 5);
    });

  it("reloads the open page after an edit, and shows a content error over the last good site", { timeout: 240_000 }, async () => {
    const texts = await corpusTexts(4);
    const slug = slugOf(texts[0]!.title);
    const date = dateOf(0);
    const file = path.join(project, "content", "articles", date.slice(0, 4), date.slice(5, 7), `${slug}.md`);
    const page = await browser!.newPage();
    const loads: number[] = [];
    page.on("load", () => loads.push(performance.now()));
    await page.goto(`${origin}/articles/${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}/`);
    expect(await page.textContent("h1")).toBe(texts[0]!.title.replace(/"/g, "'"));
    // The live-reload connection is open before the edit.
    await page.waitForFunction(() => (window as unknown as { gazetteLive?: boolean }).gazetteLive === true);

    const original = await readFile(file, "utf8");
    const mark = log.length;
    await writeFile(file, original.replace(/^title: .*$/m, 'title: "Edited While Open"'));
    const rebuilt = await logged(/rebuilt in/, mark);
    await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Edited While Open", undefined, { timeout: 30_000 });
    const reloadedAt = loads.find((at) => at > rebuilt) ?? performance.now();
    // Issue 5's 300 ms is a figure to report, not a timed assertion on a shared machine.
    console.log(`serve: page reloaded ${Math.round(reloadedAt - rebuilt)} ms after the rebuild was logged`);
    expect(reloadedAt).toBeGreaterThan(rebuilt);

    // A content error: shown in the page, the page itself still the last good one.
    const broken = path.join(project, "content", "articles", "1996", "01", "broken.md");
    const before = log.length;
    await writeFile(broken, "---\ntitle: [unclosed\n---\nBody.\n");
    await logged(/build failed, the last good site stays up/, before);
    await page.waitForSelector("#gazette-problem", { timeout: 30_000 });
    expect(await page.textContent("#gazette-problem")).toContain("broken.md");
    expect(await page.textContent("h1")).toBe("Edited While Open");
    const fresh = await browser!.newPage();
    await fresh.goto(`${origin}/articles/${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}/`);
    expect(await fresh.textContent("h1")).toBe("Edited While Open");
    await fresh.waitForSelector("#gazette-problem", { timeout: 30_000 });

    // Fixed: the next build succeeds, the page reloads and the error box is gone.
    await unlink(broken);
    await page.waitForFunction(() => !document.getElementById("gazette-problem") && document.readyState === "complete", undefined, { timeout: 30_000 });
    expect(await page.textContent("h1")).toBe("Edited While Open");
  });
});
