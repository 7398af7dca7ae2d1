import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
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

/** A folder articles go into: what it held when first looked at, and where its new articles are staged. */
interface Folder {
  /** The names in it; "absent" when it did not exist (it is then renamed into place whole); "unlisted" when it cannot be read. */
  state: Set<string> | "absent" | "unlisted";
  staged: string | null;
  articles: { target: string; name: string; index: number }[];
}

/**
 * Ingests raw articles into content/articles. No article is ever seen half
 * written, and an existing one is kept unless `force`, so an editor's hand
 * edits are never lost by a re-run. Which file claims which article is
 * decided in input order.
 *
 * Each article is written, whole, into a staging folder (content/.ingest-*,
 * outside content/articles, so an interrupted run leaves nothing the archive
 * reads), and nothing is put in place until every file has been read: a file
 * that cannot be read stops the run with nothing written. Then a month folder
 * that did not exist is renamed into place whole, its articles appearing all
 * at once; renaming a folder never replaces one that has files in it, so when
 * another ingest or an editor made the month meanwhile, its articles go in
 * one by one instead. Into a month folder that exists, each article is
 * hard-linked, which fails rather than replace an article that is there (with
 * `force`, renamed over it). Articles the folder already held when it was
 * first listed are not written at all.
 *
 * The file work is synchronous, on purpose: each read or write of a small
 * file on a local disk takes microseconds, less than the round trip through
 * libuv's thread pool that the asynchronous calls add, and the run has
 * nothing else to do meanwhile. (Measured on 10,000 articles: promise reads
 * in batches of 64 spent about four times the CPU of plain reads; writes
 * through the thread pool, overlapped with parsing, spent more CPU and were
 * no faster on two cores.)
 */
export async function ingestFiles(files: string[], contentDir: string, options: IngestOptions & { force?: boolean } = {}): Promise<IngestReport> {
  const report: IngestReport = { written: [], skipped: [], errors: [] };
  const articlesDir = path.join(contentDir, "articles");
  const force = options.force ?? false;
  /** Per article to write, in input order: its source file, and whether it was put in place. */
  const outcomes: { file: string; target: string; written: boolean }[] = [];
  const claimed = new Map<string, string>();
  const folders = new Map<string, Folder>();
  let staging: string | null = null;
  let stagedFolders = 0;
  /** The outermost folder this run made for the content folder, if any: removed again when the run fails. */
  let madeContentDir: string | undefined;
  let failed = true;
  try {
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
      const index = outcomes.push({ file, target, written: false }) - 1;

      const dir = path.dirname(target);
      let folder = folders.get(dir);
      if (!folder) folders.set(dir, (folder = { state: lookAt(dir), staged: null, articles: [] }));
      const name = path.basename(target);
      if (!force && (folder.state === "unlisted" ? existsSync(target) : folder.state !== "absent" && folder.state.has(name))) continue;
      if (folder.staged === null) {
        if (staging === null) {
          madeContentDir = mkdirSync(contentDir, { recursive: true });
          staging = mkdtempSync(path.join(contentDir, ".ingest-"));
        }
        folder.staged = path.join(staging, String(stagedFolders++));
        mkdirSync(folder.staged);
      }
      try {
        writeFileSync(path.join(folder.staged, name), result.article.markdown, { flag: "wx" });
      } catch (error) {
        // Two names this file system does not tell apart (letter case, on some): the second is there already.
        if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw error;
      }
      folder.articles.push({ target, name, index });
    }

    for (const [dir, folder] of folders) {
      if (folder.staged === null) continue;
      if (folder.state === "absent") {
        mkdirSync(path.dirname(dir), { recursive: true });
        try {
          renameSync(folder.staged, dir);
          for (const { index } of folder.articles) outcomes[index]!.written = true;
          continue;
        } catch {
          // The month appeared meanwhile with files in it (or is on another file system): one by one.
          mkdirSync(dir, { recursive: true });
        }
      }
      for (const { target, name, index } of folder.articles) outcomes[index]!.written = place(path.join(folder.staged, name), target, force);
    }
    failed = false;
  } finally {
    if (staging !== null) rmSync(staging, { recursive: true, force: true });
    if (failed && madeContentDir !== undefined) removeEmptyFolders(contentDir, madeContentDir);
  }

  for (const { file, target, written } of outcomes) {
    if (written) report.written.push(target);
    else report.skipped.push({ file, reason: `${target} exists (pass --force to overwrite it)` });
  }
  return report;
}

/** Removes `dir` and its parents up to `outermost`, as long as they are empty. */
function removeEmptyFolders(dir: string, outermost: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    if (current === path.resolve(outermost) || current === path.dirname(current)) return;
  }
}

/** The names in a folder, or "absent"; a folder that cannot be listed is made (or refused) as `mkdir -p` would. */
function lookAt(dir: string): Folder["state"] {
  try {
    return new Set(readdirSync(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    mkdirSync(dir, { recursive: true });
    return "unlisted";
  }
}

/**
 * Puts a finished (staged) article in place: hard-linked, which fails rather
 * than replace an article that is there (returns false then), or with
 * `overwrite`, renamed over it.
 */
function place(staged: string, target: string, overwrite: boolean): boolean {
  try {
    if (overwrite) renameSync(staged, target);
    else linkSync(staged, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && !overwrite) return false;
    // The staging folder is on another file system than the article's folder: copy, through a temporary file beside it.
    if (code === "EXDEV") return writeAtomically(target, readFileSync(staged), { overwrite });
    // A file system without hard links: fall back to check-then-rename.
    if (!overwrite && (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") && !existsSync(target)) {
      renameSync(staged, target);
      return true;
    }
    throw error;
  }
}

/**
 * Write-then-rename: a reader (or a crash) never sees half a file. Without
 * `overwrite`, the finished file is linked into place, which fails when the
 * target exists, so an article that appeared since it was checked (another
 * ingest, an editor) is never replaced; returns false then.
 */
export function writeAtomically(target: string, text: string | Uint8Array, options: { overwrite?: boolean } = {}): boolean {
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
