import { createHash } from "node:crypto";
import type { Article } from "../content/article.js";
import type { ArticleEntity } from "../nlp/canonical.js";
import type { ArticleAnalysis } from "../nlp/extract.js";
import { mentionBounds } from "../nlp/packed-entity.js";
import type { BodyLink } from "../render/markdown.js";
import { mentionContext } from "./context.js";

/**
 * What an edit can leave alone. Every output but an article's own page and the search index reads an
 * article through a few things only: its front matter, its summary, its entities and topics as the index
 * tallies them, the order of its mentions (which entity a merged entity's first mention belongs to, how
 * many each has, which are in the title), and the sentence around each entity's first mention in the body
 * (an entity page's context). An edit that changes none of them (a typo fixed, a sentence added that names
 * no one new) changes the article's own page and its search bundle, and nothing else: a build after it
 * need not index the archive or plan any other page (build.ts, `ownPagesEdit`).
 */
export function shownDigest(article: Article, analysis: ArticleAnalysis): string {
  const { entities } = analysis;
  const sequence = mentionSequence(analysis);
  // Each entity's first mention in the body: the first of its in the sequence past the title.
  const contexts: (string | null)[] = entities.map(() => null);
  for (let i = 0; i < sequence.length; i += 3) {
    const entity = sequence[i + 2]!;
    if (sequence[i]! < article.bodyOffset || contexts[entity] !== null) continue;
    const context = mentionContext(article.body, sequence[i]! - article.bodyOffset, sequence[i + 1]! - article.bodyOffset);
    contexts[entity] = `${context.before}\u0001${context.match}\u0001${context.after}`;
  }
  // The sequence without its offsets, which any edit above a mention moves: entity and place (title or body).
  const order = new Int32Array(sequence.length / 3);
  for (let i = 0; i < order.length; i++) order[i] = sequence[3 * i]! < article.bodyOffset ? -1 - sequence[3 * i + 2]! : sequence[3 * i + 2]!;
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
    entities.map((entity: ArticleEntity) => [entity.key, entity.name, entity.type, entity.slug, entity.aliases, entity.acronyms, entity.registered]),
    contexts,
  ];
  return createHash("sha256").update(JSON.stringify(shown)).update(order).digest("base64url").slice(0, 22);
}

/**
 * Every mention of the article's entities in file order, three numbers each: start, end (file offsets)
 * and the entity's place in the analysis. Ties go to the shorter mention, then the earlier entity.
 */
export function mentionSequence(analysis: ArticleAnalysis): number[] {
  const triples: [number, number, number][] = [];
  analysis.entities.forEach((entity, e) => {
    const bounds = mentionBounds(entity);
    for (let m = 0; m < bounds.length; m += 2) triples.push([bounds[m]!, bounds[m + 1]!, e]);
  });
  triples.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return triples.flat();
}

/**
 * Each body link's place in the mention sequence: an edit that keeps the article's shown digest keeps its
 * mentions in the same order, so the same places give its links their new bounds (linksAtRanks).
 */
export function linkRanks(article: Pick<Article, "bodyOffset">, sequence: readonly number[], links: readonly BodyLink[]): number[] {
  return links.map((link) => {
    for (let i = 0; i < sequence.length; i += 3) {
      if (sequence[i] === link.start + article.bodyOffset && sequence[i + 1] === link.end + article.bodyOffset) return i / 3;
    }
    throw new Error(`internal error: a body link at ${link.start}-${link.end} is no mention of the article's entities`);
  });
}

/** The links of the article's body after an edit, from the links before it and their places in the sequence. */
export function linksAtRanks(article: Pick<Article, "bodyOffset">, sequence: readonly number[], before: readonly BodyLink[], ranks: readonly number[]): BodyLink[] {
  return before.map((link, i) => {
    const at = 3 * ranks[i]!;
    if (at + 1 >= sequence.length) throw new Error("internal error: a body link's mention is gone, although the article's shown digest is the same");
    return { ...link, start: sequence[at]! - article.bodyOffset, end: sequence[at + 1]! - article.bodyOffset };
  });
}
