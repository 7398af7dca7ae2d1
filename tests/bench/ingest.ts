/**
 * Ingest benchmark (issue 4: at least 2,000 articles/s on 10,000, process start included).
 *   npm run bench:ingest -- 10000
 * Runs `gazette ingest` over N raw articles (tools/make-corpus.mjs, made once per N and reused) into an
 * empty content folder, three times (GAZETTE_BENCH_ROUNDS), and prints each run, the best and the median in articles/s, with
 * the whole process timed (start, module loading, reading, writing, exit) and its peak memory. Each run
 * gets a folder of its own, all removed after the last run, so that no run pays for deleting the
 * articles of the one before. Work files live in /tmp/gazette-bench-ingest-N (GAZETTE_BENCH_DIR overrides).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { benchArgs, benchRounds, CLI, countFiles, fmt, median, must, noteDeletions, settleDeletions, TOOLS, timed } from "./common.js";

const RUNS = benchRounds(3);
const { n, work } = benchArgs("bench:ingest", 10000, "gazette-bench-ingest");
const raw = path.join(work, "raw");
const marker = path.join(work, `.made-${n}`);
console.log(`bench:ingest: ${n} raw articles, ${RUNS} runs, work folder ${work}`);

if (!existsSync(marker)) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const made = spawnSync(process.execPath, [path.join(TOOLS, "make-corpus.mjs"), String(n), raw], { stdio: ["ignore", "ignore", "inherit"] });
  if (made.status !== 0) throw new Error("make-corpus failed");
  spawnSync("touch", [marker]);
}
// Content folders an interrupted run left behind.
const leftovers = readdirSync(work).filter((name) => name.startsWith("content-"));
for (const name of leftovers) rmSync(path.join(work, name), { recursive: true, force: true });
if (leftovers.length > 0) noteDeletions(work);
await settleDeletions(work);

const seconds: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const content = path.join(work, `content-${run}`);
  const result = must(await timed(process.execPath, [CLI, "ingest", raw, "--content", content]), "gazette ingest");
  const written = countFiles(path.join(content, "articles"));
  if (written !== n || !result.stderr.includes(`ingested ${n} article`)) {
    console.error(`run ${run}: expected ${n} articles written, found ${written}:\n${result.stderr.slice(-2000)}`);
    process.exit(1);
  }
  seconds.push(result.seconds);
  const peak = result.peakMiB === null ? "n/a" : `${result.peakMiB} MiB`;
  console.log(`run ${run}: ${fmt(result.seconds)}  ${Math.round(n / result.seconds)} articles/s  peak ${peak}`);
}
for (let run = 1; run <= RUNS; run++) rmSync(path.join(work, `content-${run}`), { recursive: true, force: true });
noteDeletions(work);

const best = Math.min(...seconds);
const middle = median(seconds);
console.log("");
console.log(`Gazette ingest, ${n} raw articles into an empty folder, process start included:`);
console.log(`  best   ${fmt(best)}  ${Math.round(n / best)} articles/s`);
console.log(`  median ${fmt(middle)}  ${Math.round(n / middle)} articles/s`);
