import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { appendFile, mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { walkTree } from "./files.js";
import type { SpanCache } from "./nlp/extract.js";
import type { EntityType, TaggedSpan } from "./nlp/types.js";
import { ENTITY_TYPES } from "./nlp/types.js";

/** design.md: .cache/gazette/ in the project root, or $GAZETTE_CACHE. */
export function cacheDirectory(projectRoot = process.cwd()): string {
  return process.env.GAZETTE_CACHE || path.join(projectRoot, ".cache", "gazette");
}

/** The folder holding Gazette's own package.json (templates, public, model). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A fingerprint of the tagger: its model files and compiled code. Cached spans
 * are only reused by the tagger that made them, so a retrained model or a
 * changed tagger never serves stale results. Worked out once a process, like
 * codeFingerprint: the process tags with the model it loaded once (loadTagger),
 * and a build asked for it four times, hashing the 4.7 MB model each time.
 */
export function taggerFingerprint(): Promise<string> {
  taggerFingerprintMemo ??= (async () => {
    const hash = createHash("sha256");
    for (const dir of [path.join(PACKAGE_ROOT, "src", "nlp", "tagger", "model"), path.join(PACKAGE_ROOT, "dist", "nlp", "tagger")]) {
      let names: string[] = [];
      try {
        names = (await readdir(dir)).filter((name) => !name.endsWith(".map")).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        try {
          hash.update(name).update(await readFile(path.join(dir, name)));
        } catch {
          // a sub-folder: not part of the model
        }
      }
    }
    return hash.digest("hex").slice(0, 16);
  })();
  return taggerFingerprintMemo;
}

let taggerFingerprintMemo: Promise<string> | undefined;

/**
 * Tagger spans by text hash, in one cache file per tagger fingerprint, stored
 * flat as [start, end, typeIndex, ...].
 */
export class SpanCacheFile implements SpanCache {
  private constructor(private readonly store: CacheFile<number[]>) {}

  static async open(dir: string, fingerprint: string): Promise<SpanCacheFile> {
    return new SpanCacheFile(await CacheFile.open<number[]>(dir, "spans", fingerprint, { removeOthers: false }));
  }

  get(textHash: string): TaggedSpan[] | undefined {
    const flat = this.store.get(textHash);
    if (!flat) return undefined;
    const spans: TaggedSpan[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) spans.push({ start: flat[i]!, end: flat[i + 1]!, type: ENTITY_TYPES[flat[i + 2]!] as EntityType });
    return spans;
  }

  /** Keeps an entry for this build without decoding it (its article's analysis came from the analysis cache). */
  touch(textHash: string): void {
    this.store.get(textHash);
  }

  set(textHash: string, spans: TaggedSpan[]): void {
    this.store.set(textHash, spans.flatMap((s) => [s.start, s.end, ENTITY_TYPES.indexOf(s.type)]));
  }

  get size(): number {
    return this.store.size;
  }

  save(): Promise<void> {
    return this.store.save();
  }
}

/**
 * A fingerprint of Gazette's own compiled code and the versions of the
 * libraries that shape its output. Cached analyses and the output manifest
 * are only trusted by the code that made them.
 */
let codeFingerprintMemo: Promise<string> | undefined;
export function codeFingerprint(): Promise<string> {
  codeFingerprintMemo ??= (async () => {
    const hash = createHash("sha256");
    const dist = path.join(PACKAGE_ROOT, "dist");
    // (Listed and read synchronously: readdir's recursive listing and a promise a file took 27-34 ms of every
    // build for these ~70 small files, this ~7 ms. Without dist, running from sources with tsx, the
    // package version below stands for the code.)
    const names = walkTree(dist)
      .map((entry) => entry.path)
      .filter((name) => name.endsWith(".js") || name.endsWith(".json"))
      .sort();
    for (const name of names) hash.update(name).update("\0").update(readFileSync(path.join(dist, name)));
    for (const pkg of [".", "@11ty/eleventy", "nunjucks", "remark-parse", "remark-html", "unified", "micromark", "yaml", "gray-matter"]) {
      const file = pkg === "." ? path.join(PACKAGE_ROOT, "package.json") : path.join(PACKAGE_ROOT, "node_modules", pkg, "package.json");
      try {
        hash.update(pkg).update(String((JSON.parse(await readFile(file, "utf8")) as { version?: string }).version));
      } catch {
        // a library resolved elsewhere: its absence is part of the fingerprint
      }
    }
    return hash.digest("hex").slice(0, 16);
  })();
  return codeFingerprintMemo;
}

/** Writes a file by a temporary file and a rename, so readers see the old or the new content, never half. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

const BASE_FORMAT = "gazette-cache/3";
const LOG_FORMAT = "gazette-cache-log/2";
/**
 * A save rewrites the base file only when the log's entries and the entries no build used outgrow
 * this share of the live ones (or this many): a one-article edit then appends one line instead of
 * rewriting megabytes, and unused entries still go, a rewrite at a time.
 */
const COMPACT_SHARE = 0.25;
const COMPACT_MIN = 64;

/** What a log holds that can be trusted, and whether more may be appended to it. */
interface LogContents<V> {
  entries: [string, V][];
  /** Absent, or a well-formed header and whole, checked lines ending in a line break. */
  sound: boolean;
  exists: boolean;
}

/**
 * JSON values by key, for one fingerprint, in two files: `<kind>-<fp>.json`, written whole
 * and atomically (a header line, then one `[key,value]` line an entry), and
 * `<kind>-<fp>.log`, new entries appended one checked line each. Values must depend only on
 * the key and the fingerprint: then any entry read back, from either file and from any
 * earlier build, is right, and a log that outlives its base's rewrite (a killed build) only
 * repeats entries. A file that is torn, damaged or not ours is ignored, line by line.
 */
export class CacheFile<V> {
  private readonly used = new Set<string>();
  private readonly added = new Map<string, V>();
  private usedStored = 0;

  private constructor(
    private readonly base: string,
    private readonly log: string,
    private readonly fingerprint: string,
    private readonly stored: Map<string, V>,
    private readonly logged: { count: number; sound: boolean; exists: boolean },
  ) {}

  /** `removeOthers`: other fingerprints' files of this kind only hold stale entries, so they go. */
  static async open<V>(dir: string, kind: string, fingerprint: string, { removeOthers }: { removeOthers: boolean }): Promise<CacheFile<V>> {
    const base = path.join(dir, `${kind}-${fingerprint}.json`);
    const log = path.join(dir, `${kind}-${fingerprint}.log`);
    if (removeOthers) await removeOtherFingerprints(dir, kind, fingerprint);
    const stored = await readBase<V>(base, fingerprint);
    const contents = await readLog<V>(log, fingerprint);
    for (const [key, value] of contents.entries) stored.set(key, value);
    return new CacheFile(base, log, fingerprint, stored, { count: contents.entries.length, sound: contents.sound, exists: contents.exists });
  }

  /** The value for a key, kept for this build's save. */
  get(key: string): V | undefined {
    const fresh = this.added.get(key);
    if (fresh !== undefined) return fresh;
    const value = this.stored.get(key);
    if (value !== undefined && !this.used.has(key)) {
      this.used.add(key);
      this.usedStored++;
    }
    return value;
  }

  set(key: string, value: V): void {
    // A stored entry is already this value (values depend only on the key): keep it, write nothing.
    if (this.stored.has(key)) {
      this.get(key);
      return;
    }
    this.added.set(key, value);
    this.used.add(key);
  }

  /** Entries this build used or added. */
  get size(): number {
    return this.used.size;
  }

  /** Appends this build's new entries to the log, or rewrites the base with only the entries this build used. */
  async save(): Promise<void> {
    const unused = this.stored.size - this.usedStored;
    const overhead = unused + this.logged.count + this.added.size;
    if (!this.logged.sound || overhead > Math.max(COMPACT_MIN, this.used.size * COMPACT_SHARE)) await this.compact();
    else if (this.added.size > 0) await this.append();
  }

  private async compact(): Promise<void> {
    await mkdir(path.dirname(this.base), { recursive: true });
    const temporary = `${this.base}.${process.pid}.tmp`;
    const handle = await open(temporary, "w");
    try {
      // A slice at a time: one JSON string of a 100,000-article cache ran to hundreds of megabytes.
      let chunk = `${header(BASE_FORMAT, this.fingerprint)}\n`;
      for (const key of this.used) {
        chunk += `${JSON.stringify([key, this.added.get(key) ?? this.stored.get(key)])}\n`;
        if (chunk.length > 1 << 20) {
          await handle.write(chunk);
          chunk = "";
        }
      }
      await handle.write(chunk);
    } finally {
      await handle.close();
    }
    await rename(temporary, this.base);
    // Killed here, the old log stays beside the new base: its entries are still right, only repeated.
    await rm(this.log, { force: true });
  }

  private async append(): Promise<void> {
    let text = this.logged.exists ? "" : `${header(LOG_FORMAT, this.fingerprint)}\n`;
    for (const [key, value] of this.added) text += `${logLine(key, value)}\n`;
    await mkdir(path.dirname(this.log), { recursive: true });
    // One write of whole lines: a build killed mid-write leaves a torn last line, which the next build ignores and compacts away.
    await appendFile(this.log, text);
  }
}

/** The key of a text in a cache: a digest of what kind of text it is (a file's name, a settings file's kind) and the text. */
export function textKey(scope: string, text: string): string {
  return createHash("sha1").update(scope).update("\0").update(text).digest("base64url");
}

/**
 * What was made of texts (parsed files), by each text's scope and content (textKey), in a small cache file of
 * its kind under a fingerprint of the code that made it: a file is not parsed again while its text is the same.
 */
export class TextCache<V> {
  private constructor(private readonly store: CacheFile<V>) {}

  static async open<V>(dir: string, kind: string, fingerprint: string): Promise<TextCache<V>> {
    return new TextCache(await CacheFile.open<V>(dir, kind, fingerprint, { removeOthers: true }));
  }

  get(scope: string, text: string): V | undefined {
    return this.store.get(textKey(scope, text));
  }

  set(scope: string, text: string, value: V): void {
    this.store.set(textKey(scope, text), value);
  }

  save(): Promise<void> {
    return this.store.save();
  }
}

async function removeOtherFingerprints(dir: string, kind: string, fingerprint: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // no folder yet
  }
  for (const name of names) {
    if (name.startsWith(`${kind}-`) && !name.startsWith(`${kind}-${fingerprint}.`)) await rm(path.join(dir, name), { force: true });
  }
}

/**
 * The base file's entries, or none when it is missing, unreadable or another format's or fingerprint's.
 * It is read as bytes and parsed a line (an entry) at a time: read as one string, the article cache of a
 * 100,000-article archive (bodies included) came near the longest string V8 makes, and a longer one
 * would have failed to read, leaving every build to parse every article again.
 */
async function readBase<V>(file: string, fingerprint: string): Promise<Map<string, V>> {
  const entries = new Map<string, V>();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return entries; // no cache yet, or an unreadable one: start empty (the cache only ever speeds a build up)
  }
  let end = bytes.indexOf(10);
  if (end === -1 || bytes.toString("utf8", 0, end) !== header(BASE_FORMAT, fingerprint)) return entries;
  for (let start = end + 1; (end = bytes.indexOf(10, start)) !== -1; start = end + 1) {
    try {
      const entry = JSON.parse(bytes.toString("utf8", start, end)) as unknown;
      if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string") entries.set(entry[0], entry[1] as V);
    } catch {
      // a damaged line: that entry is made again
    }
  }
  return entries;
}

/** A cache file's first line: its format (base or log) and fingerprint. */
function header(format: string, fingerprint: string): string {
  return JSON.stringify({ format, fingerprint });
}

/** `[key,value]`, a tab (JSON never holds a raw one), and a check of the JSON, so a torn or damaged line is never read as an entry. */
function logLine(key: string, value: unknown): string {
  const json = JSON.stringify([key, value]);
  return `${json}\t${lineCheck(json)}`;
}

function lineCheck(json: string): string {
  return createHash("sha1").update(json).digest("base64url").slice(0, 12);
}

async function readLog<V>(file: string, fingerprint: string): Promise<LogContents<V>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { entries: [], sound: true, exists: false };
  }
  const lines = text.split("\n");
  // After the last line break: "" when the last write finished, else a torn line.
  let sound = lines.pop() === "";
  if (lines[0] !== header(LOG_FORMAT, fingerprint)) return { entries: [], sound: false, exists: true };
  const entries: [string, V][] = [];
  for (let i = 1; i < lines.length; i++) {
    const entry = parseLogLine<V>(lines[i]!);
    if (entry) entries.push(entry);
    else sound = false;
  }
  return { entries, sound, exists: true };
}

function parseLogLine<V>(line: string): [string, V] | null {
  const tab = line.lastIndexOf("\t");
  if (tab === -1 || lineCheck(line.slice(0, tab)) !== line.slice(tab + 1)) return null;
  try {
    const entry = JSON.parse(line.slice(0, tab)) as unknown;
    return Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" ? (entry as [string, V]) : null;
  } catch {
    return null;
  }
}
