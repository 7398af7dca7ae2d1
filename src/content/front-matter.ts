import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { ContentIssue } from "./issues.js";

/** A Markdown file split into its front matter and body, with what is needed to point at a field. */
export interface FrontMatterFile {
  data: Record<string, unknown>;
  body: string;
  /** UTF-16 offset of the body in the text given. */
  bodyOffset: number;
  /** 1-based line and column where a field's value (or, failing that, the front matter) starts. */
  locate(field?: string, options?: { key?: boolean }): { line: number; column: number };
  /** UTF-16 offset of a string field's value in the text when it appears there verbatim. */
  offsetOf(field: string): number | null;
}

const BOM = "\ufeff";
/** The opening delimiter: a first line of exactly '---' (trailing blanks tolerated). */
const OPENING = /^---[ \t]*(?=\r?\n)/;
/** The closing delimiter: the next line of exactly '---'. */
const CLOSING = /^---[ \t]*$/;

/**
 * Splits an article into front matter and body, and parses the front matter
 * with the `yaml` package so that every field keeps its source position.
 *
 * The split is done here, line by line, rather than by gray-matter: gray-matter
 * closes the front matter at any line that merely starts with '---' ("---b"),
 * leaves the '\r' of a CRLF closing line in the last value ("slug: crlf\r"),
 * and can run other engines ("---js" evaluates JavaScript). Here only a line
 * of exactly '---' opens or closes, LF and CRLF files read the same, offsets
 * are exact, and nothing but YAML is ever read.
 */
export function parseFrontMatter(file: string, text: string): { file: FrontMatterFile } | { issues: ContentIssue[] } {
  const bomLength = text.startsWith(BOM) ? 1 : 0;
  const opening = OPENING.exec(text.slice(bomLength, bomLength + 4096));
  if (!opening) {
    const first = text.slice(bomLength, bomLength + 200).split(/\r\n|\r|\n/)[0]!;
    const found = first.startsWith("---") ? ` (the first line is '${first.slice(0, 40)}')` : "";
    return {
      issues: [{ file, line: 1, column: 1, message: `no front matter${found}: an article starts with a line of exactly '---', then YAML fields (title, date ...), then a line '---'` }],
    };
  }
  // The YAML text starts right after the opening '---', its line break included, so YAML line numbers are the file's.
  const yamlStart = bomLength + opening[0].length;
  let closeStart = -1;
  let bodyOffset = text.length;
  for (let lineStart = text.indexOf("\n", yamlStart) + 1; lineStart > 0 && lineStart <= text.length; ) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, text[lineEnd - 1] === "\r" ? lineEnd - 1 : lineEnd);
    if (line.startsWith("---") && CLOSING.test(line)) {
      closeStart = lineStart;
      bodyOffset = newline === -1 ? text.length : newline + 1;
      break;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (closeStart === -1) {
    return {
      issues: [{ file, line: 1, column: 1, message: "the front matter has no closing line: end the fields with a line of exactly '---', then the article text" }],
    };
  }

  const yamlText = text.slice(yamlStart, closeStart);
  const lineCounter = new LineCounter();
  let document: Document.Parsed;
  let value: unknown;
  try {
    document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
      // Every YAML error of the front matter, each at its own line.
      return { issues: dedupe(document.errors.map((error) => yamlIssue(file, yamlText, lineCounter, error))) };
    }
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { issues: [yamlIssue(file, yamlText, lineCounter, error)] };
  }
  const position = (offsetInYaml: number) => {
    const { line, col } = lineCounter.linePos(offsetInYaml);
    return { line, column: col };
  };
  const fmLine = 2;
  const contents = document.contents;
  if (contents != null && !isMap(contents)) {
    const at = contents.range ? position(contents.range[0]) : { line: fmLine, column: 1 };
    return {
      issues: [{ file, ...at, message: `front matter must be a mapping of fields, one 'name: value' a line (title: ..., date: ...), found ${describeYaml(value)}` }],
    };
  }
  const items = contents?.items ?? [];
  const data = (value ?? {}) as Record<string, unknown>;
  const valueNode = (field: string) => items.find((pair) => isScalar(pair.key) && pair.key.value === field);
  return {
    file: {
      data,
      body: text.slice(bodyOffset),
      bodyOffset,
      locate(field, options) {
        const pair = field === undefined ? undefined : valueNode(field);
        const node = (options?.key ? pair?.key : (pair?.value ?? pair?.key)) as { range?: [number, number, number] } | undefined;
        return node?.range ? position(node.range[0]) : { line: fmLine, column: 1 };
      },
      offsetOf(field) {
        const pair = valueNode(field);
        const node = pair?.value;
        if (!isScalar(node) || typeof node.value !== "string" || !node.range) return null;
        const start = yamlStart + node.range[0];
        const raw = text.slice(start, yamlStart + node.range[1]);
        const inner = raw.indexOf(node.value);
        return inner === -1 || node.value === "" ? null : start + inner;
      },
    },
  };
}

function yamlIssue(file: string, yamlText: string, lineCounter: LineCounter, error: unknown): ContentIssue {
  const yamlError = error as { message?: string; pos?: [number, number]; code?: string };
  let reason = (yamlError.message ?? String(error)).split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (error instanceof RangeError) reason = "it is nested too deeply to read";
  const hint = YAML_HINTS[yamlError.code ?? ""] ?? "check the quotes, brackets and indentation on this line (put text containing ': ' or '#' in double quotes)";
  const message = `front matter is not valid YAML: ${reason}; ${hint}`;
  if (yamlError.pos) {
    // An error found only where the front matter ends (an unclosed bracket or quote) belongs to the last line with text.
    const contentEnd = yamlText.trimEnd().length;
    const at = yamlError.pos[0] >= contentEnd && contentEnd > 0 ? yamlText.lastIndexOf("\n", contentEnd - 1) + 1 : yamlError.pos[0];
    const { line, col } = lineCounter.linePos(at);
    return { file, line, column: col, message: at === yamlError.pos[0] ? message : `${message} (the front matter ends before it is closed)` };
  }
  return { file, line: 2, column: 1, message };
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: "each field may appear once: remove or merge the repeated one",
  MULTIPLE_DOCS: "the front matter is one block of fields: remove the extra '---' or '...' line inside it",
  RESOURCE_EXHAUSTION: "remove the repeated anchors and aliases (&name, *name)",
};

function dedupe(issues: ContentIssue[]): ContentIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, 20);
}

function describeYaml(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.slice(0, 40))}`;
  return String(value);
}
