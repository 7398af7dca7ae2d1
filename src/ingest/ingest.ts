import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { decodeText } from "../content/load.js";
import { ingestRawText, type IngestOptions } from "./raw-text.js";

export interface IngestReport {
  written: string[];
  skipped: { file: string; reason: string }[];
  errors: { file: string; message: string }[];
}

/** Raw .txt files named directly, or found (sorted) in folders named. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input);
    if (info.isDirectory()) {
      const entries = (await readdir(input)).filter((name) => name.endsWith(".txt")).sort();
      files.push(...entries.map((name) => path.join(input, name)));
    } else files.push(input);
  }
  return files;
}

/**
 * Ingests raw articles into content/articles. Each article is written
 * atomically (temporary file, then hard link or rename) and an existing one
 * is kept unless `force`, so an editor's hand edits are never lost by a re-run.
 * Every file is read and parsed before anything is written (a file that
 * cannot be read stops the run with nothing written), and which file claims
 * which article is decided in input order.
 *
 * The file work is synchronous, on purpose: each read or write of a small
 * file on a local disk takes microseconds, less than the round trip through
 * libuv's thread pool that the asynchronous calls add, and the run has
 * nothing else to do meanwhile. (Measured on 10,000 articles: promise reads
 * in batches of 64 spent about four times the CPU of plain reads.) Whether
 * an article exists is read once per month folder, not asked once per
 * article; the hard link still refuses an article that appeared since.
 */
export async function ingestFiles(files: string[], contentDir: string, options: IngestOptions & { force?: boolean } = {}): Promise<IngestReport> {
  const report: IngestReport = { written: [], skipped: [], errors: [] };
  const articlesDir = path.join(contentDir, "articles");
  const force = options.force ?? false;

  const claimed = new Map<string, string>();
  const toWrite: { file: string; target: string; markdown: string }[] = [];
  for (const file of files) {
    const decoded = decodeText(file, readFileSync(file));
    const result = "issue" in decoded ? { error: decoded.issue.message } : ingestRawText(file, decoded.text, options);
    if ("error" in result) {
      report.errors.push({ file, message: result.error });
      continue;
    }
    const target = path.join(articlesDir, result.article.relativePath);
    const earlier = claimed.get(target);
    if (earlier) {
      report.errors.push({ file, message: `makes the same article as ${earlier} (${target}): rename one of them YYYY-MM-DD-<other-slug>.txt` });
      continue;
    }
    claimed.set(target, file);
    toWrite.push({ file, target, markdown: result.article.markdown });
  }

  /** Names already in each target folder; without --force, those are skipped without writing anything. */
  const present = new Map<string, Set<string>>();
  for (const { target } of toWrite) {
    const dir = path.dirname(target);
    if (present.has(dir)) continue;
    mkdirSync(dir, { recursive: true });
    present.set(dir, force ? new Set() : new Set(readdirSync(dir)));
  }
  for (const { file, target, markdown } of toWrite) {
    const taken = present.get(path.dirname(target))!.has(path.basename(target));
    if (!taken && writeAtomically(target, markdown, { overwrite: force })) report.written.push(target);
    else report.skipped.push({ file, reason: `${target} exists (pass --force to overwrite it)` });
  }
  return report;
}

/**
 * Write-then-rename: a reader (or a crash) never sees half a file. Without
 * `overwrite`, the finished file is linked into place, which fails when the
 * target exists, so an article that appeared since it was checked (another
 * ingest, an editor) is never replaced; returns false then.
 */
export function writeAtomically(target: string, text: string, options: { overwrite?: boolean } = {}): boolean {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  let renamed = false;
  try {
    writeFileSync(temporary, text);
    if (options.overwrite ?? true) {
      renameSync(temporary, target);
      return (renamed = true);
    }
    try {
      linkSync(temporary, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      // A file system without hard links: fall back to check-then-rename.
      if ((code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") && !existsSync(target)) {
        renameSync(temporary, target);
        return (renamed = true);
      }
      throw error;
    }
    return true;
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never made.
      }
    }
  }
}
