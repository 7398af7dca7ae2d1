/**
 * Build benchmark (issue 4): Gazette against Hugo on the same N articles, side by side in one run.
 *   npm run bench:build -- 10000
 * Gazette builds the raw articles (ingested, so it extracts entities itself) cold: empty cache, empty
 * output. Hugo builds the same articles hand-tagged (tools/anchor-sites.sh) into an empty folder.
 * Then a warm Gazette rebuild (cache full, output present, nothing changed), and one after an article
 * file is touched (every stage runs, from the caches). Prints per-stage timings,
 * pages and files written, peak memory (max RSS, workers included) and the Gazette/Hugo ratio.
 * The cold pair runs GAZETTE_BENCH_ROUNDS times (default 3 up to 10,000 articles, else 1), in alternating
 * order, and the ratio is given for each round and as their median: Hugo alone has taken 4.5-13.6 s for
 * the same 10,000 articles on this shared machine, so one pair's ratio says little.
 * Work files live in /tmp/gazette-bench-N (GAZETTE_BENCH_DIR overrides); the corpus is made once per N.
 */
import { readdirSync, utimesSync } from "node:fs";
import path from "node:path";
import { benchArgs, benchRounds, CLI, countFiles, emptyTrash, fmt, gazetteCorpus, gazetteReport, hugoSite, median, must, ROOT, setAside, settleDeletions, timed, type Timed } from "./common.js";

const { n, work } = benchArgs("bench:build", 1000);
console.log(`bench:build: ${n} articles, work folder ${work}`);
const { content, ingest } = await gazetteCorpus(n, work);
if (ingest) console.log(`ingest: ${n} raw articles in ${fmt(ingest.seconds)} (${Math.round(n / ingest.seconds)} articles/s, process start included)`);
const hugo = hugoSite(n, work);

const cache = path.join(work, "cache");
const out = path.join(work, "site");
const hugoOut = path.join(work, "hugo-out");
const gazette = (args: string[]) => timed(process.execPath, [CLI, ...args], { cwd: ROOT, env: { GAZETTE_CACHE: cache, GAZETTE_TIMINGS: "1" } });

// Cold, side by side: Hugo and Gazette, each into an empty folder (the last run's set aside: see setAside),
// in turn first, so that neither always runs on a machine the other has just warmed or tired.
const rounds = benchRounds(n <= 10_000 ? 3 : 1);
await settleDeletions(work);
const runHugo = async () => {
  setAside(hugoOut, work);
  return must(await timed("hugo", ["--quiet", "-d", hugoOut], { cwd: hugo }), "hugo");
};
const runGazetteCold = async () => {
  setAside(cache, work);
  setAside(out, work);
  return must(await gazette(["build", "--content", content, "--out", out]), "gazette cold build");
};
const pairs: { hugo: Timed; gazette: Timed }[] = [];
for (let round = 1; round <= rounds; round++) {
  let hugoRun: Timed;
  let gazetteRun: Timed;
  if (round % 2 === 1) {
    hugoRun = await runHugo();
    gazetteRun = await runGazetteCold();
  } else {
    gazetteRun = await runGazetteCold();
    hugoRun = await runHugo();
  }
  pairs.push({ hugo: hugoRun, gazette: gazetteRun });
  console.log(`cold round ${round} (${round % 2 === 1 ? "Hugo first" : "Gazette first"}): Hugo ${fmt(hugoRun.seconds)}, Gazette ${fmt(gazetteRun.seconds)}, ratio ${(gazetteRun.seconds / hugoRun.seconds).toFixed(2)}`);
}
// The last round's outputs are the ones left in place: the warm runs below start from its cache and folder.
const { hugo: hugoRun, gazette: cold } = pairs[pairs.length - 1]!;
const hugoPages = countFiles(hugoOut);
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
console.log(`Hugo ${n} hand-tagged articles, cold (last round): ${fmt(hugoRun.seconds)}  ${hugoPages} files  ${peaks(hugoRun)}`);
console.log(`Gazette ${n} raw articles, cold (last round):      ${fmt(cold.seconds)}  ${pages} pages, ${files} files  ${peaks(cold)}`);
console.log(`  stages (ms): ${JSON.stringify(coldReport.timings)}`);
console.log(`Gazette warm rebuild (cache full, no change): ${fmt(warm.seconds)}  ${peaks(warm)}  (${(cold.seconds / warm.seconds).toFixed(1)}x faster than cold)`);
console.log(`  stages (ms): ${JSON.stringify(warmReport.timings)}`);
console.log(`Gazette warm rebuild, one file touched:      ${fmt(rerun.seconds)}  ${peaks(rerun)}  (${(cold.seconds / rerun.seconds).toFixed(1)}x faster than cold; every stage runs from the caches)`);
console.log(`  stages (ms): ${JSON.stringify(rerunReport.timings)}`);
console.log(`Gazette no-op build --incremental:            ${fmt(noop.seconds)}  peak ${mem(noop.peakMiB)}`);
const ratios = pairs.map((pair) => pair.gazette.seconds / pair.hugo.seconds);
const hugoMedian = median(pairs.map((pair) => pair.hugo.seconds));
const gazetteMedian = median(pairs.map((pair) => pair.gazette.seconds));
console.log(
  `Gazette/Hugo ratio, cold: ${median(ratios).toFixed(2)} median of ${rounds} round${rounds === 1 ? "" : "s"} (${ratios.map((r) => r.toFixed(2)).join(", ")})  ` +
    `(median times: Gazette ${fmt(gazetteMedian)}, ${(n / gazetteMedian).toFixed(0)} articles/s; Hugo ${fmt(hugoMedian)}, ${(n / hugoMedian).toFixed(0)} articles/s)`,
);
console.log(`Gazette summary: ${coldReport.summary}`);
emptyTrash(work);
