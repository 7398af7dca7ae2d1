/** Characters escapeXml drops or replaces; most strings have none and are returned as they are. */
const XML_SPECIAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff&<>"']/;
const XML_SPECIAL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff&<>"']/g;
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML and XML element content and attribute values. */
export function escapeXml(text: string): string {
  // One pass: each character is dropped or replaced on its own, so the order of the replacements does not matter.
  return XML_SPECIAL.test(text) ? text.replace(XML_SPECIAL_ALL, (char) => XML_ENTITIES[char] ?? "") : text;
}

const SCRIPT_SPECIAL = /[<>&\u2028\u2029]/;
const SCRIPT_SPECIAL_ALL = /[<>&\u2028\u2029]/g;
const SCRIPT_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/**
 * JSON text made safe inside an HTML <script> block: no "</script>", no "<!--", and no U+2028/2029 (which
 * end a line in older JavaScript). Each character is replaced on its own, so JSON built from pieces made
 * safe apart is the same as the whole made safe at once.
 */
export function scriptSafe(json: string): string {
  return SCRIPT_SPECIAL.test(json) ? json.replace(SCRIPT_SPECIAL_ALL, (char) => SCRIPT_ESCAPES[char]!) : json;
}
