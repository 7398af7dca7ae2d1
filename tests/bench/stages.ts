/**
 * The build's single-threaded middle stages, two compiled versions side by side in one run:
 *   node --expose-gc --import tsx tests/bench/stages.ts --before /tmp/old/dist [--after dist] [--content DIR] [--rounds 5] [--cold 3]
 * Times, by CPU (process.cpuUsage: every thread of the process, GC included), buildArchiveIndex, buildPages
 * (with build.ts's body-token stub) and feeds/api/sitemaps, and then what build.ts does next with their
 * output (every page as JSON, every file hashed: "consume", so that work left for later is not missed).
 *  - warm: both versions in this process, alternating, best of --rounds; checks that both produce the same
 *    index, pages and files (sha256 over their JSON and bytes).
 *  - --cold N: each version once per fresh process, N times each, alternating: what one build pays,
 *    compilation of the code included.
 * The content is read once per process, with the analyses from the cache (GAZETTE_CACHE) through
 * `analyseArchive` of the --loader dist (default: --before): the cache must be warm for that dist's code
 * (run a build with it first), else every article is analysed here, on one thread. analyseArchive builds
 * an index itself: for cold runs, give a copy of the before dist kept elsewhere (the same files, so the
 * same cache), or the before version's code is compiled before it is timed.
 * A dist outside the repository needs node_modules beside it (a symlink) to resolve its imports.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const arg = (name: string, fallback?: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const dists = { before: path.resolve(arg("--before", "dist")!), after: path.resolve(arg("--after", "dist")!) };
const content = path.resolve(arg("--content", "/tmp/gazette-bench-10000/content")!);
const rounds = Number(arg("--rounds", "5"));
const cold = Number(arg("--cold", "0"));
const child = arg("--child") as Name | undefined;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

type Name = "before" | "after";
type Stage = "index" | "pages" | "feeds" | "consume";
const STAGES: Stage[] = ["index", "pages", "feeds", "consume"];
const CHECKED: Stage[] = ["index", "pages", "feeds"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Module = any;
const load = async (dist: string) => ({
  build: (await import(path.join(dist, "build.js"))) as Module,
  index: (await import(path.join(dist, "index", "archive-index.js"))) as Module,
  pages: (await import(path.join(dist, "site", "pages.js"))) as Module,
  feeds: (await import(path.join(dist, "site", "feeds.js"))) as Module,
  sitemap: (await import(path.join(dist, "site", "sitemap.js"))) as Module,
  api: (await import(path.join(dist, "site", "api.js"))) as Module,
  urls: (await import(path.join(dist, "site", "urls.js"))) as Module,
});

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const timed = <T>(fn: () => T): [T, number] => {
  gc();
  const from = cpu();
  const value = fn();
  return [value, cpu() - from];
};
const fixed = (ms: number) => ms.toFixed(0).padStart(8);

if (cold > 0 && !child) {
  // Parent of the cold runs: one fresh process per version and run.
  const script = fileURLToPath(import.meta.url);
  const runs: Record<Name, Record<Stage, number>[]> = { before: [], after: [] };
  for (let run = 0; run < cold; run++) {
    for (const name of (run % 2 === 0 ? ["before", "after"] : ["after", "before"]) as Name[]) {
      const result = spawnSync(process.execPath, [...process.execArgv, script, ...args, "--child", name], { encoding: "utf8", maxBuffer: 1 << 26 });
      const line = result.stdout.split("\n").find((l) => l.startsWith("STAGES "));
      if (!line) {
        console.error(result.stdout, result.stderr);
        process.exit(1);
      }
      const times = JSON.parse(line.slice(7)) as Record<Stage, number>;
      runs[name].push(times);
      console.log(`cold ${run + 1} ${name.padEnd(6)} ${STAGES.map((s) => `${s} ${times[s].toFixed(0)}`).join("  ")} ms (CPU)`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const of = (name: Name, stage: Stage) => median(runs[name].map((t) => t[stage]));
  report(`median of ${cold} cold runs (one fresh process each)`, (name, stage) => of(name, stage));
  process.exit(0);
}

const names: Name[] = child ? [child] : ["before", "after"];
const impls: Partial<Record<Name, Awaited<ReturnType<typeof load>>>> = {};
for (const name of names) impls[name] = await load(dists[name]);
const loader = (await import(path.join(path.resolve(arg("--loader", dists.before)!), "build.js"))) as Module;

const started = performance.now();
const { archive, analyses } = await loader.analyseArchive(content);
if (!child) console.log(`${archive.articles.length} articles loaded with their analyses in ${((performance.now() - started) / 1000).toFixed(1)} s (wall)`);

/** One pass of the stages with one version: their times, and what they made. */
function pass(m: Awaited<ReturnType<typeof load>>) {
  const location = m.urls.locate(archive.site.baseUrl);
  const [index, indexMs] = timed(() => m.index.buildArchiveIndex({ articles: archive.articles, analyses, registry: archive.registry, topics: archive.taxonomy.topics }));
  const [pages, pagesMs] = timed(() =>
    m.pages.buildPages({
      index,
      site: archive.site,
      location,
      renderBody: (article: { hash: string }, links: unknown) => `\u0000gazette-body\u0000${article.hash}${JSON.stringify(links)}`,
    }),
  );
  const [files, feedsMs] = timed(() => [
    ...m.feeds.atomFeeds(index, archive.site, location),
    m.feeds.jsonFeed(index, archive.site, location),
    ...m.sitemap.sitemaps(pages, location),
    m.sitemap.newsSitemap(index, archive.site, location),
    ...m.api.apiFiles(index, location),
  ]);
  // What build.ts does next with them ("plan"): every page as JSON, every file hashed.
  const [, consumeMs] = timed(() => {
    for (const list of Object.values(pages as Record<string, unknown[]>)) for (const page of list) JSON.stringify(page);
    for (const file of files as { content: string | Uint8Array }[]) createHash("sha256").update(file.content).digest();
  });
  return { index, pages, files, times: { index: indexMs, pages: pagesMs, feeds: feedsMs, consume: consumeMs } as Record<Stage, number> };
}

if (child) {
  console.log(`STAGES ${JSON.stringify(pass(impls[child]!).times)}`);
  process.exit(0);
}

const hashOf = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 16);
/** The index as JSON (its maps as entry lists). */
const indexDigest = (index: Module) => hashOf(JSON.stringify(index, (_key, value) => (value instanceof Map ? [...value] : value)));
const pagesDigest = (pages: Record<string, unknown[]>) => {
  const hash = createHash("sha256");
  for (const [name, list] of Object.entries(pages)) {
    hash.update(`${name}\0${list.length}\0`);
    for (const page of list) hash.update(JSON.stringify(page)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
};
const filesDigest = (files: { path: string; content: string | Uint8Array }[]) => {
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${file.path}\0`).update(file.content).update("\0");
  return `${files.length} files ${hash.digest("hex").slice(0, 16)}`;
};

const best: Partial<Record<Name, Record<Stage, number>>> = {};
const digests: Partial<Record<Name, Record<string, string>>> = {};
for (let round = 0; round < rounds; round++) {
  for (const name of (round % 2 === 0 ? ["before", "after"] : ["after", "before"]) as Name[]) {
    const { index, pages, files, times } = pass(impls[name]!);
    const kept = (best[name] ??= { ...times });
    for (const stage of STAGES) kept[stage] = Math.min(kept[stage], times[stage]);
    if (round < 2) {
      const got = { index: indexDigest(index), pages: pagesDigest(pages), feeds: filesDigest(files) };
      if (digests[name] && JSON.stringify(digests[name]) !== JSON.stringify(got)) console.log(`${name}: output differs between rounds`);
      digests[name] = got;
    }
    console.log(`round ${round + 1} ${name.padEnd(6)} ${STAGES.map((s) => `${s} ${times[s].toFixed(0)}`).join("  ")} ms (CPU)`);
  }
}
report(`best of ${rounds} warm rounds`, (name, stage) => best[name]![stage]);
for (const stage of CHECKED) {
  const same = digests.before![stage] === digests.after![stage];
  console.log(`${stage}: ${same ? "identical" : "DIFFERENT"} (${digests.before![stage]}${same ? "" : ` vs ${digests.after![stage]}`})`);
}
if (CHECKED.some((stage) => digests.before![stage] !== digests.after![stage])) process.exitCode = 1;

function report(title: string, time: (name: Name, stage: Stage) => number): void {
  console.log(`\n${title}, CPU ms (process.cpuUsage, GC included):`);
  console.log(`stage        before    after   ratio`);
  const line = (label: string, before: number, after: number, note = "") =>
    console.log(`${label.padEnd(10)} ${fixed(before)} ${fixed(after)} ${(before / after).toFixed(2).padStart(7)}x${note}`);
  for (const stage of STAGES) line(stage, time("before", stage), time("after", stage));
  const sum = (name: Name, stages: Stage[]) => stages.reduce((total, stage) => total + time(name, stage), 0);
  line("total", sum("before", CHECKED), sum("after", CHECKED), "  (index + pages + feeds)");
  line("+consume", sum("before", STAGES), sum("after", STAGES));
}
