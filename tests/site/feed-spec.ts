// Spec checks for the site's feeds: Atom (RFC 4287) and JSON Feed 1.1.
// Each returns a list of problems, empty when the document conforms.
import { DOMParser, type Element as XmlElement } from "@xmldom/xmldom";

export const ATOM_NS = "http://www.w3.org/2005/Atom";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses XML strictly: any well-formedness error throws. */
export function parseXml(text: string): Document {
  const problems: string[] = [];
  let document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") problems.push(message);
      },
    }).parseFromString(text, "application/xml");
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0 || !document) throw new Error(`not well-formed XML: ${problems.join("; ")}`);
  return document as unknown as Document;
}

function children(parent: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as XmlElement).namespaceURI === ATOM_NS && (node as XmlElement).localName === name) found.push(node as XmlElement);
  }
  return found;
}

function isAbsoluteIri(text: string): boolean {
  try {
    return new URL(text).protocol.length > 0;
  } catch {
    return false;
  }
}

/** RFC 4287's required elements and cardinalities, plus a self link (section 4.2.7.2's SHOULD, which this site keeps). */
export function atomProblems(xml: string): string[] {
  const problems: string[] = [];
  const root = parseXml(xml).documentElement as unknown as XmlElement;
  if (root.namespaceURI !== ATOM_NS || root.localName !== "feed") return [`root is {${root.namespaceURI}}${root.localName}, not atom:feed`];

  const exactlyOne = (parent: XmlElement, name: string, where: string): XmlElement | null => {
    const found = children(parent, name);
    if (found.length !== 1) problems.push(`${where}: ${found.length} atom:${name} elements (must be exactly 1)`);
    return found[0] ?? null;
  };
  const atMostOne = (parent: XmlElement, name: string, where: string) => {
    const found = children(parent, name);
    if (found.length > 1) problems.push(`${where}: ${found.length} atom:${name} elements (at most 1)`);
  };
  const checkId = (id: XmlElement | null, where: string) => {
    if (id && !isAbsoluteIri(id.textContent ?? "")) problems.push(`${where}: atom:id '${id.textContent}' is not an absolute IRI`);
  };
  const checkDate = (element: XmlElement | null, where: string) => {
    if (element && !RFC3339.test(element.textContent ?? "")) problems.push(`${where}: '${element.textContent}' is not an RFC 3339 date-time`);
  };
  const checkText = (element: XmlElement | null, where: string) => {
    if (element && (element.textContent ?? "").trim() === "") problems.push(`${where}: empty ${element.localName}`);
    const type = element?.getAttribute("type");
    if (type && !["text", "html", "xhtml"].includes(type)) problems.push(`${where}: text construct type '${type}'`);
  };
  const checkLinks = (parent: XmlElement, where: string) => {
    const alternates = new Set<string>();
    for (const link of children(parent, "link")) {
      if (!link.getAttribute("href")) problems.push(`${where}: atom:link without href`);
      const rel = link.getAttribute("rel") ?? "alternate";
      if (rel === "alternate") {
        const key = `${link.getAttribute("type") ?? ""}|${link.getAttribute("hreflang") ?? ""}`;
        if (alternates.has(key)) problems.push(`${where}: two alternate links with the same type and hreflang`);
        alternates.add(key);
      }
    }
  };
  const hasAuthor = (parent: XmlElement) => children(parent, "author").every((author) => children(author, "name").length === 1) && children(parent, "author").length > 0;

  checkId(exactlyOne(root, "id", "feed"), "feed");
  checkText(exactlyOne(root, "title", "feed"), "feed");
  checkDate(exactlyOne(root, "updated", "feed"), "feed updated");
  atMostOne(root, "subtitle", "feed");
  atMostOne(root, "generator", "feed");
  checkLinks(root, "feed");
  const self = children(root, "link").filter((link) => link.getAttribute("rel") === "self");
  if (self.length !== 1) problems.push(`feed: ${self.length} self links (want 1)`);
  else if (!isAbsoluteIri(self[0]!.getAttribute("href") ?? "")) problems.push("feed: self link is not absolute");
  const feedAuthor = hasAuthor(root);

  const ids = new Set<string>();
  children(root, "entry").forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const id = exactlyOne(entry, "id", where);
    checkId(id, where);
    if (id) {
      if (ids.has(id.textContent ?? "")) problems.push(`${where}: duplicate atom:id ${id.textContent}`);
      ids.add(id.textContent ?? "");
    }
    checkText(exactlyOne(entry, "title", where), where);
    checkDate(exactlyOne(entry, "updated", where), `${where} updated`);
    atMostOne(entry, "published", where);
    checkDate(children(entry, "published")[0] ?? null, `${where} published`);
    atMostOne(entry, "summary", where);
    atMostOne(entry, "content", where);
    checkLinks(entry, where);
    if (!feedAuthor && !hasAuthor(entry)) problems.push(`${where}: no atom:author, and the feed has none`);
    const alternate = children(entry, "link").some((link) => (link.getAttribute("rel") ?? "alternate") === "alternate");
    if (children(entry, "content").length === 0 && !alternate) problems.push(`${where}: neither atom:content nor an alternate link`);
  });
  return problems;
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): required fields and their types. */
export function jsonFeedProblems(feed: unknown): string[] {
  const problems: string[] = [];
  if (typeof feed !== "object" || feed === null || Array.isArray(feed)) return ["the feed is not a JSON object"];
  const f = feed as Record<string, unknown>;
  const url = (value: unknown, where: string) => {
    if (value !== undefined && (typeof value !== "string" || !isAbsoluteIri(value))) problems.push(`${where} is not an absolute URL`);
  };
  const authors = (value: unknown, where: string) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) return problems.push(`${where}.authors is not an array`);
    value.forEach((author: unknown, i) => {
      const a = author as Record<string, unknown>;
      if (typeof a !== "object" || a === null || !["name", "url", "avatar"].some((key) => typeof a[key] === "string")) problems.push(`${where}.authors[${i}] has none of name, url, avatar`);
      url(a?.url, `${where}.authors[${i}].url`);
    });
  };
  if (f.version !== "https://jsonfeed.org/version/1.1") problems.push(`version is ${JSON.stringify(f.version)}`);
  if (typeof f.title !== "string" || f.title === "") problems.push("title is missing");
  url(f.home_page_url, "home_page_url");
  url(f.feed_url, "feed_url");
  if (f.author !== undefined) problems.push("'author' is deprecated in 1.1; use 'authors'");
  authors(f.authors, "feed");
  if (!Array.isArray(f.items)) return [...problems, "items is not an array"];
  const ids = new Set<string>();
  f.items.forEach((item: unknown, i) => {
    const where = `items[${i}]`;
    const it = item as Record<string, unknown>;
    if (typeof it !== "object" || it === null) return problems.push(`${where} is not an object`);
    if (typeof it.id !== "string" || it.id === "") problems.push(`${where}.id is missing`);
    else if (ids.has(it.id)) problems.push(`${where}.id ${it.id} repeats`);
    else ids.add(it.id);
    if (typeof it.content_html !== "string" && typeof it.content_text !== "string") problems.push(`${where} has neither content_html nor content_text`);
    url(it.url, `${where}.url`);
    url(it.external_url, `${where}.external_url`);
    for (const key of ["date_published", "date_modified"]) {
      if (it[key] !== undefined && (typeof it[key] !== "string" || !RFC3339.test(it[key]))) problems.push(`${where}.${key} is not RFC 3339`);
    }
    for (const key of ["title", "summary"]) if (it[key] !== undefined && typeof it[key] !== "string") problems.push(`${where}.${key} is not a string`);
    if (it.tags !== undefined && (!Array.isArray(it.tags) || it.tags.some((tag) => typeof tag !== "string"))) problems.push(`${where}.tags is not a list of strings`);
    authors(it.authors, where);
  });
  return problems;
}
