import type { Document, LineCounter } from "yaml";
import { yamlPackage } from "./yaml-package.js";
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

type Parsed = { file: FrontMatterFile } | { issues: ContentIssue[] };

/** Where the front matter's YAML and the body stand in the text, once the delimiters are found. */
interface Split {
  text: string;
  /** Start of the YAML text: the line break of the opening '---', so YAML line numbers are the file's. */
  yamlStart: number;
  /** Start of the closing '---' line: the YAML text ends just before it. */
  yamlEnd: number;
  bodyOffset: number;
}

/**
 * Splits an article into front matter and body, and parses the front matter
 * so that every field keeps its source position: the common simple shape
 * (one `name: text` a line) by a direct reader, everything else with the
 * `yaml` package. Both give the same answers (tests/content/front-matter.test.ts).
 *
 * The split is done here, line by line, rather than by gray-matter: gray-matter
 * closes the front matter at any line that merely starts with '---' ("---b"),
 * leaves the '\r' of a CRLF closing line in the last value ("slug: crlf\r"),
 * and can run other engines ("---js" evaluates JavaScript). Here only a line
 * of exactly '---' opens or closes, LF and CRLF files read the same, offsets
 * are exact, and nothing but YAML is ever read.
 */
export function parseFrontMatter(file: string, text: string): Parsed {
  const split = splitFrontMatter(file, text);
  if ("issues" in split) return split;
  return simpleFrontMatter(split) ?? yamlFrontMatter(file, split);
}

/** The direct reader alone: null when the front matter is not of the simple shape it reads. */
export function parseSimpleFrontMatter(file: string, text: string): Parsed | null {
  const split = splitFrontMatter(file, text);
  if ("issues" in split) return split;
  return simpleFrontMatter(split);
}

/** The `yaml` package alone, whatever the shape of the front matter. */
export function parseYamlFrontMatter(file: string, text: string): Parsed {
  const split = splitFrontMatter(file, text);
  if ("issues" in split) return split;
  return yamlFrontMatter(file, split);
}

function splitFrontMatter(file: string, text: string): Split | { issues: ContentIssue[] } {
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
  return { text, yamlStart, yamlEnd: closeStart, bodyOffset };
}

/** Line 2, column 1: the first line of the front matter, where a message about a missing field points. */
const FRONT_MATTER_START = { line: 2, column: 1 } as const;

/** A field read by the direct reader: where its line, key and value stand in the text. */
interface SimpleField {
  line: number;
  lineStart: number;
  valueStart: number;
  /** End of the value as written (after a closing quote). */
  valueEnd: number;
  value: string;
}

/**
 * Anything but printable characters a plain or quoted scalar reads literally:
 * controls and tabs, Unicode spaces and line separators, the BOM, lone
 * surrogates and U+FFFE/U+FFFF. A front matter with one goes to the `yaml` package.
 */
const UNUSUAL = /[^\n\r\x20-\x7e\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff\u3001-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;
/** A CR that does not end a line, which the `yaml` package reads differently from a line break. */
const LONE_CR = /\r(?!\n)/;
/** Plain scalars (and keys) that the YAML 1.2 core schema reads as null or a boolean rather than text. */
const NOT_TEXT = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);
const MAX_KEY_LENGTH = 128;

const isLetter = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
const isKeyStart = (code: number) => isLetter(code) || code === 0x5f; // _
const isKeyPart = (code: number) => isKeyStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d; // 0-9 -

/**
 * Reads front matter of the simple shape ingest writes, without the `yaml`
 * package: a flat mapping, one `key: value` a line at column 0, each value a
 * one-line single-quoted scalar, a one-line double-quoted scalar without
 * escapes, or a plain scalar that starts with a letter and can only be text.
 * Returns null for anything else (comments, lists, flow or block values,
 * continuation lines, anchors, tags, numbers, dates, empty values, repeated
 * keys, tabs, unusual characters): the `yaml` package then reads it, with
 * its error messages. What it returns is what the `yaml` path returns.
 */
function simpleFrontMatter(split: Split): { file: FrontMatterFile } | null {
  const { text, yamlStart, yamlEnd, bodyOffset } = split;
  const yamlText = text.slice(yamlStart, yamlEnd);
  if (UNUSUAL.test(yamlText) || LONE_CR.test(yamlText)) return null;
  const data: Record<string, unknown> = {};
  const fields = new Map<string, SimpleField>();
  let line = 1;
  // yamlEnd is the start of the closing line, so every line of the YAML text ends with '\n' before it.
  for (let lineStart = yamlStart; lineStart < yamlEnd; line++) {
    const newline = text.indexOf("\n", lineStart);
    let end = newline;
    if (text.charCodeAt(end - 1) === 0x0d && end > lineStart) end--;
    if (end > lineStart) {
      const field = simpleField(text, lineStart, end, line);
      if (field === null) return null;
      const key = text.slice(lineStart, field.keyEnd);
      if (NOT_TEXT.has(key) || key === "__proto__" || fields.has(key)) return null;
      fields.set(key, field);
      data[key] = field.value;
    }
    lineStart = newline + 1;
  }
  if (fields.size === 0) return null;
  return {
    file: {
      data,
      body: text.slice(bodyOffset),
      bodyOffset,
      locate(name, options) {
        const field = name === undefined ? undefined : fields.get(name);
        if (!field) return { ...FRONT_MATTER_START };
        return { line: field.line, column: (options?.key ? field.lineStart : field.valueStart) - field.lineStart + 1 };
      },
      offsetOf(name) {
        const field = fields.get(name);
        if (!field || field.value === "") return null;
        const inner = text.slice(field.valueStart, field.valueEnd).indexOf(field.value);
        return inner === -1 ? null : field.valueStart + inner;
      },
    },
  };
}

/** One `key: value` line from start to end (its line break excluded), or null when it is not of the simple shape. */
function simpleField(text: string, start: number, end: number, line: number): (SimpleField & { keyEnd: number }) | null {
  if (!isKeyStart(text.charCodeAt(start))) return null;
  let i = start + 1;
  while (i < end && isKeyPart(text.charCodeAt(i))) i++;
  const keyEnd = i;
  if (keyEnd - start > MAX_KEY_LENGTH || text.charCodeAt(i) !== 0x3a || text.charCodeAt(i + 1) !== 0x20) return null; // ': '
  i += 2;
  while (i < end && text.charCodeAt(i) === 0x20) i++;
  if (i === end) return null; // an empty value is null
  const valueStart = i;
  const first = text.charCodeAt(i);
  let value: string;
  let valueEnd: number;
  if (first === 0x27) {
    // 'single-quoted', with '' for a quote
    let close = text.indexOf("'", i + 1);
    let escaped = false;
    while (close !== -1 && close < end && text.charCodeAt(close + 1) === 0x27) {
      escaped = true;
      close = text.indexOf("'", close + 2);
    }
    if (close === -1 || close >= end) return null;
    value = text.slice(valueStart + 1, close);
    if (escaped) value = value.replaceAll("''", "'");
    valueEnd = close + 1;
  } else if (first === 0x22) {
    // "double-quoted", without escapes
    const close = text.indexOf('"', i + 1);
    if (close === -1 || close >= end) return null;
    value = text.slice(valueStart + 1, close);
    if (value.includes("\\")) return null;
    valueEnd = close + 1;
  } else if (isLetter(first) || first > 0x7f) {
    // plain: ends at the last non-blank; ': ', a final ':' or ' #' would make it something else
    valueEnd = end;
    while (text.charCodeAt(valueEnd - 1) === 0x20) valueEnd--;
    value = text.slice(valueStart, valueEnd);
    if (value.endsWith(":") || value.includes(": ") || value.includes(" #") || NOT_TEXT.has(value)) return null;
    if (first > 0x7f && !/^\p{L}/u.test(value)) return null;
    return { keyEnd, line, lineStart: start, valueStart, valueEnd, value };
  } else return null;
  // After a closing quote, only blanks.
  for (let j = valueEnd; j < end; j++) if (text.charCodeAt(j) !== 0x20) return null;
  return { keyEnd, line, lineStart: start, valueStart, valueEnd, value };
}

function yamlFrontMatter(file: string, split: Split): Parsed {
  const { text, yamlStart, bodyOffset } = split;
  const yamlText = text.slice(yamlStart, split.yamlEnd);
  const { isMap, isScalar, LineCounter, parseDocument } = yamlPackage();
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
  const contents = document.contents;
  if (contents != null && !isMap(contents)) {
    const at = contents.range ? position(contents.range[0]) : { ...FRONT_MATTER_START };
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
        return node?.range ? position(node.range[0]) : { ...FRONT_MATTER_START };
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
