import { spawn } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "dist", "cli.js");
export const SHARED = path.resolve(ROOT, "..", "shared");
export const SEED = path.join(SHARED, "seed", "000_c6117a237fa69d4b.txt");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `gazette` command (compiled by `npm test` before vitest starts). */
export function gazette(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, CI: "true", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A scratch folder, removed by the returned cleanup. */
export async function scratch(prefix = "gazette-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes files (paths relative to dir) and returns dir. */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

export const read = (file: string) => readFile(file, "utf8");

/** A minimal article file. */
export function articleFile(fields: Record<string, string | string[]>, body: string): string {
  const yaml = Object.entries(fields)
    .map(([key, value]) => (Array.isArray(value) ? `${key}: [${value.map((v) => JSON.stringify(v)).join(", ")}]` : `${key}: ${JSON.stringify(value)}`))
    .join("\n");
  return `---\n${yaml}\n---\n${body}\n`;
}
