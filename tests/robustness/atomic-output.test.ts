import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleFile, CLI, gazette, ROOT, scratch, writeTree } from "../support/cli.js";

/**
 * Issue 7: the output folder is replaced all-or-nothing. A build that fails,
 * or that is killed part-way with SIGKILL before its commit point, leaves the
 * previous site exactly as it was (byte for byte); one killed after it, while
 * moving its files in, is finished by the next command; and no temporary
 * folder outlives the next build.
 */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (sub: string) => {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else out[rel] = createHash("sha256").update(await readFile(path.join(dir, rel))).digest("hex");
    }
  };
  await walk("");
  return out;
}

const siblings = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith("_site") && name !== "_site").sort();
const cacheEnv = (dir: string) => ({ GAZETTE_CACHE: path.join(dir, ".cache") });
/** The commit journals (output-state.ts) in the test's cache: one is left only by a build killed while applying it. */
const journalsLeft = async (dir: string) => (await readdir(path.join(dir, ".cache", "outputs"))).filter((name) => name.endsWith(".journal.json"));

function articles(n: number, tag: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`content/articles/2025/05/story-${i}.md`] = articleFile(
      { title: `Story ${i} ${tag}`, date: `2025-05-${String(1 + (i % 28)).padStart(2, "0")}` },
      `Mohammad Sadiq met officials in Kabul about story ${i} (${tag}).\n\nTalks with the Haqqani network resumed in Doha.`,
    );
  }
  return files;
}

describe("the output folder is replaced atomically (issue 7)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let before: Record<string, string>;

  beforeAll(async () => {
    ({ dir, cleanup } = await scratch("gazette-atomic-"));
    await writeTree(dir, articles(40, "v1"));
    const first = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(first.code, first.stderr).toBe(0);
    before = await snapshot(path.join(dir, "_site"));
    expect(Object.keys(before).length).toBeGreaterThan(40);
  });
  afterAll(() => cleanup());

  it("a build that fails on content leaves the previous site byte-identical and no temporary folder", async () => {
    await writeTree(dir, { "content/articles/2025/05/broken.md": "---\ntitle: [\n---\n" });
    const result = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.md:\d+:\d+: front matter is not valid YAML/);
    expect(await snapshot(path.join(dir, "_site"))).toEqual(before);
    expect(await siblings(dir)).toEqual([]);
    await rm(path.join(dir, "content/articles/2025/05/broken.md"));
  });

  it("a build that fails while rendering (a broken template) leaves the previous site byte-identical and no temporary folder", async () => {
    const templates = path.join(dir, "templates");
    await cp(path.join(ROOT, "templates"), templates, { recursive: true });
    const articleTemplate = path.join(templates, "article.njk");
    await writeFile(articleTemplate, (await readFile(articleTemplate, "utf8")).replace("{% block main %}", "{% block main %}{% if %}"));
    const result = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(result.code).not.toBe(0);
    expect(await snapshot(path.join(dir, "_site"))).toEqual(before);
    expect(await siblings(dir)).toEqual([]);
    await rm(templates, { recursive: true });
  });

  it("a template that fails on a page names the template file, line, column, page and fix, and leaves the previous site byte-identical", async () => {
    const templates = path.join(dir, "templates");
    await cp(path.join(ROOT, "templates"), templates, { recursive: true });
    const articleTemplate = path.join(templates, "article.njk");
    const lines = (await readFile(articleTemplate, "utf8")).split("\n");
    const at = lines.findIndex((line) => line.includes("{% block main %}"));
    lines[at] = lines[at]!.replace("{% block main %}", "{% block main %}{{ p.article.missing() }}");
    await writeFile(articleTemplate, lines.join("\n"));
    const result = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(result.code).toBe(1);
    // The column of the call's parenthesis, counted from 1, in the file's own lines (front matter included).
    const column = lines[at]!.indexOf("missing(") + "missing".length + 1;
    expect(result.stderr).toContain(`templates/article.njk:${at + 1}:${column}: Unable to call \`p["article"]["missing"]\`, which is undefined or falsey (rendering articles/2025/05/story-`);
    expect(result.stderr).toMatch(/: fix this template, or one it extends or includes \(a page's data is its object p, typed in src\/site\/pages\.ts\)\n1 problem found; nothing was written\n$/);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(await snapshot(path.join(dir, "_site"))).toEqual(before);
    expect(await siblings(dir)).toEqual([]);
    await rm(templates, { recursive: true });
  });

  it("a build killed part-way (SIGKILL) leaves the previous site byte-identical; the next build removes its leftovers", async () => {
    await writeTree(dir, articles(40, "v2"));
    // What a complete build of the new content writes, built apart as the reference for "the whole new site".
    const reference = await gazette(["build", "--out", "reference-site"], { cwd: dir, env: { GAZETTE_CACHE: path.join(dir, ".reference-cache") } });
    expect(reference.code, reference.stderr).toBe(0);
    const newSite = await snapshot(path.join(dir, "reference-site"));
    await rm(path.join(dir, "reference-site"), { recursive: true });
    // Kill at several points: as soon as the staging folder appears, and later into rendering.
    for (const delay of [0, 300, 900]) {
      const child = spawn(process.execPath, [CLI, "build", "--out", "_site"], { cwd: dir, env: { ...process.env, CI: "true", ...cacheEnv(dir) }, stdio: "ignore" });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      let sawStaging = false;
      for (let i = 0; i < 600 && child.exitCode === null; i++) {
        if ((await siblings(dir)).some((name) => name.includes(".gazette-"))) {
          sawStaging = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(sawStaging, "the build should have started writing its staging folder").toBe(true);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill("SIGKILL");
      await exited;
      const after = await snapshot(path.join(dir, "_site"));
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        // Killed after its commit point. Either the journal had been applied in full (the whole new site), or the kill
        // cut its application short: then the journal is still there, and the next command finishes it before
        // anything else, even a build that then fails on its content. The folder never stays a mix of two builds.
        if (JSON.stringify(after) !== JSON.stringify(newSite)) {
          if (process.env.GAZETTE_TEST_DEBUG) console.log(`killed ${delay} ms in, while its journal was being applied`);
          expect(await journalsLeft(dir), "a folder that is neither the old nor the new site needs a journal to finish it").not.toEqual([]);
          await writeTree(dir, { "content/articles/2025/05/broken.md": "---\ntitle: [\n---\n" });
          const failing = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
          await rm(path.join(dir, "content/articles/2025/05/broken.md"));
          expect(failing.code, failing.stderr).toBe(1);
          expect(await journalsLeft(dir)).toEqual([]);
        }
        expect(await snapshot(path.join(dir, "_site"))).toEqual(newSite);
        before = newSite;
      }
    }
    // A killed build leaves its staging folder (nothing can run after SIGKILL) ...
    const left = await siblings(dir);
    if (process.env.GAZETTE_TEST_DEBUG) console.log("leftovers after kills:", left, "changed:", before["index.html"]);
    // ... and the next build cleans it (and any other dead build's leftovers) away.
    await mkdir(path.join(dir, "_site.gazette-staging-999999999"), { recursive: true });
    await writeFile(path.join(dir, "_site.gazette-staging-999999999/index.html"), "stale");
    const next = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(next.code, next.stderr).toBe(0);
    expect(await siblings(dir), `left before: ${left.join(", ")}`).toEqual([]);
    expect(await readFile(path.join(dir, "_site/index.html"), "utf8")).toContain("Story 0 v2");
  });

  it("a leftover of a build that is still running is not touched", async () => {
    const live = path.join(dir, `_site.gazette-staging-${process.pid}`);
    await mkdir(live, { recursive: true });
    const result = await gazette(["build", "--out", "_site"], { cwd: dir, env: cacheEnv(dir) });
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(live)).isDirectory()).toBe(true);
    await rm(live, { recursive: true });
  });

  it("refuses (exit 2) to replace a folder that is not a site: the content folder, the working folder, a folder of other files", async () => {
    await writeTree(dir, { "notes/todo.txt": "keep me" });
    for (const out of ["content", ".", "notes", path.dirname(dir), "content/_site"]) {
      const result = await gazette(["build", "--out", out], { cwd: dir, env: cacheEnv(dir) });
      expect(result.code, `${out}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/refusing to build into .*choose a folder of its own/);
    }
    expect(await readFile(path.join(dir, "notes/todo.txt"), "utf8")).toBe("keep me");
    expect((await readdir(path.join(dir, "content/articles/2025/05"))).length).toBe(40);
  });
});
