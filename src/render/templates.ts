import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { TextCache } from "../cache.js";
import { lazyPackage } from "../lazy-package.js";

/** One page template of the templates folder (top level .njk, as Eleventy reads it). */
export interface TemplateSpec {
  /** Path relative to the templates folder, with "/" separators. */
  name: string;
  file: string;
  /** The template text after its front matter, as Eleventy hands it to Nunjucks. */
  body: string;
  /** The file's line (1-based) where `body` starts: Nunjucks counts lines in the body. */
  bodyLine: number;
  /** "pages.X" this template paginates over one page at a time as `p`, with permalink "{{ p.url }}"; else null. */
  list: string | null;
}

/** Every file below the templates folder, for the template-set hash and the scan. */
async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = (await readdir(dir, { recursive: true, withFileTypes: true })) as import("node:fs").Dirent[];
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export interface TemplateSet {
  dir: string;
  /** sha256 over every file's relative path and bytes: any template, include or data change changes it. */
  hash: string;
  templates: TemplateSpec[];
}

/** gray-matter, loaded when a template is first parsed: a build with nothing to do reads none. */
const grayMatter = lazyPackage<typeof import("gray-matter")>("gray-matter");

/** What a template's text makes of it: its body, where that starts, and the list it renders page by page. */
export type ParsedTemplate = Pick<TemplateSpec, "body" | "bodyLine" | "list">;

/**
 * Reads the templates folder once: its hash and its page templates, each parsed, or found by its text in the
 * cache when one is given (loading gray-matter, and the YAML parser it brings, took ~60 ms of every build
 * that was not a no-op, for the same eleven templates each time).
 */
export async function scanTemplates(dir: string, cache?: TextCache<ParsedTemplate>): Promise<TemplateSet> {
  const files = await listFiles(dir);
  const hash = createHash("sha256");
  const templates: TemplateSpec[] = [];
  for (const file of files) {
    const bytes = await readFile(file);
    const name = path.relative(dir, file).split(path.sep).join("/");
    hash.update(`${name}\0${bytes.length}\0`).update(bytes);
    // Page templates: top-level .njk files (Eleventy's includes live in _includes/, data in _data/).
    if (!name.endsWith(".njk") || name.startsWith("_") || name.includes("/")) continue;
    const text = bytes.toString("utf8");
    let parsed = cache?.get("template", text);
    if (!parsed) {
      parsed = parseTemplate(text);
      cache?.set("template", text, parsed);
    }
    templates.push({ name, file, ...parsed });
  }
  return { dir, hash: hash.digest("hex"), templates };
}

/** A template's text as Eleventy reads it: front matter, then the body it hands to Nunjucks. */
function parseTemplate(text: string): ParsedTemplate {
  let parsed: { data: Record<string, unknown>; content: string };
  try {
    // A fresh object per call: gray-matter caches by string and would share it otherwise.
    parsed = grayMatter()(text, {});
  } catch {
    return { body: text, bodyLine: 1, list: null };
  }
  const bodyLine = text.endsWith(parsed.content) ? text.slice(0, text.length - parsed.content.length).split("\n").length : 1;
  return { body: parsed.content, bodyLine, list: standardList(parsed.data) };
}

/**
 * The list a template renders page by page, when its front matter is
 * exactly Gazette's shape (pagination over pages.X, size 1, alias p,
 * permalink "{{ p.url }}", nothing else that changes the output). A template
 * with any other front matter (a layout, computed data, a filter) is left to Eleventy.
 */
function standardList(data: Record<string, unknown>): string | null {
  const allowed = new Set(["pagination", "permalink", "eleventyExcludeFromCollections"]);
  if (Object.keys(data).some((key) => !allowed.has(key))) return null;
  const pagination = data.pagination as Record<string, unknown> | undefined;
  if (!pagination || typeof pagination !== "object") return null;
  const keys = Object.keys(pagination).sort().join(",");
  if (keys !== "alias,data,size") return null;
  if (pagination.size !== 1 || pagination.alias !== "p" || typeof pagination.data !== "string") return null;
  if (typeof data.permalink !== "string" || data.permalink.replace(/\s+/g, "") !== "{{p.url}}") return null;
  const match = /^pages\.([A-Za-z]\w*)$/.exec(pagination.data);
  return match ? match[1]! : null;
}

/** Where a page's URL is written, as Eleventy writes a permalink: "/x/" -> "x/index.html". */
export function outputPathOf(url: string): string {
  const relative = url.replace(/^\/+/, "");
  return relative === "" || relative.endsWith("/") ? `${relative}index.html` : relative;
}
