import { createHash } from "node:crypto";
import { slugify } from "../content/slug.js";

/** Memo sizes: a build's distinct names fit many times over; a full memo is emptied and starts again. */
const MEMO_MAX = 50_000;
const MEMO_NAME_MAX = 200;
const keys = new Map<string, string>();
const slugs = new Map<string, string>();
function remember(memo: Map<string, string>, from: string, to: string): void {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(from, to);
}

/**
 * The identity of a name across the archive: case, accents, apostrophes,
 * dots, hyphens and spacing do not matter ("TEHREEK-E-TALIBAN Pakistan",
 * "Tehreek e Taliban Pakistan" and "U.S."/"US" each compare equal), while
 * other symbols do ("C++" is not "C").
 */
export function entityKey(name: string): string {
  // Each mention's key is asked for several times over (cleaning, grouping, naming, exclusions): remembered.
  let key = keys.get(name);
  if (key === undefined) {
    key = computeKey(name);
    if (name.length <= MEMO_NAME_MAX) remember(keys, name, key);
  }
  return key;
}

const ASCII = /^[\x00-\x7f]*$/;

function computeKey(name: string): string {
  // ASCII text is its own NFKD and NFKC form, with no combining accent to strip.
  const folded = ASCII.test(name)
    ? name
    : name
        .normalize("NFKD")
        .replace(/([A-Za-z])[\u0300-\u036f]+/g, "$1")
        .normalize("NFKC");
  return folded
    .toLowerCase()
    .replace(/['’ʼ‘`.]/g, "")
    .replace(/[\s\-‐-―_/,;:]+/g, " ")
    .trim();
}

/**
 * A URL slug for an entity that two different entities never share: a key
 * made only of letters, digits and spaces owns its plain slug ("mohammad-sadiq");
 * any other key ("c++", "at&t") adds a short hash of itself, so that its URL does
 * not depend on which other entities exist and stays the same from build to build.
 */
export function entitySlug(key: string): string {
  let slug = slugs.get(key);
  if (slug === undefined) {
    slug = computeSlug(key);
    if (key.length <= MEMO_NAME_MAX) remember(slugs, key, slug);
  }
  return slug;
}

function computeSlug(key: string): string {
  const plain = slugify(key) || "entity";
  if (/^[\p{L}\p{N}\p{M} ]+$/u.test(key) && plain === slugify(key.replace(/ /g, "-"), Infinity)) return plain;
  return `${plain}-${createHash("sha1").update(key).digest("hex").slice(0, 6)}`;
}

/** Possessive and trailing punctuation off a name: "Pakistan’s" -> "Pakistan", "Reuters." -> "Reuters". */
export function trimName(text: string): { text: string; startTrim: number; endTrim: number } {
  let start = 0;
  let end = text.length;
  const lead = /^["'“‘(\[]+/.exec(text);
  if (lead) start = lead[0].length;
  let core = text.slice(start, end);
  for (;;) {
    const trail = /(?:['’ʼ]s|(?<=s)['’ʼ]|[\s"'”’),.;:!?\]]+)$/.exec(core);
    if (!trail || trail[0].length === core.length) break;
    // Keep a dot that belongs to an abbreviation ("U.S.", "Corp.").
    if (trail[0] === "." && /(?:^|[\s.])\p{Lu}\.$|\b(?:Corp|Inc|Ltd|Co|Jr|Sr|St)\.$/u.test(core)) break;
    core = core.slice(0, core.length - trail[0].length);
  }
  end = start + core.length;
  return { text: core, startTrim: start, endTrim: text.length - end };
}
