// Shared by the build benchmarks: corpus set-up and timed child processes with their peak memory.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "dist", "cli.js");
export const TOOLS = process.env.GAZETTE_TOOLS ?? path.join(ROOT, "..", "shared", "tools");

export interface Timed {
  seconds: number;
  /** Peak resident memory of the process (and its threads), MiB; from /usr/bin/time -v. */
  peakMiB: number | null;
  /**
   * Peak of the resident memory of the process and all its children together (Pagefind runs as one),
   * MiB, sampled every 100 ms from /proc; null where there is no /proc. A sum of RSS: pages two
   * processes share count twice, so it errs high.
   */
  treePeakMiB: number | null;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, timing it; under /usr/bin/time -v when present, for its peak memory. */
export function timed(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Timed> {
  const useTime = existsSync("/usr/bin/time");
  const [cmd, argv] = useTime ? ["/usr/bin/time", ["-v", command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd: options.cwd ?? ROOT, env: { ...process.env, CI: "1", ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const tree = child.pid !== undefined && existsSync("/proc/self/statm") ? new TreeMemory(child.pid) : null;
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const treePeakMiB = tree ? tree.stop() : null;
      resolve({ seconds, peakMiB: rss ? Math.round(Number(rss[1]) / 1024) : null, treePeakMiB, code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * The largest sum of resident memory over a process and its descendants seen while it runs: /usr/bin/time
 * reports one process's peak, which leaves out Pagefind, a process of its own beside the build.
 */
class TreeMemory {
  private peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly rootPid: number) {
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): number {
    clearInterval(this.timer);
    return Math.round(this.peakBytes / 2 ** 20);
  }

  private sample(): void {
    const children = new Map<number, number[]>();
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.exec(name)) continue;
      const stat = readProc(`/proc/${name}/stat`);
      // The fields after the command name, which is in parentheses and may hold spaces: state, then the parent's pid.
      const parent = stat === null ? NaN : Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (Number.isNaN(parent)) continue;
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(Number(name));
    }
    let bytes = 0;
    const pending = [this.rootPid];
    for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
      const statm = readProc(`/proc/${pid}/statm`);
      // statm's second field is the resident set, in pages (4 KiB on the machines these benchmarks run on).
      if (statm !== null) bytes += Number(statm.split(" ")[1]) * 4096;
      pending.push(...(children.get(pid) ?? []));
    }
    this.peakBytes = Math.max(this.peakBytes, bytes);
  }
}

/** A /proc file's text, or null when its process has ended meanwhile. */
function readProc(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

export function must(result: Timed, what: string): Timed {
  if (result.code !== 0) {
    console.error(`${what} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
    process.exit(1);
  }
  return result;
}

/** Gazette's own timing line (GAZETTE_TIMINGS=1) and summary line out of its stderr. */
export function gazetteReport(stderr: string): { timings: Record<string, number>; summary: string } {
  const lines = stderr.split("\n");
  const json = lines.find((line) => line.startsWith("{"));
  return { timings: json ? (JSON.parse(json) as Record<string, number>) : {}, summary: lines.find((line) => line.startsWith("built ")) ?? "" };
}

/** N raw articles ingested into WORK/content (made once per N and reused), with the repository's settings. */
export async function gazetteCorpus(n: number, work: string): Promise<{ content: string; ingest: Timed | null }> {
  const raw = path.join(work, "raw");
  const content = path.join(work, "content");
  const marker = path.join(content, `.ingested-${n}`);
  if (existsSync(marker)) return { content, ingest: null };
  rmSync(raw, { recursive: true, force: true });
  rmSync(content, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const made = spawnSync(process.execPath, [path.join(TOOLS, "make-corpus.mjs"), String(n), raw], { stdio: ["ignore", "ignore", "inherit"] });
  if (made.status !== 0) throw new Error("make-corpus failed");
  const ingest = must(await timed(process.execPath, [CLI, "ingest", raw, "--content", content]), "ingest");
  for (const name of readdirSync(path.join(ROOT, "content")).filter((name) => name.endsWith(".yml"))) cpSync(path.join(ROOT, "content", name), path.join(content, name));
  spawnSync("touch", [marker]);
  return { content, ingest };
}

/** The Hugo anchor site over the same N articles, hand-tagged; installs Debian's hugo when missing. */
export function hugoSite(n: number, work: string): string {
  if (spawnSync("hugo", ["version"]).status !== 0) {
    console.error("hugo not found: installing Debian's package");
    const installed = spawnSync("sh", ["-c", "apt-get install -y hugo || (apt-get update && apt-get install -y hugo)"], { stdio: "inherit" });
    if (installed.status !== 0) throw new Error("could not install hugo (apt-get install hugo)");
  }
  const site = path.join(work, "anchors", "hugo");
  const marker = path.join(site, `.made-${n}`);
  if (!existsSync(marker)) {
    const made = spawnSync("bash", [path.join(TOOLS, "anchor-sites.sh"), String(n), path.join(work, "anchors"), "hugo-only"], { stdio: ["ignore", "ignore", "inherit"] });
    if (made.status !== 0) throw new Error("anchor-sites.sh failed");
    spawnSync("touch", [marker]);
  }
  return site;
}

/**
 * Moves a folder out of the way, into `work`/trash, instead of deleting it before a timed run: on this
 * machine's ext4, a run that creates tens of thousands of files within half a minute of as many being
 * deleted spends most of its time in the kernel (each new inode's search reads past the recently deleted
 * ones: ext4's recently_deleted). A cold Gazette build at 10,000 articles took 28-31 s just after its
 * previous output was deleted, with the system at 50-95% kernel time, and 20.7 s just after it was moved
 * aside; writing its 17,500 data files took 7-8 s against 0.8 s. The trash goes after the timed runs (emptyTrash).
 */
export function setAside(dir: string, work: string): void {
  if (!existsSync(dir)) return;
  const trash = path.join(work, "trash");
  mkdirSync(trash, { recursive: true });
  renameSync(dir, path.join(trash, `${path.basename(dir)}-${process.pid}-${Date.now()}`));
}

/** Deletes what setAside moved away (after the timed runs). */
export function emptyTrash(work: string): void {
  const trash = path.join(work, "trash");
  if (!existsSync(trash)) return;
  rmSync(trash, { recursive: true, force: true });
  noteDeletions(work);
}

/** Where a benchmark notes when it last deleted many files: beside the work folders, which all benchmarks share. */
const deletionsNote = (work: string) => path.join(path.dirname(work), ".gazette-bench-deleted");

/** Notes that a benchmark has just deleted many files (see settleDeletions). */
export function noteDeletions(work: string): void {
  writeFileSync(deletionsNote(work), String(Date.now()));
}

/**
 * ext4 counts an inode as recently deleted for vm.dirty_expire_centisecs (30 s here; see setAside for what
 * that costs a build): before the first timed run, waits until the last benchmark's deletions
 * (noteDeletions) are that old, so that a benchmark run right after another does not time its first build
 * against the other's emptied trash.
 */
export async function settleDeletions(work: string): Promise<void> {
  let deleted: number;
  try {
    deleted = Number(readFileSync(deletionsNote(work), "utf8"));
  } catch {
    return;
  }
  let window = 30_000;
  try {
    window = 10 * Number(readFileSync("/proc/sys/vm/dirty_expire_centisecs", "utf8"));
  } catch {
    // not Linux: the usual 30 s
  }
  const wait = deleted + window - Date.now();
  if (wait > 0) {
    console.log(`waiting ${Math.ceil(wait / 1000)} s for the files a benchmark just deleted to age (see settleDeletions)`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export function countFiles(dir: string): number {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[]).filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}

/**
 * A benchmark's article count (its first argument, else `defaultN`) and work folder: /tmp/<folder>-N, or
 * GAZETTE_BENCH_DIR. A count that is no whole number above 0 ends the run with the script's usage.
 */
export function benchArgs(script: string, defaultN: number, folder = "gazette-bench"): { n: number; work: string } {
  const n = Number(process.argv[2] ?? defaultN);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`usage: npm run ${script} -- N`);
    process.exit(2);
  }
  return { n, work: process.env.GAZETTE_BENCH_DIR ?? path.join("/tmp", `${folder}-${n}`) };
}

export const fmt = (seconds: number) => `${seconds.toFixed(2)} s`;

/**
 * How many times a benchmark repeats its timed runs: GAZETTE_BENCH_ROUNDS, else `byDefault`. Single runs on a
 * shared machine have differed by a fifth and more, so the benchmarks report medians of several.
 */
export function benchRounds(byDefault: number): number {
  const rounds = Number(process.env.GAZETTE_BENCH_ROUNDS ?? byDefault);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`GAZETTE_BENCH_ROUNDS must be a whole number of rounds, at least 1 (got ${process.env.GAZETTE_BENCH_ROUNDS})`);
  return rounds;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
}
