/**
 * URL slugs. Letters and digits of every script survive (a Chinese or Arabic
 * headline gets a real slug, as Hugo does, where Eleventy's slugify yields an
 * empty one); Latin accents are folded ("Zürich" -> "zurich"); every other run
 * of characters becomes one hyphen.
 */
const LATIN_WITH_MARKS = /([A-Za-z])[\u0300-\u036f]+/g;
// Marks that belong to a word in scripts such as Devanagari or Arabic stay.
const WORD_MARKS = /\p{M}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function slugify(text: string, maxLength = 80): string {
  const folded = text
    .normalize("NFKD")
    .replace(LATIN_WITH_MARKS, "$1")
    .normalize("NFC")
    .toLowerCase()
    .replace(/['’ʼ]/g, "");
  let slug = "";
  let pendingHyphen = false;
  for (const ch of folded) {
    if (LETTER_OR_DIGIT.test(ch) || (WORD_MARKS.test(ch) && slug !== "")) {
      if (pendingHyphen && slug !== "") slug += "-";
      pendingHyphen = false;
      slug += ch;
    } else {
      pendingHyphen = true;
    }
  }
  return truncateAtHyphen(slug, maxLength);
}

function truncateAtHyphen(slug: string, maxLength: number): string {
  const chars = [...slug];
  if (chars.length <= maxLength) return slug;
  const cut = chars.slice(0, maxLength).join("");
  const lastHyphen = cut.lastIndexOf("-");
  return lastHyphen > maxLength / 2 ? cut.slice(0, lastHyphen) : cut;
}

const VALID_SLUG = /^[\p{L}\p{N}\p{M}]+(?:-[\p{L}\p{N}\p{M}]+)*$/u;

/** A slug as an editor may write one in front matter: one path segment, no dots, no slashes. */
export function isValidSlug(slug: string): boolean {
  return VALID_SLUG.test(slug);
}
