import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
 * changed tagger never serves stale results.
 */
export async function taggerFingerprint(): Promise<string> {
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
}

interface SpanCacheData {
  fingerprint: string;
  /** text hash -> flat [start, end, typeIndex, ...] */
  entries: Record<string, number[]>;
}

/**
 * Tagger spans by text hash, in one file per tagger fingerprint. Entries not
 * used by a build are dropped when it saves, so the cache tracks the archive.
 */
export class SpanCacheFile implements SpanCache {
  private readonly used = new Map<string, number[]>();
  private added = 0;

  private constructor(
    private readonly file: string,
    private readonly fingerprint: string,
    private readonly stored: Map<string, number[]>,
  ) {}

  static async open(dir: string, fingerprint: string): Promise<SpanCacheFile> {
    const file = path.join(dir, `spans-${fingerprint}.json`);
    let stored = new Map<string, number[]>();
    try {
      const data = JSON.parse(await readFile(file, "utf8")) as SpanCacheData;
      if (data.fingerprint === fingerprint) stored = new Map(Object.entries(data.entries));
    } catch {
      // no cache yet, or an unreadable one: start empty (the cache only ever speeds a build up)
    }
    return new SpanCacheFile(file, fingerprint, stored);
  }

  get(textHash: string): TaggedSpan[] | undefined {
    const flat = this.used.get(textHash) ?? this.stored.get(textHash);
    if (!flat) return undefined;
    this.used.set(textHash, flat);
    const spans: TaggedSpan[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) spans.push({ start: flat[i]!, end: flat[i + 1]!, type: ENTITY_TYPES[flat[i + 2]!] as EntityType });
    return spans;
  }

  /** Keeps an entry for this build without decoding it (its article's analysis came from the analysis cache). */
  touch(textHash: string): void {
    if (this.used.has(textHash)) return;
    const flat = this.stored.get(textHash);
    if (flat) this.used.set(textHash, flat);
  }

  set(textHash: string, spans: TaggedSpan[]): void {
    this.used.set(textHash, spans.flatMap((s) => [s.start, s.end, ENTITY_TYPES.indexOf(s.type)]));
    this.added++;
  }

  get size(): number {
    return this.used.size;
  }

  /** Writes the entries this build used, when anything changed. */
  async save(): Promise<void> {
    if (this.added === 0 && this.used.size === this.stored.size) return;
    await writeJsonAtomic(this.file, `{"fingerprint":${JSON.stringify(this.fingerprint)},"entries":`, this.used, "}");
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
    let names: string[] = [];
    try {
      names = ((await readdir(dist, { recursive: true })) as string[]).filter((name) => name.endsWith(".js") || name.endsWith(".json")).sort();
    } catch {
      // running from sources (tsx): fall back to the package version below
    }
    for (const name of names) hash.update(name).update("\0").update(await readFile(path.join(dist, name)));
    for (const pkg of [".", "@11ty/eleventy", "nunjucks", "remark-parse", "remark-html", "unified", "micromark"]) {
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

/**
 * Writes `head`, the entries as one JSON object, then `tail`, atomically, a
 * slice of entries at a time: one JSON string of a 100,000-article cache ran
 * to hundreds of megabytes at once.
 */
async function writeJsonAtomic(file: string, head: string, entries: Map<string, unknown>, tail: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, "w");
  try {
    let chunk = `${head}{`;
    let first = true;
    for (const [key, value] of entries) {
      chunk += `${first ? "" : ","}${JSON.stringify(key)}:${JSON.stringify(value)}`;
      first = false;
      if (chunk.length > 1 << 20) {
        await handle.write(chunk);
        chunk = "";
      }
    }
    await handle.write(`${chunk}}${tail}`);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/**
 * Whole-article analyses (entities with mentions, topics) keyed by the
 * article file's hash and a fingerprint of everything else they depend on
 * (registry, taxonomy, tagger, code). A warm build then skips extraction
 * entirely; entries not used by a build are dropped when it saves.
 */
export class AnalysisCacheFile<T> {
  private readonly used = new Map<string, T>();
  private added = 0;

  private constructor(
    private readonly file: string,
    private readonly stored: Map<string, T>,
  ) {}

  static async open<T>(dir: string, fingerprint: string, kind = "analyses"): Promise<AnalysisCacheFile<T>> {
    const file = path.join(dir, `${kind}-${fingerprint}.json`);
    let stored = new Map<string, T>();
    try {
      stored = new Map(Object.entries(JSON.parse(await readFile(file, "utf8")) as Record<string, T>));
    } catch {
      // none yet
    }
    // Older fingerprints' files only hold stale entries.
    try {
      for (const name of await readdir(dir)) {
        if (name.startsWith(`${kind}-`) && name !== path.basename(file)) await rm(path.join(dir, name), { force: true });
      }
    } catch {
      // no folder yet
    }
    return new AnalysisCacheFile(file, stored);
  }

  get(key: string): T | undefined {
    const found = this.used.get(key) ?? this.stored.get(key);
    if (found !== undefined) this.used.set(key, found);
    return found;
  }

  set(key: string, value: T): void {
    this.used.set(key, value);
    this.added++;
  }

  async save(): Promise<void> {
    if (this.added === 0 && this.used.size === this.stored.size) return;
    await writeJsonAtomic(this.file, "", this.used, "");
  }
}
