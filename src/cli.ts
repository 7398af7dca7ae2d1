#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseArticle } from "./content/article.js";
import { ContentError, formatIssue } from "./content/issues.js";
import { decodeText, loadArchive } from "./content/load.js";
import { parseRegistry } from "./content/registry.js";
import { parseTaxonomy } from "./content/taxonomy.js";
import type { ArticleEntity } from "./nlp/canonical.js";
import { UnsafeOutputError } from "./output-guard.js";
// The build (Eleventy and the renderers), the server, the tagger and ingest are imported by the commands that
// use them, so that `gazette ingest` does not spend half a second loading them first, nor a build ingest's.

const HELP = `gazette: a static news-archive generator

usage:
  gazette ingest FILE|DIR... [--date YYYY-MM-DD] [--source NAME] [--source-url URL] [--content DIR] [--force]
      raw text (headline line, then a paragraph a line) -> content/articles/YYYY/MM/<slug>.md
  gazette build [--content DIR] [--out DIR] [--base-url URL] [--path-prefix /sub/] [--incremental]
      validate, extract entities and topics, and write the site to --out (default _site)
  gazette serve [--content DIR] [--out DIR] [--port 8080] [--host 127.0.0.1]
      build, then serve with live reload; rebuild on every change to content, templates or public
  gazette extract FILE... --json [--content DIR]
      entities and topics of raw .txt or article .md files, one JSON object a line
  gazette check [--content DIR]
      validate the archive; every problem as path:line:col: message

exit status: 0 success, 1 content errors, 2 bad usage`;

class UsageError extends Error {}

const COMMON = { content: { type: "string", default: "content" }, help: { type: "boolean", short: "h" } } as const;
const OPTIONS = {
  ingest: { ...COMMON, date: { type: "string" }, source: { type: "string" }, "source-url": { type: "string" }, force: { type: "boolean" } },
  build: { ...COMMON, out: { type: "string", default: "_site" }, "base-url": { type: "string" }, "path-prefix": { type: "string" }, incremental: { type: "boolean" }, quiet: { type: "boolean" } },
  serve: { ...COMMON, out: { type: "string", default: "_site" }, port: { type: "string", default: "8080" }, host: { type: "string", default: "127.0.0.1" } },
  extract: { ...COMMON, json: { type: "boolean" } },
  check: { ...COMMON },
} satisfies Record<string, ParseArgsConfig["options"]>;

type Command = keyof typeof OPTIONS;

function parse<C extends Command>(command: C, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (!(command in OPTIONS)) throw new UsageError(`unknown command '${command}'`);
  switch (command as Command) {
    case "ingest":
      return ingestCommand(args);
    case "build":
      return buildCommand(args);
    case "serve":
      return serveCommand(args);
    case "extract":
      return extractCommand(args);
    case "check":
      return checkCommand(args);
  }
}

async function ingestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("ingest", args);
  if (values.help) return help();
  if (positionals.length === 0) throw new UsageError("ingest needs at least one FILE or DIR");
  const { expandInputs, ingestFiles } = await import("./ingest/ingest.js");
  let files: string[];
  try {
    files = await expandInputs(positionals);
  } catch (error) {
    throw new UsageError(`cannot read ${(error as NodeJS.ErrnoException).path ?? positionals.join(" ")}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const report = await ingestFiles(files, values.content, {
    date: values.date,
    source: values.source,
    sourceUrl: values["source-url"],
    force: values.force ?? false,
  });
  for (const skipped of report.skipped) console.error(`${skipped.file}: skipped: ${skipped.reason}`);
  for (const error of report.errors) console.error(`${error.file}:1:1: ${error.message}`);
  console.error(`ingested ${report.written.length} article${report.written.length === 1 ? "" : "s"}` + (report.skipped.length ? `, skipped ${report.skipped.length}` : "") + (report.errors.length ? `, ${report.errors.length} failed` : ""));
  return report.errors.length > 0 ? 1 : 0;
}

async function buildCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("build", args);
  if (values.help) return help();
  if (positionals.length > 0) throw new UsageError(`build takes no arguments, found '${positionals[0]}'`);
  const { build } = await import("./build.js");
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI && !values.quiet;
  const started = performance.now();
  const progress = interactive ? new Progress() : null;
  const result = await build({
    contentDir: values.content,
    outDir: values.out,
    baseUrl: values["base-url"],
    pathPrefix: values["path-prefix"],
    incremental: values.incremental ?? false,
    onStage: progress ? (stage, detail) => progress.stage(stage, detail) : undefined,
    onProgress: progress ? (stage, done, total) => progress.advance(stage, done, total) : undefined,
  });
  progress?.clear();
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const how = result.mode === "incremental" ? ` (incremental${result.editedPagesOnly ? ", edited articles' pages only" : ""}: ${result.written} written, ${result.deleted} deleted)` : "";
  if (!values.quiet) console.error(`built ${result.articles} articles, ${result.entities} entities, ${result.topics} topics: ${result.pages} pages, ${result.files} files in ${seconds}s -> ${values.out}${how}`);
  if (process.env.GAZETTE_TIMINGS) console.error(JSON.stringify(result.timings));
  return 0;
}

async function serveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("serve", args);
  if (values.help) return help();
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, found '${positionals[0]}'`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, found '${values.port}'`);
  const { serve } = await import("./serve.js");
  await serve({ contentDir: values.content, outDir: values.out, port, host: values.host });
  return 0;
}

async function extractCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("extract", args);
  if (values.help) return help();
  if (!values.json) throw new UsageError("extract prints JSON Lines: pass --json");
  if (positionals.length === 0) throw new UsageError("extract needs at least one FILE");
  const readSetting = async (name: string) => readFile(path.join(values.content, name), "utf8").catch(() => "");
  const registryFile = path.join(values.content, "entities.yml");
  const taxonomyFile = path.join(values.content, "topics.yml");
  const registry = parseRegistry(registryFile, await readSetting("entities.yml"));
  const taxonomy = parseTaxonomy(taxonomyFile, await readSetting("topics.yml"));
  const settingIssues = [...registry.issues, ...taxonomy.issues];
  if (settingIssues.length > 0) throw new ContentError(settingIssues);
  const [{ indexRegistry }, { analyseArticle, extractFromText }, { loadTagger }, { assignTopics, compileTaxonomy }] = await Promise.all([
    import("./nlp/canonical.js"),
    import("./nlp/extract.js"),
    import("./nlp/tagger/index.js"),
    import("./nlp/topics.js"),
  ]);
  const registryIndex = indexRegistry(registry.registry);
  const compiled = compileTaxonomy(taxonomy.taxonomy);
  const tagger = loadTagger();
  const topicOut = (codes: string[]) =>
    codes.map((code) => compiled.byCode.get(code)!).map((topic) => ({ slug: topic.slug, label: topic.label, code: topic.code }));
  const entityOut = (entities: ArticleEntity[]) =>
    entities.map((e) => ({ name: e.name, type: e.type, slug: e.slug, aliases: e.aliases, mentions: e.mentions }));
  let failed = 0;
  const lines: string[] = [];
  for (const file of positionals) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      console.error(`${file}:1:1: cannot read: ${(error as NodeJS.ErrnoException).code ?? error}`);
      failed++;
      continue;
    }
    const decoded = decodeText(file, bytes);
    if ("issue" in decoded) {
      console.error(formatIssue(decoded.issue));
      failed++;
      continue;
    }
    const text = decoded.text;
    if (file.endsWith(".md")) {
      const parsed = parseArticle(file, text);
      if ("issues" in parsed) {
        parsed.issues.forEach((issue) => console.error(formatIssue(issue)));
        failed++;
        continue;
      }
      const analysis = analyseArticle(parsed.article, tagger, registryIndex, compiled);
      lines.push(JSON.stringify({ file, entities: entityOut(analysis.entities), topics: topicOut(analysis.topics) }));
    } else {
      const entities = extractFromText(text, tagger, registryIndex);
      const newline = text.indexOf("\n");
      const headline = newline === -1 ? text : text.slice(0, newline);
      const topics = assignTopics(compiled, headline, newline === -1 ? "" : text.slice(newline + 1), entities.map((e) => e.key));
      lines.push(JSON.stringify({ file, entities: entityOut(entities), topics: topicOut(topics) }));
    }
    if (lines.length >= 256) process.stdout.write(`${lines.splice(0).join("\n")}\n`);
  }
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
  return failed > 0 ? 1 : 0;
}

async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse("check", args);
  if (values.help) return help();
  if (positionals.length > 0) throw new UsageError(`check takes no arguments, found '${positionals[0]}'`);
  const loaded = await loadArchive(values.content);
  if ("issues" in loaded) throw new ContentError(loaded.issues);
  console.error(`${loaded.archive.articles.length} articles, ${loaded.archive.registry.length} registry entities, ${loaded.archive.taxonomy.topics.length} topics: no problems`);
  return 0;
}

/** One status line on a terminal: stage, count, rate; redrawn at most ten times a second. */
class Progress {
  private started = performance.now();
  private drawn = 0;

  stage(name: string, detail?: string): void {
    this.started = performance.now();
    if (name) this.draw(`${name}${detail ? `: ${detail}` : ""}…`, true);
  }

  advance(stage: string, done: number, total: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    this.draw(`${stage}: ${done.toLocaleString("en")}/${total.toLocaleString("en")} (${rate.toLocaleString("en")}/s)`, done === total);
  }

  clear(): void {
    process.stderr.write("\r\x1b[K");
  }

  private draw(line: string, force: boolean): void {
    const now = performance.now();
    if (!force && now - this.drawn < 100) return;
    this.drawn = now;
    process.stderr.write(`\r\x1b[K${line}`);
  }
}

function help(): number {
  console.log(HELP);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UnsafeOutputError) {
      console.error(`gazette: ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof UsageError) {
      console.error(`gazette: ${error.message}\n\n${HELP}`);
      process.exitCode = 2;
    } else if (error instanceof ContentError) {
      for (const issue of error.issues) console.error(formatIssue(issue));
      console.error(`${error.issues.length} problem${error.issues.length === 1 ? "" : "s"} found; nothing was written`);
      process.exitCode = 1;
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    }
  },
);
