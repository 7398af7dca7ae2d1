/**
 * Tokeniser for the entity tagger: splits text into word and punctuation
 * tokens with UTF-16 offsets into the original string, and groups them into
 * lines (one headline / paragraph a line in Gazette's raw input) and sentences.
 *
 * Conventions (close to CoNLL-2003's Reuters tokenisation):
 * - hyphenated and apostrophe words stay whole ("Tehreek-e-Taliban", "O'Neill");
 * - a possessive "'s" / "’s" is split off as its own token;
 * - abbreviations keep their period ("U.S.", "Corp.", "J.");
 * - URLs (bare or Markdown link targets) are one token, flagged `url`;
 * - every other non-space character is a token of its own.
 */

export interface Token {
  /** The text as written. */
  text: string;
  start: number;
  end: number;
  /** Index of the line (split on "\n") the token is on. */
  line: number;
  /** True for the first token of a sentence (line start, or after . ! ? and quotes). */
  sentStart: boolean;
  /** True for URL tokens: never part of a name. */
  url: boolean;
}

const ABBREVIATIONS = new Set(
  (
    "mr mrs ms dr st jr sr inc corp co ltd plc gen lt col sgt capt cpl rev prof gov sen rep mt ft vs no nos " +
    "jan feb mar apr jun jul aug sep sept oct nov dec messrs bros dept univ assn est ave blvd rd adm cmdr maj " +
    "pres supt det insp fr hon sgt gmbh ag sa nv bv pty cie"
  ).split(" "),
);

const isWordChar = (c: number): boolean => {
  // ASCII fast path
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return WORD_RE.test(String.fromCharCode(c));
};
const WORD_RE = /[\p{L}\p{M}\p{N}]/u;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x2009 || c === 0x200b || c === 0x202f || c === 0x3000 || c === 0x2002 || c === 0x2003 || c === 12 || c === 11;
/** Characters that may join two word parts inside one token. */
const isJoiner = (c: number): boolean =>
  c === 45 /* - */ || c === 0x2010 || c === 0x2011 || c === 39 /* ' */ || c === 0x2019 || c === 46 /* . */ || c === 38 /* & */;
const isApos = (c: number): boolean => c === 39 || c === 0x2019 || c === 0x2018 || c === 0x02bc;

const URL_RE = /(?:https?:\/\/|www\.)[^\s)\]>"]+/y;
const MAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = 0;
  let sentStart = true;
  const mayMail = text.includes("@");
  const push = (start: number, end: number, url = false): void => {
    const t = text.slice(start, end);
    tokens.push({ text: t, start, end, line, sentStart, url });
    sentStart = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10) {
        line++;
        sentStart = true;
      }
      i++;
      continue;
    }
    let m: RegExpExecArray | null = null;
    if (c === 104 /* h */ || c === 119 /* w */ || c === 72 || c === 87) {
      URL_RE.lastIndex = i;
      m = URL_RE.exec(text);
    }
    if (!m && mayMail && isWordChar(c)) {
      MAIL_RE.lastIndex = i;
      m = MAIL_RE.exec(text);
    }
    if (m) {
      let end = i + m[0].length;
      // trailing sentence punctuation is not part of the URL
      while (end > i + 1 && /[.,;:!?]/.test(text[end - 1] ?? "")) end--;
      push(i, end, true);
      i = end;
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      for (;;) {
        while (j < n && isWordChar(text.charCodeAt(j))) j++;
        if (j + 1 < n && isJoiner(text.charCodeAt(j)) && isWordChar(text.charCodeAt(j + 1))) {
          j += 2;
          continue;
        }
        break;
      }
      let end = j;
      // possessive 's split off (also for curly apostrophes)
      if (end - i >= 3 && isApos(text.charCodeAt(end - 2)) && (text.charCodeAt(end - 1) | 32) === 115 /* s */) {
        const base = text.slice(i, end - 2);
        // keep contractions such as "it's"? split anyway: same as CoNLL
        push(i, end - 2);
        void base;
        push(end - 2, end);
        i = end;
        continue;
      }
      // a trailing period belongs to abbreviations and initials
      if (end < n && text.charCodeAt(end) === 46) {
        const w = text.slice(i, end);
        const lw = w.toLowerCase();
        const isInitial = w.length === 1 && /\p{Lu}/u.test(w);
        const dotted = w.includes(".") && /^(?:\p{L}{1,3}\.)+\p{L}{1,3}$/u.test(w);
        const nextCode = end + 1 < n ? text.charCodeAt(end + 1) : 10;
        // "No." only before a number, other abbreviations anywhere
        if (isInitial || dotted || (ABBREVIATIONS.has(lw) && (lw !== "no" || nextCode === 32))) {
          end++;
        }
      }
      push(i, end);
      i = end;
      continue;
    }
    // possessive after a closing quote or punctuation ("Farmers' ") stays as punctuation
    push(i, i + 1);
    const ch = text[i];
    i++;
    if (ch === "." || ch === "!" || ch === "?") {
      sentStart = true;
    } else if (ch === ":" ) {
      // "Sadiq said: Pakistan ..." — not a sentence start; Markdown headings handled by line
    }
    // quotes and brackets directly after a sentence end keep the next token sentence-initial
    if (tokens.length >= 2 && /^["“”'‘’()\[\]*#_>\-–—]$/.test(ch ?? "") && tokens[tokens.length - 1]!.sentStart) {
      sentStart = true;
    }
  }
  return tokens;
}
