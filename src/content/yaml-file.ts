import type { Node, YAMLMap } from "yaml";
import { yamlPackage } from "./yaml-package.js";
import type { ContentIssue } from "./issues.js";
import { outputSafeText } from "./text.js";

/** A YAML file parsed with positions, so validators can point at the item and field at fault. */
export interface YamlFile {
  value: unknown;
  /** Position of the node at a path of keys and indexes, or of the nearest parent that exists. */
  locate(path: (string | number)[]): { line: number; column: number };
}

export function parseYamlFile(file: string, text: string): { yaml: YamlFile } | { issues: ContentIssue[] } {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const document = parseDocument(text.replace(/^\ufeff/, ""), { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, message: `not valid YAML: ${error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}` };
      }),
    };
  }
  const position = (node: Node | null | undefined) => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { line, column: col };
  };
  return {
    yaml: {
      value: document.toJS({ maxAliasCount: 100 }),
      locate(path) {
        let node: Node | null | undefined = document.contents as Node | null;
        let found = node;
        for (const key of path) {
          if (typeof key === "number" && isSeq(node)) node = node.items[key] as Node | undefined;
          else if (typeof key === "string" && isMap(node)) node = ((node as YAMLMap).items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value ?? undefined) as Node | undefined;
          else node = undefined;
          if (!node) break;
          found = node;
        }
        return position(found);
      },
    },
  };
}

/** Reads optional typed fields out of one YAML mapping, recording an issue for each wrong one. */
export class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly at: (field?: string) => { line: number; column: number },
    private readonly file: string,
    private readonly issues: ContentIssue[],
    private readonly what: string,
  ) {}

  problem(field: string | undefined, message: string): void {
    this.issues.push({ file: this.file, ...this.at(field), message: `${this.what}: ${message}` });
  }

  string(field: string): string | null {
    const value = this.record[field];
    if (value === undefined || value === null) return null;
    if (typeof value === "string" || typeof value === "number") return outputSafeText(String(value)).trim();
    this.problem(field, `'${field}' must be text`);
    return null;
  }

  requiredString(field: string, example: string): string {
    const value = this.string(field);
    if (value === null || value === "") this.problem(field, `'${field}' is missing: add one, such as ${field}: ${example}`);
    return value ?? "";
  }

  stringList(field: string): string[] {
    const value = this.record[field];
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    if (items.every((item) => typeof item === "string" || typeof item === "number")) return items.map((item) => outputSafeText(String(item)).trim()).filter(Boolean);
    this.problem(field, `'${field}' must be a list of text, such as [one, two]`);
    return [];
  }

  boolean(field: string): boolean {
    const value = this.record[field];
    if (value === undefined || value === null) return false;
    if (typeof value === "boolean") return value;
    this.problem(field, `'${field}' must be true or false`);
    return false;
  }

  number(field: string, fallback: number, min: number): number {
    const value = this.record[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min) return value;
    this.problem(field, `'${field}' must be a whole number of at least ${min}`);
    return fallback;
  }
}

/** The items of a YAML list file (a file of comments only is an empty list). */
export function listItems(file: string, yaml: YamlFile, issues: ContentIssue[], example: string): Record<string, unknown>[] {
  if (yaml.value === null || yaml.value === undefined) return [];
  if (!Array.isArray(yaml.value)) {
    issues.push({ file, ...yaml.locate([]), message: `must be a YAML list, one item per line starting '- ', such as:\n  ${example}` });
    return [];
  }
  return yaml.value.flatMap((item, index) => {
    if (item !== null && typeof item === "object" && !Array.isArray(item)) return [item as Record<string, unknown>];
    issues.push({ file, ...yaml.locate([index]), message: `item ${index + 1} must be a mapping of fields, such as:\n  ${example}` });
    return [];
  });
}
