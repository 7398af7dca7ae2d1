import { createHash } from "node:crypto";
import { slugify } from "../content/slug.js";

/**
 * The identity of a name across the archive: case, accents, apostrophes,
 * dots, hyphens and spacing do not matter ("TEHREEK-E-TALIBAN Pakistan",
 * "Tehreek e Taliban Pakistan" and "U.S."/"US" each compare equal), while
 * other symbols do ("C++" is not "C").
 */
export function entityKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/([A-Za-z])[\u0300-\u036f]+/g, "$1")
    .normalize("NFKC")
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
