/**
 * Build benchmark (issue 4): Gazette against Hugo on the same N articles, side by side in one run.
 *   npm run bench:build -- 10000
 * Gazette builds the raw articles (ingested, so it extracts entities itself) cold: empty cache, empty
 * output. Hugo builds the same articles hand-tagged (tools/anchor-sites.sh) into an empty folder.
 * Then a warm Gazette rebuild (cache full, output present, nothing changed), and one after an article
 * file is touched (every stage runs, from the caches). Prints per-stage timings,
 * pages and files written, peak memory (max RSS, workers included) and the Gazette/Hugo ratio.
 * Work files live in /tmp/gazette-bench-N (GAZETTE_BENCH_DIR overrides); the corpus is made once per N.
 */
import { readdirSync, utimesSync } from "node:fs";
import path from "node:path";
import { benchArgs, CLI, countFiles, emptyTrash, fmt, gazetteCorpus, gazetteReport, hugoSite, must, ROOT, setAside, settleDeletions, timed } from "./common.js";

const { n, work } = benchArgs(1000);
console.log(`bench:build: ${n} articles, work folder ${work}`);
const { content, ingest } = await gazetteCorpus(n, work);
if (ingest) console.log(`ingest: ${n} raw articles in ${fmt(ingest.seconds)} (${Math.round(n / ingest.seconds)} articles/s, process start included)`);
const hugo = hugoSite(n, work);

const cache = path.join(work, "cache");
const out = path.join(work, "site");
const hugoOut = path.join(work, "hugo-out");
const gazette = (args: string[]) => timed(process.execPath, [CLI, ...args], { cwd: ROOT, env: { GAZETTE_CACHE: cache, GAZETTE_TIMINGS: "1" } });

// Cold, side by side: Hugo, then Gazette, each into an empty folder (the last run's set aside: see setAside).
await settleDeletions(work);
setAside(hugoOut, work);
const hugoRun = must(await timed("hugo", ["--quiet", "-d", hugoOut], { cwd: hugo }), "hugo");
const hugoPages = countFiles(hugoOut);

setAside(cache, work);
setAside(out, work);
const cold = must(await gazette(["build", "--content", content, "--out", out]), "gazette cold build");
const coldReport = gazetteReport(cold.stderr);
const files = countFiles(out);
const pages = (/: (\d+) pages/.exec(coldReport.summary) ?? [])[1];

const warm = must(await gazette(["build", "--content", content, "--out", out]), "gazette warm build");
const warmReport = gazetteReport(warm.stderr);
const noop = must(await gazette(["build", "--incremental", "--content", content, "--out", out]), "gazette no-op incremental build");
// The same again after one article file is touched (bytes unchanged, times new): the inputs no longer match the
// last build's, so the whole pipeline runs, from the caches, and finds nothing to write.
const touched = path.join(content, "articles", (readdirSync(path.join(content, "articles"), { recursive: true }) as string[]).filter((f) => f.endsWith(".md")).sort()[0]!);
const now = new Date();
utimesSync(touched, now, now);
const rerun = must(await gazette(["build", "--content", content, "--out", out]), "gazette warm build after a touch");
const rerunReport = gazetteReport(rerun.stderr);

const mem = (mib: number | null) => (mib === null ? "n/a" : `${mib} MiB`);
// The build's own process, and with Pagefind's process beside it (sampled, so it can miss a peak of the
// process alone: the tree's peak is at least that).
const peaks = (run: { peakMiB: number | null; treePeakMiB: number | null }) =>
  `peak ${mem(run.peakMiB)} (with child processes ${mem(run.treePeakMiB === null ? null : Math.max(run.treePeakMiB, run.peakMiB ?? 0))})`;
console.log("");
console.log(`Hugo ${n} hand-tagged articles, cold:        ${fmt(hugoRun.seconds)}  ${hugoPages} files  ${peaks(hugoRun)}`);
console.log(`Gazette ${n} raw articles, cold:             ${fmt(cold.seconds)}  ${pages} pages, ${files} files  ${peaks(cold)}`);
console.log(`  stages (ms): ${JSON.stringify(coldReport.timings)}`);
console.log(`Gazette warm rebuild (cache full, no change): ${fmt(warm.seconds)}  ${peaks(warm)}  (${(cold.seconds / warm.seconds).toFixed(1)}x faster than cold)`);
console.log(`  stages (ms): ${JSON.stringify(warmReport.timings)}`);
console.log(`Gazette warm rebuild, one file touched:      ${fmt(rerun.seconds)}  ${peaks(rerun)}  (${(cold.seconds / rerun.seconds).toFixed(1)}x faster than cold; every stage runs from the caches)`);
console.log(`  stages (ms): ${JSON.stringify(rerunReport.timings)}`);
console.log(`Gazette no-op build --incremental:            ${fmt(noop.seconds)}  peak ${mem(noop.peakMiB)}`);
console.log(`Gazette/Hugo ratio, cold: ${(cold.seconds / hugoRun.seconds).toFixed(2)}  (Gazette ${(n / cold.seconds).toFixed(0)} articles/s, Hugo ${(n / hugoRun.seconds).toFixed(0)} articles/s)`);
console.log(`Gazette summary: ${coldReport.summary}`);
emptyTrash(work);
