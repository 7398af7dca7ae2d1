import { link, mkdir, readdir, readFile, rename, stat, writeFile, unlink } from "node:fs/promises";
import path from "node:path";
import { decodeText } from "../content/load.js";
import { exists, inBatches } from "../files.js";
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
 * atomically (temporary file, then rename) and an existing one is kept
 * unless `force`, so an editor's hand edits are never lost by a re-run.
 * Files are read and written in parallel batches; which file claims which
 * article is decided in input order, so the outcome does not depend on timing.
 */
export async function ingestFiles(files: string[], contentDir: string, options: IngestOptions & { force?: boolean } = {}): Promise<IngestReport> {
  const report: IngestReport = { written: [], skipped: [], errors: [] };
  const articlesDir = path.join(contentDir, "articles");
  const parsed = await inBatches(files, async (file) => {
    const decoded = decodeText(file, await readFile(file));
    return "issue" in decoded ? { error: decoded.issue.message } : ingestRawText(file, decoded.text, options);
  });

  const claimed = new Map<string, string>();
  const toWrite: { file: string; target: string; markdown: string }[] = [];
  parsed.forEach((result, index) => {
    const file = files[index]!;
    if ("error" in result) {
      report.errors.push({ file, message: result.error });
      return;
    }
    const target = path.join(articlesDir, result.article.relativePath);
    const earlier = claimed.get(target);
    if (earlier) {
      report.errors.push({ file, message: `makes the same article as ${earlier} (${target}): rename one of them YYYY-MM-DD-<other-slug>.txt` });
      return;
    }
    claimed.set(target, file);
    toWrite.push({ file, target, markdown: result.article.markdown });
  });

  await Promise.all([...new Set(toWrite.map((item) => path.dirname(item.target)))].map((dir) => mkdir(dir, { recursive: true })));
  const outcomes = await inBatches(toWrite, async ({ target, markdown }) => {
    if (!options.force && (await exists(target))) return false;
    return writeAtomically(target, markdown, { overwrite: options.force ?? false });
  });
  toWrite.forEach(({ file, target }, index) => {
    if (outcomes[index]) report.written.push(target);
    else report.skipped.push({ file, reason: `${target} exists (pass --force to overwrite it)` });
  });
  return report;
}

/**
 * Write-then-rename: a reader (or a crash) never sees half a file. Without
 * `overwrite`, the finished file is linked into place, which fails when the
 * target exists, so an article that appeared since it was checked (another
 * ingest, an editor) is never replaced; returns false then.
 */
export async function writeAtomically(target: string, text: string, options: { overwrite?: boolean } = {}): Promise<boolean> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, text);
    if (options.overwrite ?? true) {
      await rename(temporary, target);
      return true;
    }
    try {
      await link(temporary, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      // A file system without hard links: fall back to check-then-rename.
      if ((code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") && !(await exists(target))) {
        await rename(temporary, target);
        return true;
      }
      throw error;
    }
    return true;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
