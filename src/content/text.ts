/**
 * Characters that no HTML or XML output may carry: C0 controls other than tab,
 * line feed and carriage return, DEL and the C1 controls, and the Unicode
 * noncharacters. Text pasted from other systems brings them along (ESC, BEL,
 * NEL, U+FFFE); a page that carries one is not well-formed HTML, a feed that
 * carries one is not XML at all.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]/g;
/** A UTF-16 surrogate without its other half (possible in JavaScript strings, never in UTF-8). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe for every output: forbidden characters removed, lone surrogates made U+FFFD. */
export function outputSafeText(text: string): string {
  return text.replace(FORBIDDEN, "").replace(LONE_SURROGATE, "\ufffd");
}
