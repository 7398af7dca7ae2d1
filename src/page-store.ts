import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/** Where an entry lies in a page store: offset and length in bytes. */
export type StoredAt = [offset: number, length: number];

/** Bytes held back before a write: a cold build stores 10,000 pages, each a few KB. */
const WRITE_BATCH = 1 << 20;

/**
 * The article pages' page objects as the last builds made them, for a build after an edit that changes an
 * article's own page alone (own-pages-edit.ts): it takes that page's object from here, instead of
 * indexing the archive and planning every page to make it again. One file an output folder, beside its
 * manifest in the cache folder, only ever appended to: the entries the manifest names stay as they were
 * whatever a later build writes, so a build that fails leaves a manifest whose entries still hold. A build
 * starts a new file (named by the manifest's `pages.store`) when the old one is mostly entries no manifest
 * names any more.
 */
export class PageStore {
  private readonly fd: number;
  private size: number;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    create: boolean,
  ) {
    // (Written at the end it is known to have: "a" would not let a store be read.)
    this.fd = openSync(file, create ? "wx+" : "r+");
    this.size = fstatSync(this.fd).size;
  }

  /** The store named `name` beside `manifestFile`; null when it is missing or cannot be opened. */
  static open(manifestFile: string, name: string): PageStore | null {
    try {
      return new PageStore(path.join(path.dirname(manifestFile), name), false);
    } catch {
      return null;
    }
  }

  /** A new, empty store beside `manifestFile`; null when it cannot be made. */
  static create(manifestFile: string): PageStore | null {
    const name = `${path.basename(manifestFile, ".json")}.pages-${Date.now().toString(36)}-${process.pid}.bin`;
    try {
      mkdirSync(path.dirname(manifestFile), { recursive: true });
      return new PageStore(path.join(path.dirname(manifestFile), name), true);
    } catch {
      return null;
    }
  }

  /** Bytes in the store, written or held. */
  get bytes(): number {
    return this.size + this.heldBytes;
  }

  /** Adds an entry (its parts one after another): where it will be once written. The parts are copied at once. */
  append(...parts: Uint8Array[]): StoredAt {
    const offset = this.bytes;
    for (const part of parts) {
      // (A copy: a page's bytes are handed to a render worker, which takes them.)
      this.held.push(Buffer.from(part));
      this.heldBytes += part.length;
    }
    if (this.heldBytes >= WRITE_BATCH) this.flush();
    return [offset, this.bytes - offset];
  }

  /** An entry's bytes, or null when the store does not hold them whole. */
  read([offset, length]: StoredAt): Buffer | null {
    if (offset + length > this.size) this.flush();
    if (offset + length > this.size) return null;
    const bytes = Buffer.alloc(length);
    return readSync(this.fd, bytes, 0, length, offset) === length ? bytes : null;
  }

  /** Writes what is held, and closes the file (once). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  /** Removes the output's other stores (left by earlier builds): only `keep` is named by its manifest. */
  static removeOthers(manifestFile: string, keep: string | null): void {
    const dir = path.dirname(manifestFile);
    const prefix = `${path.basename(manifestFile, ".json")}.pages-`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) if (name.startsWith(prefix) && name !== keep) rmSync(path.join(dir, name), { force: true });
  }

  private flush(): void {
    if (this.heldBytes === 0) return;
    const bytes = Buffer.concat(this.held, this.heldBytes);
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, this.size + written);
    this.size += bytes.length;
    this.held = [];
    this.heldBytes = 0;
  }
}
