// `gazette serve` keeps the last build's articles and analyses in memory (build.ts BuildMemory): a rebuild after
// an edit neither reads nor writes the disk caches of either, and its site is still exactly a clean build's.
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { articleMarkdown, corpusTexts, dateOf, differences, makeProject, slugOf, snapshot, writeArticle } from "../build/support.js";
import { CLI, gazette, scratch } from "../support/cli.js";

let work: Awaited<ReturnType<typeof scratch>>;
let server: ChildProcess | undefined;
let log = "";
let project = "";
const cache = () => path.join(work.dir, "cache");

beforeAll(async () => {
  work = await scratch("gazette-serve-memory-");
  project = path.join(work.dir, "project");
  await makeProject(project, (await corpusTexts(10)).slice(0, 6));
  server = spawn(process.execPath, [CLI, "serve", "--content", "content", "--out", "_site", "--port", "0"], {
    cwd: project,
    env: { ...process.env, CI: "1", GAZETTE_CACHE: cache() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout!.on("data", (chunk) => (log += chunk));
  server.stderr!.on("data", (chunk) => (log += chunk));
  await until(() => /serving /.test(log), "the first build");
}, 180_000);

afterAll(async () => {
  server?.kill("SIGTERM");
  await work?.cleanup();
});

async function until(done: () => boolean, what: string, timeout = 60_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (server?.exitCode !== null || Date.now() - started > timeout) throw new Error(`no ${what} in:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rebuilds = () => log.match(/rebuilt in/g)?.length ?? 0;
const diskCaches = async () => (await readdir(cache())).filter((name) => /^(articles|analyses)-/.test(name)).sort();

it("rebuilds after edits from memory, without the disk caches, into exactly a clean build's site", { timeout: 300_000 }, async () => {
  // The first build filled the disk caches; gone now, only the server's memory can spare the rebuilds the work.
  const filled = await diskCaches();
  expect(filled.length).toBeGreaterThan(0);
  for (const name of filled) await rm(path.join(cache(), name));

  const texts = await corpusTexts(10);
  const firstFile = path.join(project, "content", "articles", "1996", dateOf(0).slice(5, 7), `${slugOf(texts[0]!.title)}.md`);
  const lastFile = path.join(project, "content", "articles", "1996", dateOf(5).slice(5, 7), `${slugOf(texts[5]!.title)}.md`);
  const edits: [string, () => Promise<unknown>][] = [
    ["a sentence naming an entity", async () => writeFile(firstFile, `${await readFile(firstFile, "utf8")}\nOfficials in Geneva met Boris Yeltsin on Friday.\n`)],
    ["a title", async () => writeFile(firstFile, (await readFile(firstFile, "utf8")).replace(/^title: .*$/m, "title: A new title for the first story"))],
    ["a new article", async () => writeArticle(project, dateOf(6), slugOf(texts[6]!.title), articleMarkdown(texts[6]!.title, dateOf(6), slugOf(texts[6]!.title), texts[6]!.paragraphs))],
    ["an article deleted", () => unlink(lastFile)],
    // A new registry fingerprint: no analysis in memory holds, and the few articles are analysed again.
    ["a registry entry", () => writeFile(path.join(project, "content", "entities.yml"), "- name: Boris Yeltsin\n  type: person\n  aliases: [Yeltsin]\n  description: Russian president.\n")],
  ];
  for (const [step, [what, edit]] of edits.entries()) {
    const before = rebuilds();
    await edit();
    await until(() => rebuilds() > before, `a rebuild after ${what}`);
    // The watcher may report one edit more than once: wait until the server has been quiet a while.
    for (let seen = ""; seen !== log; ) {
      seen = log;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    expect(log, what).not.toMatch(/build failed/);

    const clean = path.join(work.dir, `clean-${step}`);
    // The server builds with its own address as the site's.
    const origin = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)![1]!;
    const reference = await gazette(["build", "--content", "content", "--out", clean, "--base-url", origin], { cwd: project, env: { GAZETTE_CACHE: path.join(work.dir, `clean-cache-${step}`) } });
    expect(reference.code, reference.stderr).toBe(0);
    expect(differences(await snapshot(path.join(project, "_site")), await snapshot(clean)), `after ${what}`).toEqual([]);
    expect(await diskCaches(), `after ${what}: the rebuild read or wrote a disk cache it had in memory`).toEqual([]);
  }
});
