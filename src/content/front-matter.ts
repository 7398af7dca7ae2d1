import matter from "gray-matter";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { ContentIssue } from "./issues.js";

/** A Markdown file split into its front matter and body, with what is needed to point at a field. */
export interface FrontMatterFile {
  data: Record<string, unknown>;
  body: string;
  /** UTF-16 offset of the body in the text given. */
  bodyOffset: number;
  /** 1-based line and column where a field's value (or, failing that, the front matter) starts. */
  locate(field?: string): { line: number; column: number };
  /** UTF-16 offset of a string field's value in the text when it appears there verbatim. */
  offsetOf(field: string): number | null;
}

const BOM = "\ufeff";

/**
 * Splits and parses front matter with gray-matter, using the `yaml` package as
 * its engine so that every field keeps its source position.
 */
export function parseFrontMatter(file: string, text: string): { file: FrontMatterFile } | { issues: ContentIssue[] } {
  const bomLength = text.startsWith(BOM) ? 1 : 0;
  const source = text.slice(bomLength);
  if (!/^---\r?\n/.test(source)) {
    return {
      issues: [{ file, line: 1, column: 1, message: "no front matter: an article starts with a line '---', then YAML fields (title, date ...), then '---'" }],
    };
  }
  // gray-matter hands the engine everything after the opening '---' (its line break included),
  // so YAML positions are already the file's lines.
  const yamlStart = bomLength + 3;
  let document: Document.Parsed | undefined;
  const lineCounter = new LineCounter();
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source, {
      engines: {
        yaml: {
          parse: (yamlText: string): object => {
            document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
            if (document.errors.length > 0) throw document.errors[0];
            const value: unknown = document.toJS({ maxAliasCount: 100 });
            return (value ?? {}) as object;
          },
        },
      },
    });
  } catch (error) {
    return { issues: [yamlIssue(file, lineCounter, error)] };
  }
  const fmLine = 2;
  const toFilePosition = (offsetInYaml: number) => {
    const { line, col } = lineCounter.linePos(offsetInYaml);
    return { line, column: col };
  };
  const contents = document?.contents;
  if (contents != null && !isMap(contents)) {
    return {
      issues: [{ file, line: fmLine, column: 1, message: `front matter must be a mapping of fields (title: ..., date: ...), found ${describeYaml(document!.toJS())}` }],
    };
  }
  const items = contents?.items ?? [];
  const data = (parsed.data ?? {}) as Record<string, unknown>;
  const body = parsed.content;
  const bodyOffset = text.endsWith(body) ? text.length - body.length : text.indexOf(body);
  const valueNode = (field: string) => items.find((pair) => isScalar(pair.key) && pair.key.value === field);
  return {
    file: {
      data,
      body,
      bodyOffset,
      locate(field) {
        const pair = field === undefined ? undefined : valueNode(field);
        const node = (pair?.value ?? pair?.key) as { range?: [number, number, number] } | undefined;
        return node?.range ? toFilePosition(node.range[0]) : { line: fmLine, column: 1 };
      },
      offsetOf(field) {
        const pair = valueNode(field);
        const value = pair?.value;
        if (!isScalar(value) || typeof value.value !== "string" || !value.range) return null;
        const start = yamlStart + value.range[0];
        const raw = text.slice(start, yamlStart + value.range[1]);
        const inner = raw.indexOf(value.value);
        return inner === -1 ? null : start + inner;
      },
    },
  };
}

function yamlIssue(file: string, lineCounter: LineCounter, error: unknown): ContentIssue {
  const yamlError = error as { message?: string; pos?: [number, number] };
  const reason = (yamlError.message ?? String(error)).split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (yamlError.pos) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    return { file, line, column: col, message: `front matter is not valid YAML: ${reason}` };
  }
  return { file, line: 2, column: 1, message: `front matter is not valid YAML: ${reason}` };
}

function describeYaml(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the text ${JSON.stringify(value.slice(0, 40))}`;
  return String(value);
}
