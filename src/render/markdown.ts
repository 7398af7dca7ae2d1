import type { Link, Parent, Root, RootContent, Text } from "mdast";
import remarkHtml from "remark-html";
import remarkParse from "remark-parse";
import { unified, type Processor } from "unified";
import { outputSafeText } from "../content/text.js";

/** A link to add over a stretch of the Markdown source (offsets into the body). */
export interface BodyLink {
  start: number;
  end: number;
  url: string;
  title?: string;
}

/**
 * Markdown to HTML with remark, keeping remark-html's safe defaults (raw HTML
 * and dangerous URLs are dropped). Bodies never pass through a template engine,
 * so "{{ }}" in an article is shown as written.
 */
export class MarkdownRenderer {
  private readonly parser = unified().use(remarkParse);
  private readonly printer: Processor<Root, Root, Root, Root, string> = unified().use(remarkParse).use(remarkHtml) as unknown as Processor<Root, Root, Root, Root, string>;

  render(markdown: string, links: BodyLink[] = []): string {
    const tree = this.parser.parse(markdown);
    if (links.length > 0) addLinks(tree, links);
    // Control characters and noncharacters pasted into a body would make the page malformed HTML (issue 7).
    return outputSafeText(String(this.printer.stringify(this.printer.runSync(tree))));
  }
}

/** Wraps each link's stretch of text in a link node, where it lies inside one text node outside any link. */
function addLinks(tree: Root, links: BodyLink[]): void {
  const pending = [...links].sort((a, b) => a.start - b.start);
  const visit = (parent: Parent) => {
    for (let i = 0; i < parent.children.length && pending.length > 0; i++) {
      const node = parent.children[i] as RootContent;
      if (node.type === "link" || node.type === "linkReference" || node.type === "code" || node.type === "inlineCode" || node.type === "html") continue;
      if (node.type === "text") {
        const replaced = splitText(node, pending);
        if (replaced) {
          parent.children.splice(i, 1, ...(replaced as RootContent[]));
          i += replaced.length - 1;
        }
        continue;
      }
      if ("children" in node) visit(node as Parent);
    }
  };
  visit(tree);
}

function splitText(node: Text, pending: BodyLink[]): (Text | Link)[] | null {
  const from = node.position?.start.offset;
  const to = node.position?.end.offset;
  // Escapes and character references make a value differ from its source; only aligned text is linked.
  if (from === undefined || to === undefined || to - from !== node.value.length) return null;
  const out: (Text | Link)[] = [];
  let cursor = 0;
  while (pending.length > 0 && pending[0]!.start < to) {
    const link = pending.shift()!;
    // A link that began in an earlier node, or runs past this one, cannot be placed.
    if (link.start < from + cursor || link.end > to) continue;
    const start = link.start - from;
    const end = link.end - from;
    if (start > cursor) out.push({ type: "text", value: node.value.slice(cursor, start) });
    out.push({ type: "link", url: link.url, title: link.title ?? null, children: [{ type: "text", value: node.value.slice(start, end) }] });
    cursor = end;
  }
  if (out.length === 0) return null;
  if (cursor < node.value.length) out.push({ type: "text", value: node.value.slice(cursor) });
  return out;
}
