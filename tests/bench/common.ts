// Shared by the build benchmarks: corpus set-up and timed child processes with their peak memory.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "dist", "cli.js");
export const TOOLS = process.env.GAZETTE_TOOLS ?? path.join(ROOT, "..", "shared", "tools");

export interface Timed {
  seconds: number;
  /** Peak resident memory of the process (and its threads), MiB; from /usr/bin/time -v. */
  peakMiB: number | null;
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
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ seconds, peakMiB: rss ? Math.round(Number(rss[1]) / 1024) : null, code: code ?? -1, stdout, stderr });
    });
  });
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

export function countFiles(dir: string): number {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[]).filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}

export function benchArgs(defaultN: number): { n: number; work: string } {
  const n = Number(process.argv[2] ?? defaultN);
  if (!Number.isInteger(n) || n < 1) {
    console.error("usage: npm run bench:build -- N");
    process.exit(2);
  }
  return { n, work: process.env.GAZETTE_BENCH_DIR ?? path.join("/tmp", `gazette-bench-${n}`) };
}

export const fmt = (seconds: number) => `${seconds.toFixed(2)} s`;
