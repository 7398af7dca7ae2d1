import type { Link, Parent, Root, RootContent, Text } from "mdast";
import remarkHtml from "remark-html";
import remarkParse from "remark-parse";
import { unified, type Processor } from "unified";
import { outputSafeText } from "../content/text.js";
import { placeLinks, renderPlainParagraphs, sortLinks, type BodyLink } from "./plain-markdown.js";

/**
 * Markdown to HTML with remark, keeping remark-html's safe defaults (raw HTML
 * and dangerous URLs are dropped). Bodies never pass through a template engine,
 * so "{{ }}" in an article is shown as written.
 *
 * Nearly every body is ingested prose: paragraphs of plain text whose only
 * syntax is backslash escapes. Those are printed directly by
 * `renderPlainParagraphs`, byte for byte as remark would print them, at a
 * small fraction of the cost; everything else goes through remark.
 */
export class MarkdownRenderer {
  private readonly parser = unified().use(remarkParse);
  private readonly printer: Processor<Root, Root, Root, Root, string> = unified().use(remarkParse).use(remarkHtml) as unknown as Processor<Root, Root, Root, Root, string>;

  render(markdown: string, links: BodyLink[] = []): string {
    return renderPlainParagraphs(markdown, links) ?? this.renderWithRemark(markdown, links);
  }

  /** The reference rendering, always through remark: `render` must give exactly this. */
  renderWithRemark(markdown: string, links: BodyLink[] = []): string {
    const tree = this.parser.parse(markdown);
    if (links.length > 0) addLinks(tree, links);
    // Control characters and noncharacters pasted into a body would make the page malformed HTML (issue 7).
    return outputSafeText(String(this.printer.stringify(this.printer.runSync(tree))));
  }
}

/** Wraps each link's stretch of text in a link node, where it lies inside one text node outside any link. */
function addLinks(tree: Root, links: BodyLink[]): void {
  const pending = sortLinks(links);
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
  if (from === undefined || to === undefined) return null;
  const pieces = placeLinks(from, to, node.value, pending);
  return pieces && pieces.map((piece): Text | Link => typeof piece === "string"
    ? { type: "text", value: piece }
    : { type: "link", url: piece.link.url, title: piece.link.title ?? null, children: [{ type: "text", value: piece.text }] });
}

