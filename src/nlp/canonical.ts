import type { RegistryEntity } from "../content/registry.js";
import { entityKey, entitySlug, trimName } from "./names.js";
import type { EntityType, TaggedSpan } from "./types.js";

/** One place in the text where an entity is named; offsets are UTF-16 units into the text tagged. */
export interface Mention {
  text: string;
  start: number;
  end: number;
}

/** An entity of one article: all its mentions merged under one canonical name. */
export interface ArticleEntity {
  /** Identity across the archive (see entityKey). */
  key: string;
  name: string;
  type: EntityType;
  /** Its page's slug: the registry's, else entitySlug(key) (which the index relies on, not computing it again). */
  slug: string;
  /** Other names this article uses for it, in order of first use. */
  aliases: string[];
  mentions: Mention[];
  /** Acronyms the article defines for it ("Tehreek-e-Taliban Pakistan (TTP)"), which hold archive-wide. */
  acronyms: string[];
  /** Set when the entity is a curated registry entry. */
  registered: boolean;
}

/** The registry as lookups: every name and alias key to its entry, and a matcher for their surfaces. */
export interface RegistryIndex {
  byKey: Map<string, RegistryEntity>;
  /** Finds registry names and aliases in a text, longest first, on word boundaries. */
  pattern: RegExp | null;
}

export function indexRegistry(registry: RegistryEntity[]): RegistryIndex {
  const byKey = new Map<string, RegistryEntity>();
  const surfaces = new Set<string>();
  for (const entity of registry) {
    for (const name of [entity.name, ...entity.aliases]) {
      byKey.set(entityKey(name), entity);
      surfaces.add(name);
    }
  }
  const alternatives = [...surfaces].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return {
    byKey,
    pattern: alternatives.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "gu"),
  };
}

const CALENDAR_WORDS = new Set(
  "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december"
    .split(" "),
);

interface Group {
  key: string;
  mentions: TypedMention[];
  registry: RegistryEntity | null;
  acronyms: Set<string>;
}

/**
 * Merges tagged spans into the entities of one article:
 * - possessives and stray punctuation are trimmed ("Pakistan’s" is Pakistan);
 * - case and punctuation variants are one entity (entityKey);
 * - a registry entry claims its name and every alias, and its names are
 *   found even where the tagger missed them;
 * - an acronym defined in parentheses after a name joins that name;
 * - a lone surname or given name joins the full personal name it belongs to.
 */
export function canonicalise(text: string, spans: TaggedSpan[], registry: RegistryIndex): ArticleEntity[] {
  const mentions = cleanMentions(text, spans, registry);
  const groups = new Map<string, Group>();
  const aliasOf = new Map<string, string>();
  const resolve = (key: string) => aliasOf.get(key) ?? key;

  for (const mention of mentions) {
    const key = mention.key;
    const entry = registry.byKey.get(key) ?? null;
    const groupKey = entry ? entityKey(entry.name) : key;
    let group = groups.get(groupKey);
    if (!group) groups.set(groupKey, (group = { key: groupKey, mentions: [], registry: entry, acronyms: new Set() }));
    group.mentions.push(mention);
  }

  // Acronyms defined in the text: "Long Name (LN)" or "LN (Long Name)".
  for (const [index, mention] of mentions.entries()) {
    const next = mentions[index + 1];
    if (!next || !/^\s*\($/.test(text.slice(mention.end, next.start)) || text[next.end] !== ")") continue;
    const [long, short] = isAcronym(next.text) ? [mention, next] : isAcronym(mention.text) ? [next, mention] : [null, null];
    if (!long || !short || !acronymFits(short.text, long.text)) continue;
    const longKey = resolve(groupKeyOf(long.key, registry));
    const shortKey = groupKeyOf(short.key, registry);
    if (registry.byKey.has(short.key) || shortKey === longKey) continue;
    aliasOf.set(shortKey, longKey);
    groups.get(longKey)?.acronyms.add(short.text);
  }

  // Surnames and given names: "Sadiq" after "Mohammad Sadiq". People are found by their first and last word.
  const peopleByName = new Map<string, Group[]>();
  for (const group of groups.values()) {
    if (group.registry || !group.key.includes(" ") || dominantType(group) !== "person") continue;
    const parts = group.key.split(" ");
    for (const part of new Set([parts[0]!, parts[parts.length - 1]!])) peopleByName.set(part, [...(peopleByName.get(part) ?? []), group]);
  }
  for (const group of groups.values()) {
    if (group.key.includes(" ") || group.registry || aliasOf.has(group.key)) continue;
    const owners = peopleByName.get(group.key);
    if (!owners) continue;
    const firstUse = group.mentions[0]!.start;
    const owner = owners.reduce((best, person) => (nearestBefore(person, firstUse) > nearestBefore(best, firstUse) ? person : best));
    aliasOf.set(group.key, owner.key);
  }

  // Fold aliased groups into their owners.
  for (const [from, to] of aliasOf) {
    const source = groups.get(from);
    const target = groups.get(to);
    if (!source || !target || source === target) continue;
    target.mentions.push(...source.mentions);
    groups.delete(from);
  }

  return [...groups.values()].map(toEntity).sort((a, b) => a.mentions[0]!.start - b.mentions[0]!.start);
}

/** The key of the group a mention with this key joins (a registry entry's own name's key). */
function groupKeyOf(key: string, registry: RegistryIndex): string {
  const entry = registry.byKey.get(key);
  return entry ? entityKey(entry.name) : key;
}

/** A mention with its tagged type and its name's key (worked out once, read at every step). */
type TypedMention = Mention & { type: EntityType; key: string };

function cleanMentions(text: string, spans: TaggedSpan[], registry: RegistryIndex): TypedMention[] {
  let cleaned: TypedMention[] = [];
  for (const span of spans) {
    const raw = text.slice(span.start, span.end);
    const trimmed = trimName(raw);
    if (!/\p{L}/u.test(trimmed.text)) continue;
    const key = entityKey(trimmed.text);
    if (CALENDAR_WORDS.has(key)) continue;
    const start = span.start + trimmed.startTrim;
    cleaned.push({ text: trimmed.text, start, end: start + trimmed.text.length, type: span.type, key });
  }
  cleaned.sort((a, b) => a.start - b.start);
  // An acronym's definition wins over partial spans inside it ("Taliban" in "Tehreek-e-Taliban Pakistan").
  cleaned = overlay(cleaned, acronymDefinitions(text, cleaned), () => true);
  if (registry.pattern) {
    // Registry names the tagger missed (or cut short) are mentions too; a longer tagged name stays.
    const found: TypedMention[] = [];
    for (const match of text.matchAll(registry.pattern)) {
      const key = entityKey(match[0]);
      found.push({ text: match[0], start: match.index, end: match.index + match[0].length, type: registry.byKey.get(key)!.type, key });
    }
    cleaned = overlay(cleaned, found, (addition, covered) => covered.every((m) => m.end - m.start < addition.end - addition.start));
  }
  return cleaned;
}

/**
 * Lays additions over sorted, non-overlapping mentions in one sweep: an
 * addition that `wins` over the mentions it overlaps replaces them; one that
 * does not is dropped. An exact match keeps the existing mention.
 */
function overlay(mentions: TypedMention[], additions: TypedMention[], wins: (addition: TypedMention, covered: TypedMention[]) => boolean): TypedMention[] {
  if (additions.length === 0) return mentions;
  const sorted = [...additions].sort((a, b) => a.start - b.start);
  const dropped = new Set<TypedMention>();
  const kept: TypedMention[] = [];
  let from = 0;
  let lastEnd = -1;
  for (const addition of sorted) {
    if (addition.start < lastEnd) continue;
    while (from < mentions.length && mentions[from]!.end <= addition.start) from++;
    const covered: TypedMention[] = [];
    for (let i = from; i < mentions.length && mentions[i]!.start < addition.end; i++) covered.push(mentions[i]!);
    if (covered.some((m) => m.start === addition.start && m.end === addition.end)) continue;
    if (!wins(addition, covered)) continue;
    for (const m of covered) dropped.add(m);
    kept.push(addition);
    lastEnd = addition.end;
  }
  return [...mentions.filter((m) => !dropped.has(m)), ...kept].sort((a, b) => a.start - b.start);
}

const PARENTHESISED_ACRONYM = /\(([\p{Lu}][\p{Lu}\p{N}&-]{1,9})\)/gu;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/**
 * "the Tehreek-e-Taliban Pakistan (TTP)": when the words just before a
 * parenthesised acronym spell it, both are mentions, even where the tagger
 * missed one of them; the shortest such run of capitalised words is the name.
 * `mentions` are sorted; the definitions come back as mentions to lay over them.
 */
function acronymDefinitions(text: string, mentions: TypedMention[]): TypedMention[] {
  const definitions: TypedMention[] = [];
  for (const match of text.matchAll(PARENTHESISED_ACRONYM)) {
    const acronym = match[1]!;
    if (!isAcronym(acronym)) continue;
    const open = match.index;
    const windowStart = Math.max(0, open - 120);
    const words = [...text.slice(windowStart, open).matchAll(WORD)].map((w) => ({ text: w[0], start: windowStart + w.index }));
    if (words.length === 0 || /\S/.test(text.slice(words[words.length - 1]!.start + words[words.length - 1]!.text.length, open))) continue;
    for (let k = 1; k <= Math.min(8, words.length); k++) {
      const first = words[words.length - k]!;
      const last = words[words.length - 1]!;
      const candidate = text.slice(first.start, last.start + last.text.length);
      if (!/^\p{Lu}/u.test(first.text) || /[.!?;:]/.test(candidate)) continue;
      if (first.text[0]!.toLowerCase() !== acronym[0]!.toLowerCase() || !acronymFits(acronym, candidate)) continue;
      const long = { start: first.start, end: first.start + candidate.length };
      const short = { start: open + 1, end: open + 1 + acronym.length };
      const type = mentionAt(mentions, short.start)?.type ?? mentionAt(mentions, long.start)?.type ?? "organization";
      for (const span of [long, short]) {
        const surface = text.slice(span.start, span.end);
        definitions.push({ text: surface, start: span.start, end: span.end, type, key: entityKey(surface) });
      }
      break;
    }
  }
  return definitions;
}

/** The mention covering an offset, by binary search over sorted, non-overlapping mentions. */
function mentionAt(mentions: TypedMention[], offset: number): TypedMention | undefined {
  let lo = 0;
  let hi = mentions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = mentions[mid]!;
    if (m.end <= offset) lo = mid + 1;
    else if (m.start > offset) hi = mid - 1;
    else return m;
  }
  return undefined;
}

function isAcronym(surface: string): boolean {
  return /^[\p{Lu}][\p{Lu}\p{N}&.-]{1,9}$/u.test(surface) && /\p{Lu}.*\p{Lu}/u.test(surface);
}

/** The acronym's letters are initials of the long name's words, in order (tolerating "of", "e", "and"). */
function acronymFits(acronym: string, long: string): boolean {
  const letters = acronym.replace(/[^\p{L}]/gu, "").toLowerCase();
  const initials = long.split(/[\s\-‐]+/).filter(Boolean).map((word) => word[0]!.toLowerCase()).join("");
  let i = 0;
  for (const ch of initials) if (ch === letters[i]) i++;
  return i === letters.length && letters.length >= 2;
}

/** Offset of the group's last mention before an offset (-1 when none): the nearest owner wins. */
function nearestBefore(group: Group, offset: number): number {
  let best = -1;
  for (const m of group.mentions) if (m.start < offset && m.start > best) best = m.start;
  return best;
}

function dominantType(group: Group): EntityType {
  if (group.registry) return group.registry.type;
  const votes = new Map<EntityType, number>();
  for (const m of group.mentions) votes.set(m.type, (votes.get(m.type) ?? 0) + 1);
  let best = group.mentions[0]!.type;
  for (const [type, count] of votes) if (count > votes.get(best)!) best = type;
  return best;
}

function isAllCaps(text: string): boolean {
  return /\p{Lu}/u.test(text) && !/\p{Ll}/u.test(text);
}

function toEntity(group: Group): ArticleEntity {
  group.mentions.sort((a, b) => a.start - b.start);
  let name: string;
  if (group.registry) name = group.registry.name;
  else {
    // The fullest form an editor would write: longest, not shouting, first used.
    const candidates = group.mentions.filter((m) => m.key === group.key);
    const pool = (candidates.length ? candidates : group.mentions).filter((m) => !isAllCaps(m.text) || group.key.length <= 5);
    const from = pool.length ? pool : group.mentions;
    name = from.reduce((best, m) => (m.text.length > best.text.length ? m : best)).text;
  }
  const nameKey = entityKey(name);
  const aliases: string[] = [];
  const seen = new Set([nameKey]);
  for (const m of group.mentions) {
    const k = m.key;
    if (!seen.has(k)) {
      seen.add(k);
      aliases.push(m.text);
    }
  }
  return {
    key: group.key,
    name,
    type: dominantType(group),
    slug: group.registry?.slug ?? entitySlug(group.key),
    aliases,
    mentions: group.mentions.map(({ text, start, end }) => ({ text, start, end })),
    acronyms: [...group.acronyms],
    registered: group.registry !== null,
  };
}
