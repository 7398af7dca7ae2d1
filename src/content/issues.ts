/** A problem in the archive that an editor can fix, located to the character. */
export interface ContentIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** `path:line:col: message`, the form design.md fixes and editors' tools (and terminals) link. */
export function formatIssue(issue: ContentIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** Thrown by a stage that found content problems; carries every problem found, not just the first. */
export class ContentError extends Error {
  readonly issues: ContentIssue[];
  constructor(issues: ContentIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ContentError";
    this.issues = issues;
  }
}

/** 1-based line and column of a UTF-16 offset in a text. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
