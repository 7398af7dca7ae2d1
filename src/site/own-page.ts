import { createHash } from "node:crypto";
import type { Article } from "../content/article.js";
import { votedNameAndType, type EntityVotes } from "../index/archive-index.js";
import type { ArticleAnalysis } from "../nlp/extract.js";
import { mentionFacts } from "../nlp/packed-entity.js";
import type { BodyLink } from "../render/plain-markdown.js";
import { mentionContext } from "./context.js";

/**
 * What an edit can leave alone. Every output but an article's own page and the search index reads an
 * article through a few things only: its front matter, its summary, its entities and topics as the index
 * tallies them, each entity's first mention in the body (where its page finds the sentence it shows, and
 * which of two entities the archive knows as one is named first), and how many times it names each entity
 * (which weighs on the entity's name and type across the archive: see countsHold). An edit that changes
 * none but the last (a typo fixed, a sentence added that names no one new) changes the article's own page
 * and its search bundle, and no other page unless it changes an entity's name or type: a build after it
 * need not index the archive or plan any other page (own-pages-edit.ts). The article's own page
 * shows the numbers too, in its JSON-LD (aboutFlags).
 *
 * The shown digest is a hash of all of those but the numbers of mentions. (`firsts`, here and below: the
 * article's firstBodyMentions, when the caller has them.)
 */
export function shownDigest(article: Article, analysis: ArticleAnalysis, firsts = firstBodyMentions(article, analysis)): string {
  const contexts = analysis.entities.map((_, e) => {
    if (firsts[2 * e]! < 0) return null;
    const context = mentionContext(article.body, firsts[2 * e]! - article.bodyOffset, firsts[2 * e + 1]! - article.bodyOffset);
    return `${context.before}\u0001${context.match}\u0001${context.after}`;
  });
  // The entities in the order of their first mentions in the body (the offsets themselves move with any edit above them).
  const order = analysis.entities.map((_, e) => e).filter((e) => firsts[2 * e]! >= 0);
  order.sort((a, b) => firsts[2 * a]! - firsts[2 * b]! || firsts[2 * a + 1]! - firsts[2 * b + 1]! || a - b);
  const shown = [
    article.title,
    article.date,
    article.updated,
    article.slug,
    article.url,
    article.source,
    article.sourceUrl,
    article.summary,
    article.overrides,
    analysis.topics,
    analysis.entities.map((entity, e) => [entity.key, entity.name, entity.type, entity.slug, entity.aliases, entity.acronyms, entity.registered, contexts[e]]),
    order,
  ];
  return createHash("sha256").update(JSON.stringify(shown)).digest("base64url").slice(0, 22);
}

/** Each entity's first mention in the body, two file offsets each (start, end), in the analysis' order; -1, -1 for none. */
export function firstBodyMentions(article: Pick<Article, "bodyOffset">, analysis: ArticleAnalysis): Int32Array {
  const firsts = new Int32Array(2 * analysis.entities.length);
  analysis.entities.forEach((entity, e) => {
    const { start, end } = mentionFacts(entity, article.bodyOffset);
    firsts[2 * e] = start;
    firsts[2 * e + 1] = end;
  });
  return firsts;
}

/** How many times the article names each of its entities, in the analysis' order (title included, as the index counts). */
export function mentionCounts(analysis: ArticleAnalysis): number[] {
  return analysis.entities.map((entity) => mentionFacts(entity, 0).count);
}

/**
 * Each body link's entity: the one whose first mention in the body it is. An edit that keeps the article's
 * shown digest keeps those entities and the order of their first mentions, so the same entities give its
 * links their new bounds (linksOfEntities).
 */
export function linkEntities(article: Pick<Article, "bodyOffset">, analysis: ArticleAnalysis, links: readonly BodyLink[], firsts = firstBodyMentions(article, analysis)): number[] {
  return links.map((link) => {
    for (let e = 0; 2 * e < firsts.length; e++) if (firsts[2 * e] === link.start + article.bodyOffset && firsts[2 * e + 1] === link.end + article.bodyOffset) return e;
    throw new Error(`internal error: a body link at ${link.start}-${link.end} is no entity's first mention in the body`);
  });
}

/** The links of the article's body after an edit, from the links before it and their entities (linkEntities). */
export function linksOfEntities(
  article: Pick<Article, "bodyOffset">,
  analysis: ArticleAnalysis,
  before: readonly BodyLink[],
  entities: readonly number[],
  firsts = firstBodyMentions(article, analysis),
): BodyLink[] {
  return before.map((link, i) => {
    const e = entities[i]!;
    if (2 * e >= firsts.length || firsts[2 * e]! < 0) throw new Error("internal error: a body link's entity is gone, although the article's shown digest is the same");
    return { ...link, start: firsts[2 * e]! - article.bodyOffset, end: firsts[2 * e + 1]! - article.bodyOffset };
  });
}

/** What a build records of an article's mentions with its page, for countsHold. */
export interface MentionTally {
  /** Per entity of the analysis: how many times the article names it, and the key of the archive's entity it counts for. */
  counts: number[];
  keys: string[];
  /** Per entity the article's page shows, in its order: the archive entity's key. */
  shown: string[];
}

/**
 * For each entity the article's page shows, whether the article names it three times or more (its JSON-LD's
 * `about`), with these numbers of mentions: an entity the archive knows as one counts all its article entities.
 */
export function aboutFlags(tally: MentionTally, counts: readonly number[]): boolean[] {
  const totals = new Map<string, number>();
  tally.keys.forEach((key, e) => totals.set(key, (totals.get(key) ?? 0) + counts[e]!));
  return tally.shown.map((key) => (totals.get(key) ?? 0) >= 3);
}

/**
 * Whether an article whose shown digest is unchanged, now naming its entities `counts` times, leaves every
 * entity the name and the type its votes give it (each article entity votes for its name and type with its
 * number of mentions, at least one). Returns the votes of the entities whose votes changed (to be kept for
 * the next build), or null when an entity would be named or typed differently.
 */
export function countsHold(before: MentionTally, counts: readonly number[], analysis: ArticleAnalysis, votes: Readonly<Record<string, EntityVotes | null>>): Map<string, EntityVotes> | null {
  const changed = new Map<string, EntityVotes>();
  for (let e = 0; e < counts.length; e++) {
    const delta = Math.max(1, counts[e]!) - Math.max(1, before.counts[e]!);
    if (delta === 0) continue;
    const key = before.keys[e]!;
    const known = votes[key];
    if (known === null) continue;
    if (known === undefined) return null;
    const updated = changed.get(key) ?? { names: known.names.map((name) => [...name]), types: known.types.map((type) => [...type]) };
    const name = updated.names.find(([form]) => form === analysis.entities[e]!.name);
    const type = updated.types.find(([kind]) => kind === analysis.entities[e]!.type);
    if (!name || !type) return null;
    name[1] += delta;
    type[1] += delta;
    changed.set(key, updated);
  }
  for (const [key, updated] of changed) {
    const then = votedNameAndType(votes[key]!);
    const next = votedNameAndType(updated);
    if (then.name !== next.name || then.type !== next.type) return null;
  }
  return changed;
}
