import { readdir, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

/**
 * Safety rails around the output folder, which a build replaces whole.
 *
 * - `guardOutputDir` refuses an --out that would destroy something that is
 *   not a site: the content, templates or public folder (or a folder holding
 *   one), the working directory or an ancestor, the home folder, a file-system
 *   root, or an existing folder with files that Gazette did not write
 *   (`gazette build --out src` must not delete the source).
 * - `cleanStaleLeftovers` removes the `<out>.gazette-<kind>-<pid>` folders
 *   that a build killed part-way (SIGKILL, power loss) leaves beside the
 *   output, once their process is gone; folders of a build still running are
 *   left alone.
 */
export class UnsafeOutputError extends Error {
  /** Bad usage (design.md): the command line asked for something Gazette refuses to do. */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UnsafeOutputError";
  }
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);

/** Files that only a Gazette build writes (design.md fixes their paths): a folder with one of them is a Gazette site. */
const SITE_MARKERS = ["api/articles.json", "sitemap.xml"];

export async function guardOutputDir(outDir: string, protectedDirs: { label: string; dir: string }[]): Promise<void> {
  const out = path.resolve(outDir);
  const refuse = (why: string) => {
    throw new UnsafeOutputError(`refusing to build into ${outDir}: ${why}, and a build replaces the whole output folder; choose a folder of its own, such as --out _site`);
  };
  if (path.dirname(out) === out) refuse("it is the root of the file system");
  if (out === path.resolve(homedir())) refuse("it is your home folder");
  if (inside(process.cwd(), out)) refuse("it is the working folder or one that holds it");
  for (const { label, dir } of protectedDirs) {
    const resolved = path.resolve(dir);
    if (inside(resolved, out)) refuse(`it is (or holds) the ${label} folder ${dir}`);
    if (inside(out, resolved)) refuse(`it is inside the ${label} folder ${dir}`);
  }
  let entries: string[];
  try {
    if (!(await stat(out)).isDirectory()) refuse("it is a file, not a folder");
    entries = await readdir(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (entries.length === 0) return;
  for (const marker of SITE_MARKERS) {
    try {
      await stat(path.join(out, marker));
      return;
    } catch {
      // not this one
    }
  }
  refuse(`it already holds files that Gazette did not write (no ${SITE_MARKERS.join(" or ")})`);
}

const LEFTOVER = /^\.gazette-([a-z]+)-(\d+)$/;

/** Removes leftovers of killed builds beside outDir; returns the folders removed. */
export async function cleanStaleLeftovers(outDir: string): Promise<string[]> {
  const out = path.resolve(outDir);
  const parent = path.dirname(out);
  const base = path.basename(out);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(base) || name.length === base.length) continue;
    const match = LEFTOVER.exec(name.slice(base.length));
    if (!match) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && isAlive(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
    removed.push(path.join(parent, name));
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
