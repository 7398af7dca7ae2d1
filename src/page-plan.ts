/**
 * What both ways of building (build.ts, and after a small edit own-pages-edit.ts) share in planning the
 * output: the hash of each file's inputs, what every page's hash starts with, and the token a page object
 * carries for its article's body until a worker renders it.
 */
import { createHash } from "node:crypto";
import { codeFingerprint } from "./cache.js";
import type { Article } from "./content/article.js";
import type { Globals } from "./render/page-renderer.js";
import type { BodyLink } from "./render/plain-markdown.js";
import type { TemplateSet } from "./render/templates.js";

export const BODY_TOKEN = "\u0000gazette-body\u0000";

/** What a page's object carries for its article's body until a worker renders it: the body's content and links. */
export function bodyToken(article: Pick<Article, "hash">, links: readonly BodyLink[]): string {
  return `${BODY_TOKEN}${article.hash}${JSON.stringify(links)}`;
}

/** The links a body token names, or null for a text that is no body token. */
export function tokenLinks(token: unknown): BodyLink[] | null {
  if (typeof token !== "string" || !token.startsWith(BODY_TOKEN)) return null;
  try {
    // (After the article's hash, 64 hexadecimal digits: see bodyToken.)
    return JSON.parse(token.slice(BODY_TOKEN.length + 64)) as BodyLink[];
  } catch {
    return null;
  }
}

/** What every page's hash starts with: Gazette's code, the templates and what they all receive. */
export async function pageBaseKey(templateSet: TemplateSet, globals: Globals): Promise<string> {
  return `${await codeFingerprint()}\0${templateSet.hash}\0${JSON.stringify(globals)}\0`;
}

/** A data file's entry in the manifest: the hash of its bytes, marked apart from pages' and copies'. */
export function dataFileHash(content: string | Uint8Array): string {
  return `T${sha(content)}`;
}

/**
 * A keyed data file's entry in the manifest: its key under what every page and feed shares (`keyBase`), not
 * its bytes. The key holds all the file is made from (it is what lets a build keep the file unmade), so two
 * builds record the same entry exactly when they make the same bytes.
 */
export function keyedFileHash(keyBase: string, file: string, key: string): string {
  return `K${sha(keyBase, "\0", file, "\0", key)}`;
}

/** The hash of the parts' bytes one after another (strings as UTF-8). */
export function sha(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("base64url").slice(0, 22);
}
