import { execFileSync } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gazette, scratch, writeTree } from "../support/cli.js";

/**
 * How `gazette ingest` puts articles in place: nothing visible until every
 * file is read, a new month folder renamed in whole, and never an existing
 * article replaced without --force, also when the month or the article
 * appears while the ingest runs (another ingest, an editor).
 */
describe("gazette ingest puts articles in place safely", () => {
  let cleanup: () => Promise<void> = async () => undefined;
  afterEach(() => cleanup());

  /** Every file below a folder, relative, sorted. */
  const tree = async (dir: string) => ((await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort());

  const hasMkfifo = (() => {
    try {
      execFileSync("mkfifo", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  /**
   * Runs an ingest of FIRST and then a named pipe; once the ingest has read FIRST (it then waits on the pipe),
   * runs MEANWHILE, then feeds the pipe a second article, so what MEANWHILE does falls between the ingest
   * looking at the folders and putting the articles in place.
   */
  async function ingestWithPause(dir: string, first: string, meanwhile: () => Promise<void>, args: string[] = []) {
    const pipe = path.join(dir, "pipe", "2025-06-01-piped.txt");
    await rm(pipe, { force: true });
    await mkdir(path.dirname(pipe), { recursive: true });
    execFileSync("mkfifo", [pipe]);
    const run = gazette(["ingest", first, pipe, ...args], { cwd: dir });
    // Opening the pipe to write returns once the ingest opened it to read: it is past FIRST.
    const ended = run.then(async (result) => {
      await (await open(pipe, constants.O_RDONLY | constants.O_NONBLOCK)).close(); // lets the open below return
      throw new Error(`the ingest ended before reading the pipe: ${result.stderr}`);
    });
    const writer = await Promise.race([open(pipe, "w"), ended]);
    await meanwhile();
    await writer.writeFile("Piped Story\nBody.\n");
    await writer.close();
    return run;
  }

  it.skipIf(!hasMkfifo)("a month folder made meanwhile with an editor's article in it: that article is kept, the rest goes in", async () => {
    const s = await scratch("gazette-ingest-");
    cleanup = s.cleanup;
    await writeTree(s.dir, { "raw/2025-05-07-talks.txt": "Talks resume\nOur version.\n", "raw/2025-05-08-more.txt": "More talks\nOurs too.\n" });
    const month = path.join(s.dir, "content/articles/2025/05");
    const result = await ingestWithPause(s.dir, "raw", async () => {
      await mkdir(month, { recursive: true });
      await writeFile(path.join(month, "talks.md"), "the editor's file\n");
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/skipped: .*talks\.md exists \(pass --force to overwrite it\)/);
    expect(result.stderr).toMatch(/ingested 2 articles, skipped 1/);
    expect(await readFile(path.join(month, "talks.md"), "utf8")).toBe("the editor's file\n");
    expect(await readFile(path.join(month, "more.md"), "utf8")).toContain("Ours too.");
    expect(await tree(path.join(s.dir, "content"))).toEqual(["articles/2025/05/more.md", "articles/2025/05/talks.md", "articles/2025/06/piped.md"]);
  });

  it.skipIf(!hasMkfifo)("an article that appears in an existing month meanwhile is kept; with --force it is replaced", async () => {
    const s = await scratch("gazette-ingest-");
    cleanup = s.cleanup;
    await writeTree(s.dir, { "raw/2025-05-07-talks.txt": "Talks resume\nOur version.\n", "content/articles/2025/05/older.md": "older\n" });
    const target = path.join(s.dir, "content/articles/2025/05/talks.md");
    const kept = await ingestWithPause(s.dir, "raw", () => writeFile(target, "the editor's file\n"));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/ingested 1 article, skipped 1/);
    expect(await readFile(target, "utf8")).toBe("the editor's file\n");

    await writeFile(path.join(s.dir, "content/articles/2025/06/piped.md"), "edited\n");
    const forced = await ingestWithPause(s.dir, "raw", async () => undefined, ["--force"]);
    expect(forced.stderr).toMatch(/ingested 2 articles/);
    expect(await readFile(target, "utf8")).toContain("Our version.");
    expect(await readFile(path.join(s.dir, "content/articles/2025/06/piped.md"), "utf8")).toContain("Piped Story");
    expect(await tree(path.join(s.dir, "content"))).toEqual(["articles/2025/05/older.md", "articles/2025/05/talks.md", "articles/2025/06/piped.md"]);
  });

  it("two ingests racing over the same articles: each article is written once, whole, by the run that says it wrote it", async () => {
    const s = await scratch("gazette-ingest-");
    cleanup = s.cleanup;
    const names: string[] = [];
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      const name = `2025-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}-story-${i}`;
      names.push(name);
      files[`a/${name}.txt`] = `Story ${i}\nVersion A of ${i}.\n`;
      files[`b/${name}.txt`] = `Story ${i}\nVersion B of ${i}.\n`;
    }
    await writeTree(s.dir, files);
    // One month exists already, so both ways in (a folder renamed whole, articles linked one by one) race.
    await mkdir(path.join(s.dir, "content/articles/2025/03"), { recursive: true });
    const [a, b] = await Promise.all([gazette(["ingest", "a"], { cwd: s.dir }), gazette(["ingest", "b"], { cwd: s.dir })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const count = (stderr: string, what: string) => Number(new RegExp(`${what} (\\d+)`).exec(stderr)?.[1] ?? 0);
    expect(count(a.stderr, "ingested") + count(b.stderr, "ingested")).toBe(300);
    expect(count(a.stderr, "skipped") + count(b.stderr, "skipped")).toBe(300);
    for (const [i, name] of names.entries()) {
      const rel = `content/articles/${name.slice(0, 4)}/${name.slice(5, 7)}/${name.slice(11)}.md`;
      const text = await readFile(path.join(s.dir, rel), "utf8");
      const winner = /Version ([AB]) of/.exec(text)?.[1];
      expect(text).toMatch(new RegExp(`^---\\ntitle: Story ${i}\\n[^]*\\nVersion ${winner} of ${i}\\.\\n$`));
      // The run that did not write it reports it skipped.
      expect((winner === "A" ? b : a).stderr).toContain(`${rel} exists`);
    }
    expect((await readdir(path.join(s.dir, "content"))).sort()).toEqual(["articles"]);
  });

  it("a file that cannot be read stops the run with nothing written, not even the content folder", async () => {
    const s = await scratch("gazette-ingest-");
    cleanup = s.cleanup;
    await writeTree(s.dir, { "raw/2025-05-07-fine.txt": "Fine\nBody.\n" });
    await mkdir(path.join(s.dir, "raw/2025-05-08-folder.txt"));
    const result = await gazette(["ingest", "raw"], { cwd: s.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EISDIR/);
    expect(existsSync(path.join(s.dir, "content"))).toBe(false);
  });

  it("new and existing months together: existing articles skipped, the rest written, the report in input order, no staging left", async () => {
    const s = await scratch("gazette-ingest-");
    cleanup = s.cleanup;
    await writeTree(s.dir, {
      "raw/2025-05-07-a.txt": "A\nBody a.\n",
      "raw/2025-05-08-b.txt": "B\nBody b.\n",
      "raw/2025-05-09-c.txt": "C\nBody c.\n",
      "raw/2026-01-01-d.txt": "D\nBody d.\n",
      "content/articles/2025/05/b.md": "kept\n",
      "content/topics.yml": "topics: []\n",
    });
    const result = await gazette(["ingest", "raw"], { cwd: s.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("raw/2025-05-08-b.txt: skipped: content/articles/2025/05/b.md exists (pass --force to overwrite it)\ningested 3 articles, skipped 1\n");
    expect(await tree(path.join(s.dir, "content"))).toEqual(["articles/2025/05/a.md", "articles/2025/05/b.md", "articles/2025/05/c.md", "articles/2026/01/d.md", "topics.yml"]);
    expect(await readFile(path.join(s.dir, "content/articles/2025/05/b.md"), "utf8")).toBe("kept\n");
    expect(await readFile(path.join(s.dir, "content/articles/2026/01/d.md"), "utf8")).toBe("---\ntitle: D\ndate: '2026-01-01'\nslug: d\nsummary: Body d.\n---\nBody d.\n");
  });
});
