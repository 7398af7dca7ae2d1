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
