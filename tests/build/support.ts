// A scratch Gazette project (content, templates, public) for build tests, and byte-for-byte folder comparison.
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { articleFile, ROOT, SHARED } from "../support/cli.js";

export const CORPUS = path.join(SHARED, "corpora", "conll2003-dev");

/** Raw Reuters texts from the dev corpus: [headline, paragraphs]. */
export async function corpusTexts(count: number): Promise<{ title: string; paragraphs: string[] }[]> {
  const names = (await readdir(CORPUS)).filter((name) => name.endsWith(".txt")).sort().slice(0, count);
  const texts = [];
  for (const name of names) {
    const lines = (await readFile(path.join(CORPUS, name), "utf8")).split("\n").map((line) => line.trim()).filter(Boolean);
    texts.push({ title: lines[0]!.replace(/"/g, "'"), paragraphs: lines.slice(1, 8) });
  }
  return texts;
}

export function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "story";
}

export function articleMarkdown(title: string, date: string, slug: string, paragraphs: string[], extra: Record<string, string | string[]> = {}): string {
  return articleFile({ title, date, slug, source: "Reuters", summary: paragraphs[0]?.slice(0, 120) ?? title, ...extra }, paragraphs.join("\n\n"));
}

/** A project folder: content/ (articles, registry, taxonomy, site), templates/ and public/ copied from Gazette. */
export async function makeProject(dir: string, articles: { title: string; paragraphs: string[] }[], pageSize = 2): Promise<void> {
  await mkdir(path.join(dir, "content", "articles"), { recursive: true });
  await cp(path.join(ROOT, "templates"), path.join(dir, "templates"), { recursive: true });
  await cp(path.join(ROOT, "public"), path.join(dir, "public"), { recursive: true });
  await cp(path.join(ROOT, "content", "topics.yml"), path.join(dir, "content", "topics.yml"));
  await writeFile(
    path.join(dir, "content", "site.yml"),
    `title: Diff Gazette\ndescription: Differential test archive.\nlanguage: en\nbase_url: https://diff.example.org\npublisher: Diff Press\npage_size: ${pageSize}\nfeed_size: 3\n`,
  );
  await writeFile(path.join(dir, "content", "entities.yml"), "# registry\n");
  for (const [i, text] of articles.entries()) {
    const date = dateOf(i);
    const slug = slugOf(text.title);
    await writeArticle(dir, date, slug, articleMarkdown(text.title, date, slug, text.paragraphs));
  }
}

/** The date makeProject gives its i-th article. */
export function dateOf(i: number): string {
  return `1996-0${1 + (i % 3)}-${String(1 + ((i * 7) % 28)).padStart(2, "0")}`;
}

export async function writeArticle(dir: string, date: string, slug: string, text: string): Promise<string> {
  const file = path.join(dir, "content", "articles", date.slice(0, 4), date.slice(5, 7), `${slug}.md`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** Every file and folder below root: relative path -> bytes (folders map to null). */
export async function snapshot(root: string): Promise<Map<string, Buffer | null>> {
  const out = new Map<string, Buffer | null>();
  const entries = (await readdir(root, { recursive: true, withFileTypes: true })) as import("node:fs").Dirent[];
  for (const entry of entries) {
    const full = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const rel = path.relative(root, full).split(path.sep).join("/");
    out.set(rel, entry.isDirectory() ? null : await readFile(full));
  }
  return out;
}

/** Differences between two snapshots, as readable lines (empty when identical). */
export function differences(actual: Map<string, Buffer | null>, expected: Map<string, Buffer | null>, limit = 12): string[] {
  const problems: string[] = [];
  for (const [rel, bytes] of expected) {
    if (!actual.has(rel)) problems.push(`missing: ${rel}`);
    else if (bytes && !bytes.equals(actual.get(rel)!)) problems.push(`differs: ${rel}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) problems.push(`extra: ${rel}`);
  return problems.slice(0, limit);
}
