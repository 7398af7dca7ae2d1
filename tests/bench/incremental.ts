/**
 * Incremental build benchmark (issue 5):
 *   npm run bench:incremental -- 10000
 * Cold build of N raw articles (empty cache and output), then `build --incremental` with nothing changed,
 * after one article's body is edited twice (a sentence added that names no one, which changes the article's
 * own page alone; then one that names a place the article did not name, which changes that place's pages
 * too), after a title edit (every listing it is on), and after the edits are undone. Every time includes
 * process start. Then `gazette serve`: its rebuild time (as it prints it) after body edits of both kinds.
 * The edits come in GAZETTE_BENCH_ROUNDS rounds (default 3), each round's texts its own, and each kind's
 * times are summarised at the end (median, fastest, slowest): one run on a shared machine can be 20% off.
 * The last output is checked against a clean build (same bytes) when GAZETTE_BENCH_VERIFY=1.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchArgs, benchRounds, CLI, emptyTrash, fmt, gazetteCorpus, gazetteReport, median, must, ROOT, setAside, settleDeletions, timed } from "./common.js";

const { n, work } = benchArgs("bench:incremental", 1000);
console.log(`bench:incremental: ${n} articles, work folder ${work}`);
const { content } = await gazetteCorpus(n, work);
const cache = path.join(work, "cache-inc");
const out = path.join(work, "site-inc");
const gazette = (args: string[], extra: Record<string, string> = {}) =>
  timed(process.execPath, [CLI, ...args], { cwd: ROOT, env: { GAZETTE_CACHE: cache, GAZETTE_TIMINGS: "1", ...extra } });
// Each edit kind's times over the rounds, for the summary.
const times = new Map<string, number[]>();
const report = (label: string, run: Awaited<ReturnType<typeof gazette>>, kind?: string) => {
  if (kind) times.set(kind, [...(times.get(kind) ?? []), run.seconds]);
  const { timings, summary } = gazetteReport(run.stderr);
  const how = /\((incremental[^)]*)\)/.exec(summary)?.[1] ?? "full";
  console.log(`${label.padEnd(34)} ${fmt(run.seconds).padStart(9)}  peak ${run.peakMiB ?? "n/a"} MiB  ${how}`);
  console.log(`${"".padEnd(34)} stages (ms): ${JSON.stringify(timings)}`);
};

// The last run's folders are set aside, not deleted (see setAside).
await settleDeletions(work);
setAside(cache, work);
setAside(out, work);
report("cold build", must(await gazette(["build", "--content", content, "--out", out]), "cold build"));
report("no-op build --incremental", must(await gazette(["build", "--incremental", "--content", content, "--out", out]), "no-op"));

// The middle article of the archive, by file name.
const articles = path.join(content, "articles");
const files = (readdirSync(articles, { recursive: true }) as string[]).filter((f) => f.endsWith(".md")).sort();
const target = path.join(articles, files[Math.floor(files.length / 2)]!);
const original = readFileSync(target, "utf8");
const rounds = benchRounds(3);
const incremental = async (label: string, kind: string) => report(label, must(await gazette(["build", "--incremental", "--content", content, "--out", out]), kind), kind);
for (let round = 1; round <= rounds; round++) {
  try {
    writeFileSync(target, `${original.trimEnd()}\n\nNo further details were given in round ${round}.\n`);
    await incremental(`body edit naming no one (${round})`, "body edit naming no one");
    writeFileSync(target, `${original.trimEnd()}\n\nOfficials in Geneva said on Friday the talks would resume in round ${round}.\n`);
    await incremental(`body edit naming a new place (${round})`, "body edit naming a new place");
    writeFileSync(target, original.replace(/^title: (.*)$/m, (_line, title: string) => `title: ${JSON.stringify(`UPDATE ${round}: ${title.replace(/^"|"$/g, "")}`)}`));
    await incremental(`one title edit (${round})`, "one title edit");
  } finally {
    writeFileSync(target, original);
  }
  await incremental(`edits undone (${round})`, "edits undone");
}
console.log(`edit rebuilds over ${rounds} rounds, --incremental, process start included: median (fastest-slowest)`);
for (const [kind, seconds] of times) {
  console.log(`  ${kind.padEnd(32)} ${fmt(median(seconds))} (${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)})`);
}

// gazette serve, the editors' preview: its first build renders every page for the server's own address; each edit
// after it is rebuilt in the running process, from the articles and analyses it keeps in memory (BuildMemory).
{
  const serveOut = path.join(work, "site-serve");
  setAside(serveOut, work);
  const server = spawn(process.execPath, [CLI, "serve", "--content", content, "--out", serveOut, "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, CI: "1", GAZETTE_CACHE: cache },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  server.stderr!.on("data", (chunk) => (log += chunk));
  const rebuilt = async (from: number): Promise<string> => {
    while (/rebuilt in [^\n]*\n/.exec(log.slice(from)) === null && server.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
    return /rebuilt in ([\d.]+s[^\n]*)/.exec(log.slice(from))?.[1] ?? `(server exited: ${log.slice(-500)})`;
  };
  try {
    console.log(`${"serve: first build".padEnd(34)} ${await rebuilt(0)}`);
    while (!log.includes("serving ") && server.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
    const edits = [
      ["naming no one", (round: number) => `No further details were given in round ${round}.`],
      ["naming a new place", (round: number) => `Officials in Geneva said on Friday the talks would resume in round ${round}.`],
    ] as const;
    for (let round = 1; round <= 4; round++) {
      const [kind, sentence] = edits[round <= 2 ? 0 : 1];
      const from = log.length;
      writeFileSync(target, `${original.trimEnd()}\n\n${sentence(round)}\n`);
      console.log(`${`serve: body edit ${kind} (${round})`.padEnd(34)} ${await rebuilt(from)}`);
      // The watcher may report one write more than once: let the server settle before the next edit.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  } finally {
    writeFileSync(target, original);
    server.kill("SIGTERM");
  }
}

if (process.env.GAZETTE_BENCH_VERIFY) {
  const clean = path.join(work, "site-clean");
  setAside(clean, work);
  setAside(path.join(work, "cache-verify"), work);
  must(await gazette(["build", "--content", content, "--out", clean], { GAZETTE_CACHE: path.join(work, "cache-verify") }), "clean build");
  const diff = spawnSync("diff", ["-rq", out, clean], { encoding: "utf8" });
  console.log(diff.status === 0 ? "incremental output = clean build output (diff -r: identical)" : `DIFFERENT from a clean build:\n${diff.stdout.slice(0, 2000)}`);
}
emptyTrash(work);
