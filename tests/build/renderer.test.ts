// The fast renderer (Nunjucks on worker threads) must write exactly what Eleventy writes from the same templates.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { gazette, scratch } from "../support/cli.js";
import { corpusTexts, differences, makeProject, snapshot } from "./support.js";

let work: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  work = await scratch("gazette-renderer-");
});
afterAll(async () => {
  await work?.cleanup();
});

it("renders every page byte for byte as Eleventy does", { timeout: 600_000 }, async () => {
  const project = path.join(work.dir, "project");
  // Enough pages that rendering goes to the worker threads, and page size 2 so every listing paginates.
  await makeProject(project, await corpusTexts(60));
  const run = (out: string, env: Record<string, string>) =>
    gazette(["build", "--content", "content", "--out", out, "--path-prefix", "/news/"], { cwd: project, env: { GAZETTE_CACHE: path.join(work.dir, "cache"), GAZETTE_TIMINGS: "1", ...env } });
  const fast = await run(path.join(work.dir, "fast"), {});
  expect(fast.code, fast.stderr).toBe(0);
  const eleventy = await run(path.join(work.dir, "eleventy"), { GAZETTE_RENDERER: "eleventy" });
  expect(eleventy.code, eleventy.stderr).toBe(0);
  const a = await snapshot(path.join(work.dir, "fast"));
  expect([...a.keys()].filter((file) => file.endsWith(".html")).length).toBeGreaterThan(400);
  expect(differences(a, await snapshot(path.join(work.dir, "eleventy")))).toEqual([]);
});
