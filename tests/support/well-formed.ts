import { DOMParser } from "@xmldom/xmldom";
import { parse, parseFragment, type DefaultTreeAdapterMap } from "parse5";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

/** Parse errors of a whole HTML document, by the WHATWG parser (parse5): [] when it is well-formed. */
export function htmlErrors(html: string, fragment = false): string[] {
  const errors: string[] = [];
  const options = { sourceCodeLocationInfo: false, onParseError: (e: { code: string; startLine: number; startCol: number }) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) };
  if (fragment) parseFragment(html, options);
  else parse(html, options);
  return errors;
}

export function elements(html: string, fragment = false): Element[] {
  const root = fragment ? parseFragment(html) : parse(html);
  const out: Element[] = [];
  const walk = (node: Node) => {
    if ("tagName" in node) out.push(node);
    const children = "content" in node && node.nodeName === "template" ? (node as { content: { childNodes: Node[] } }).content.childNodes : "childNodes" in node ? node.childNodes : [];
    for (const child of children) walk(child as Node);
  };
  walk(root as unknown as Node);
  return out;
}

export const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

export function textOf(el: Element): string {
  let text = "";
  const walk = (node: Node) => {
    if (node.nodeName === "#text") text += (node as { value: string }).value;
    if ("childNodes" in node) for (const child of node.childNodes) walk(child as Node);
  };
  walk(el as unknown as Node);
  return text;
}

const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "srcset", "cite"]);

/**
 * What would run in a browser: script elements (other than JSON data blocks
 * and the site's own script files), event-handler attributes, and javascript:,
 * vbscript: or data: URLs in any URL attribute (after the browser's own
 * decoding: entities, whitespace and control characters stripped).
 */
export function activeContent(html: string, fragment = false, allowedScriptSrc: (src: string) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const el of elements(html, fragment)) {
    if (el.tagName === "script") {
      const type = attr(el, "type");
      const src = attr(el, "src");
      if (type === "application/ld+json" || type === "application/json") continue;
      if (src !== undefined && allowedScriptSrc(src) && textOf(el).trim() === "") continue;
      found.push(`<script${src ? ` src=${src}` : ""}> ${textOf(el).slice(0, 60)}`);
    }
    if (["iframe", "object", "embed", "frame", "base"].includes(el.tagName)) found.push(`<${el.tagName}>`);
    for (const a of el.attrs) {
      if (/^on/i.test(a.name)) found.push(`<${el.tagName} ${a.name}="${a.value}">`);
      if (URL_ATTRIBUTES.has(a.name.toLowerCase())) {
        const url = a.value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
        if (/^(javascript|vbscript|data):/.test(url)) found.push(`<${el.tagName} ${a.name}="${a.value}">`);
      }
      if (el.tagName === "meta" && attr(el, "http-equiv")?.toLowerCase() === "refresh") found.push("<meta http-equiv=refresh>");
    }
  }
  return found;
}

/** Errors of a strict XML parse (xmldom reports every warning and error): [] when well-formed. */
export function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(xml, "application/xml");
  return errors;
}

export function parseXml(xml: string) {
  return new DOMParser({ onError: (level, message) => {
    throw new Error(`${level}: ${message}`);
  } }).parseFromString(xml, "application/xml");
}
