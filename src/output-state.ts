/**
 * What Gazette knows about an output folder it wrote: a manifest (every
 * file's path and the hash of everything that went into it), and a journal
 * that makes updating the folder all-or-nothing.
 *
 * Both live in the cache folder (never in the site), keyed by the output
 * folder's absolute path, so the site holds exactly what a clean build
 * writes. The manifest records the output folder's identity (its inode and
 * birth time: a folder deleted and made again often gets the same inode
 * back): a folder deleted, replaced or built by another cache is not
 * trusted, and the next build renders everything.
 *
 * Commit protocol (a write-ahead journal):
 *  1. every new or changed file is rendered into a staging folder beside the
 *     output (same file system), and the next manifest is written beside the
 *     current one; nothing in the output folder has changed yet, so a failure
 *     or a kill up to here leaves the site as it was;
 *  2. the journal (which files to delete, which staged files to move in, or
 *     which folders to swap) is written atomically: this is the commit point;
 *  3. the journal is applied (renames, deletions), the next manifest replaces
 *     the current one, and the journal is removed.
 * Every step of 3 is idempotent. A build killed during 3 leaves the journal,
 * and the next `gazette build` or `serve` finishes it (rolls forward) before
 * anything else, so the folder never stays a mix of two builds.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { cacheDirectory, writeFileAtomic } from "./cache.js";
import { exists, inBatches, walkTree } from "./files.js";
import type { EntityVotes } from "./index/archive-index.js";

const FORMAT = 3;
/** How much of the manifest readInputs reads: its first line (format, folder, the folder's identity, the inputs' record) is far shorter. */
const HEAD_BYTES_MAX = 1 << 16;

export interface Manifest {
  format: number;
  outDir: string;
  /** Identity of the output folder the manifest describes (see folderIdentity). */
  folder: string;
  /** Output path (relative, "/" separators) -> hash of its inputs. */
  files: Record<string, string>;
  /** The files Eleventy's one run wrote, and that run's input hash. */
  eleventy?: { hash: string; files: string[] };
  /**
   * Hash of every input of the build that wrote the folder (content, templates and public files' bytes,
   * options, Gazette's code and tagger), with the counts it reported: an incremental build whose inputs
   * hash the same has nothing to do.
   */
  inputs?: { hash: string; summary: { articles: number; entities: number; topics: number; pages: number; files: number } };
  /**
   * Output path -> key of the inputs its page was made from, for pages that have one (site/pages.ts
   * PageContext.reuse), valid under `base`, a hash of what every page shares (code, templates, globals).
   */
  keys?: { base: string; files: Record<string, string> };
  /** What a build after an edit to an article's body needs to make that article's page alone (own-pages.ts). */
  pages?: OwnPagesRecord;
}

/**
 * An article page's entry: the hash of its article's file, the article's shown digest (site/own-page.ts),
 * where in the store its page object is, the file (relative to the content folder) and its identity as the
 * build found it ("" when it could not trust it: see input-check.ts, inputsSignature), and its search bundle.
 */
export type OwnPageEntry = [hash: string, digest: string, offset: number, length: number, source: string, identity: string, bundle: string];

/**
 * The article pages as the build that wrote the folder made them, for a build after a small edit
 * (own-pages-edit.ts): every article page's entry, or no record at all.
 */
export interface OwnPagesRecord {
  /** A hash of every input but the article files (settings, templates, public files, code, options): an edit's build trusts the other pages under it alone. */
  fingerprint: string;
  /** What the analyses (and so the shown digests) were made under, besides each article's file (build.ts, analysisFingerprint). */
  analyses: string;
  /** The page store (page-store.ts) holding the entries' page objects, a file beside the manifest. */
  store: string;
  /** What the build reported. */
  summary: { articles: number; entities: number; topics: number; pages: number; files: number };
  /** Article page path -> its article (see OwnPageEntry). */
  articles: Record<string, OwnPageEntry>;
  /** The archive's entity votes, by entity key (index/archive-index.ts, ArchiveIndex.votes). */
  votes: Record<string, EntityVotes | null>;
}

/** The manifest's first line. */
type ManifestHead = Pick<Manifest, "format" | "outDir" | "folder" | "inputs">;

/** A manifest as stored: its head on the first line, the rest (file lists) on the second. */
function manifestText({ format, outDir, folder, inputs, ...rest }: Manifest): string {
  const head: ManifestHead = { format, outDir, folder, ...(inputs ? { inputs } : {}) };
  return `${JSON.stringify(head)}\n${JSON.stringify(rest)}`;
}

/**
 * A folder's identity: its inode and birth time, or "" when it is not a folder. The inode alone is not
 * enough: on ext4, a folder deleted and made again at once got its inode back. (Where the system gives no
 * birth time, Node gives the change time instead: then a folder is trusted only until its entries change,
 * and a build that cannot trust it makes every file, which is slower but still right.)
 */
export async function folderIdentity(dir: string): Promise<string> {
  try {
    const info = await stat(dir, { bigint: true });
    return info.isDirectory() ? `${info.ino}:${info.birthtimeNs}` : "";
  } catch {
    return "";
  }
}

export type Journal =
  | { kind: "swap"; outDir: string; staging: string; retired: string }
  | { kind: "patch"; outDir: string; staging: string; moves: string[]; deletes: string[] };

export class OutputState {
  readonly manifestFile: string;
  readonly nextManifestFile: string;
  readonly journalFile: string;

  constructor(readonly outDir: string) {
    const key = createHash("sha256").update(outDir).digest("hex").slice(0, 16);
    const dir = path.join(cacheDirectory(), "outputs");
    this.manifestFile = path.join(dir, `${key}.json`);
    this.nextManifestFile = path.join(dir, `${key}.next.json`);
    this.journalFile = path.join(dir, `${key}.journal.json`);
  }

  /** The manifest of the folder as it is now, or null when there is none to trust. */
  async read(): Promise<Manifest | null> {
    let manifest: Manifest;
    try {
      const text = await readFile(this.manifestFile, "utf8");
      const split = text.indexOf("\n");
      if (split === -1) return null;
      manifest = { ...(JSON.parse(text.slice(0, split)) as ManifestHead), ...(JSON.parse(text.slice(split + 1)) as Omit<Manifest, keyof ManifestHead>) };
    } catch {
      return null;
    }
    return (await this.trusts(manifest)) ? manifest : null;
  }

  /**
   * What the manifest records of the inputs of the build that wrote the folder, read from its first line
   * alone: all a build with nothing to do needs of it. The whole manifest ran to 45 MB at 100,000 articles,
   * and parsing it was most of such a build.
   */
  async readInputs(): Promise<Manifest["inputs"] | null> {
    let head: ManifestHead;
    try {
      const handle = await open(this.manifestFile, "r");
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES_MAX), 0, HEAD_BYTES_MAX, 0);
        const end = buffer.subarray(0, bytesRead).indexOf(10);
        if (end === -1) return null;
        head = JSON.parse(buffer.toString("utf8", 0, end)) as ManifestHead;
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
    return (await this.trusts(head)) ? (head.inputs ?? null) : null;
  }

  /** Whether a manifest is of this format, for this folder, and the folder is the one it describes. */
  private async trusts(head: ManifestHead): Promise<boolean> {
    if (head.format !== FORMAT || head.outDir !== this.outDir) return false;
    const identity = await folderIdentity(this.outDir);
    return identity !== "" && identity === head.folder;
  }

  /** Step 1's last act: the manifest the folder will have once the journal is applied. */
  async prepare(files: Record<string, string>, folder: string, extra: Pick<Manifest, "eleventy" | "inputs" | "keys" | "pages"> = {}): Promise<void> {
    await writeFileAtomic(this.nextManifestFile, manifestText({ format: FORMAT, outDir: this.outDir, folder, files, ...extra }));
  }

  /** Records the inputs of a build that found nothing to change (the folder itself is as it was). */
  async recordInputs(manifest: Manifest, inputs: Manifest["inputs"]): Promise<void> {
    await writeFileAtomic(this.manifestFile, manifestText({ ...manifest, inputs }));
  }

  /** Step 2 then 3. */
  async commit(journal: Journal): Promise<void> {
    await writeFileAtomic(this.journalFile, JSON.stringify(journal));
    await this.apply(journal);
  }

  /** Finishes a journal left by a build that was killed after its commit point. */
  async recover(): Promise<boolean> {
    let journal: Journal;
    try {
      journal = JSON.parse(await readFile(this.journalFile, "utf8")) as Journal;
    } catch {
      return false;
    }
    await this.apply(journal);
    return true;
  }

  /** Drops a prepared manifest that was never committed (a build that failed before its commit point). */
  async discardPrepared(): Promise<void> {
    try {
      await stat(this.journalFile);
      return; // committed but unfinished: recover() needs it
    } catch {
      await rm(this.nextManifestFile, { force: true });
    }
  }

  /** Forgets the folder (before a build that replaces it without a manifest). */
  async forget(): Promise<void> {
    await rm(this.manifestFile, { force: true });
  }

  private async apply(journal: Journal): Promise<void> {
    if (journal.kind === "swap") {
      if (await exists(journal.staging)) {
        if ((await exists(journal.outDir)) && !(await exists(journal.retired))) await rename(journal.outDir, journal.retired);
        await rename(journal.staging, journal.outDir);
      }
    } else {
      const { outDir, staging } = journal;
      await inBatches(journal.deletes, (file) => rm(path.join(outDir, file), { force: true }));
      await pruneEmptyDirs(outDir, journal.deletes);
      const dirs = [...new Set(journal.moves.map((file) => path.dirname(path.join(outDir, file))))];
      await inBatches(dirs, (dir) => mkdir(dir, { recursive: true }));
      await inBatches(journal.moves, async (file) => {
        const to = path.join(outDir, file);
        try {
          await rename(path.join(staging, file), to);
        } catch (error) {
          // Already moved by an earlier, interrupted run of this journal.
          if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !(await exists(to))) throw error;
        }
      });
    }
    try {
      await rename(this.nextManifestFile, this.manifestFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    await rm(this.journalFile, { force: true });
    if (journal.kind === "swap") await rm(journal.retired, { recursive: true, force: true });
    await rm(journal.staging, { recursive: true, force: true });
  }
}

/** Removes folders left empty by deletions, deepest first, never the output folder itself. */
async function pruneEmptyDirs(root: string, deleted: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const file of deleted) {
    for (let dir = path.posix.dirname(file); dir !== "." && dir !== "/" && dir !== ""; dir = path.posix.dirname(dir)) dirs.add(dir);
  }
  const deepestFirst = [...dirs].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? -1 : 1));
  for (const dir of deepestFirst) {
    try {
      await rmdir(path.join(root, dir));
    } catch {
      // not empty (or gone): keep
    }
  }
}

/**
 * The files below a folder, as relative "/" paths in listing order, and whether the folder holds
 * nothing but files and folders (no symbolic link, socket or device). A missing folder is empty.
 */
export async function scanTree(folder: string): Promise<{ files: string[]; plain: boolean }> {
  const entries = walkTree(path.resolve(folder));
  return { files: entries.filter((entry) => entry.plain).map((entry) => entry.path), plain: entries.every((entry) => entry.plain) };
}

/** Every file below a folder, as relative "/" paths, sorted. */
export async function listTree(folder: string): Promise<string[]> {
  return (await scanTree(folder)).files.sort();
}
