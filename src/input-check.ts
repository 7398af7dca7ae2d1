import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import type { FileIdentities } from "./content-cache.js";
import { scanTree } from "./output-state.js";

/** How long after a file changed its times may still read the same (file systems with coarse timestamps). */
const TIMESTAMP_GRAIN_NS = 2_000_000_000n;

/**
 * A hash over every file below the given folders (relative path, inode, size, modification and change
 * times) and some strings: what `make` trusts, plus the change time, which every write and rename moves
 * and no tool sets back. Reading the bytes instead cost ~1 s per 10,000 articles on every build. A file
 * changed within a timestamp grain of now could change again unseen, so then the hash is null (not
 * recorded, never matched), as git treats "racily clean" files; so it is for a folder holding a link.
 * The identities of the files it trusts let the content loader take their articles unread.
 */
export async function inputsSignature(dirs: string[], strings: string[]): Promise<{ hash: string | null; identities: FileIdentities; folders: InputFolder[] }> {
  const hash = createHash("sha256");
  const identities = new Map<string, string>();
  const folders: InputFolder[] = [];
  const racyFrom = BigInt(Date.now()) * 1_000_000n - TIMESTAMP_GRAIN_NS;
  let racy = false;
  for (const text of strings) hash.update(`${text}\0`);
  for (const dir of dirs) {
    const { files, plain } = await scanTree(dir);
    // A symbolic link (an article kept elsewhere, say) can point at a file that changes with nothing here
    // changing: a folder holding one is never trusted to be as it was.
    if (!plain) racy = true;
    files.sort();
    const trusted = new Map<string, string>();
    folders.push({ files, identities: trusted });
    let pending = `${dir}\0${files.length}\0`;
    for (const file of files) {
      const absolute = path.join(dir, file);
      const info = statSync(absolute, { bigint: true, throwIfNoEntry: false });
      // Gone since the folder was listed: it is being edited now.
      if (!info) {
        racy = true;
        continue;
      }
      const identity = `${info.ino}\0${info.size}\0${info.mtimeNs}\0${info.ctimeNs}`;
      // Hashed a slice at a time, not a hash call per file (10,000 of them).
      pending += `${file}\0${identity}\0`;
      if (pending.length > 1 << 16) {
        hash.update(pending);
        pending = "";
      }
      if (info.ctimeNs >= racyFrom || info.mtimeNs >= racyFrom) racy = true;
      else {
        identities.set(absolute, identity);
        trusted.set(file, identity);
      }
    }
    hash.update(pending);
  }
  return { hash: racy ? null : hash.digest("base64url"), identities, folders };
}

/** A folder as the input check found it: its files (relative paths, "/" separators, sorted), and the identities of those it trusts. */
export interface InputFolder {
  files: string[];
  identities: ReadonlyMap<string, string>;
}
