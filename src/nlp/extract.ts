import { createHash } from "node:crypto";
import type { Article } from "../content/article.js";
import { analysisTextOf } from "./analysis-text.js";
import { canonicalise, type ArticleEntity, type RegistryIndex } from "./canonical.js";
import { entityKey, entitySlug } from "./names.js";
import { assignTopics, withAncestors, type CompiledTaxonomy } from "./topics.js";
import type { EntityTagger, TaggedSpan } from "./types.js";

/** What NLP makes of one article: its entities (mention offsets into the file) and topic codes. */
export interface ArticleAnalysis {
  entities: ArticleEntity[];
  topics: string[];
}

/** Tagger output by text hash: tagging is the expensive step, and its result depends only on the text. */
export interface SpanCache {
  get(textHash: string): TaggedSpan[] | undefined;
  set(textHash: string, spans: TaggedSpan[]): void;
}

export function textHash(text: string): string {
  return createHash("sha1").update(text).digest("base64url");
}

export function tagWithCache(tagger: EntityTagger, text: string, cache?: SpanCache): TaggedSpan[] {
  if (!cache) return tagger.tag(text);
  const hash = textHash(text);
  let spans = cache.get(hash);
  if (!spans) cache.set(hash, (spans = tagger.tag(text)));
  return spans;
}

/** Entities of a plain text (a raw .txt article as read): offsets are into that text. */
export function extractFromText(text: string, tagger: EntityTagger, registry: RegistryIndex, cache?: SpanCache): ArticleEntity[] {
  return canonicalise(text, tagWithCache(tagger, text, cache), registry);
}

/**
 * Entities and topics of an article, derived from its current headline and
 * body, then merged with the editor's front-matter overrides.
 */
export function analyseArticle(
  article: Article,
  tagger: EntityTagger,
  registry: RegistryIndex,
  taxonomy: CompiledTaxonomy,
  cache?: SpanCache,
): ArticleAnalysis {
  const analysis = analysisTextOf(article);
  const found = canonicalise(analysis.text, tagWithCache(tagger, analysis.text, cache), registry);
  const excluded = new Set(article.overrides.excludeEntities.map(entityKey));
  const entities: ArticleEntity[] = [];
  for (const entity of found) {
    if (excluded.size > 0 && (excluded.has(entity.key) || excluded.has(entityKey(entity.name)) || entity.aliases.some((alias) => excluded.has(entityKey(alias))))) continue;
    const mentions: ArticleEntity["mentions"] = [];
    for (const mention of entity.mentions) {
      const start = analysis.toFileOffset(mention.start);
      if (start !== null) mentions.push({ text: mention.text, start, end: start + mention.text.length });
    }
    entities.push({ ...entity, mentions });
  }
  for (const name of article.overrides.entities) {
    const key = entityKey(name);
    const entry = registry.byKey.get(key);
    const ownKey = entry ? entityKey(entry.name) : key;
    if (key === "" || excluded.has(ownKey) || entities.some((e) => e.key === ownKey)) continue;
    entities.push({
      key: ownKey,
      name: entry?.name ?? name,
      type: entry?.type ?? "other",
      slug: entry?.slug ?? entitySlug(ownKey),
      aliases: [],
      mentions: [],
      acronyms: [],
      registered: entry !== undefined,
    });
  }

  const assigned = assignTopics(taxonomy, article.title, analysis.text.slice(article.title.length), entities.map((e) => e.key));
  const topicCode = (ref: string) => taxonomy.topics.find((t) => t.code === ref || t.slug === ref || t.label.toLowerCase() === ref.toLowerCase())?.code;
  const excludedTopics = new Set(article.overrides.excludeTopics.map(topicCode));
  const added = article.overrides.topics.map(topicCode).filter((code): code is string => code !== undefined);
  const topics = withAncestors(taxonomy, [...assigned, ...added]).filter((code) => !excludedTopics.has(code));
  return { entities, topics };
}

/**
 * Replaces the analysis's texts that repeat across articles (entity keys, names, slugs, types, aliases,
 * acronyms, mention texts, topic codes) by one shared copy each, kept in `shared`. An analysis from a
 * worker thread arrives as a copy with every text its own string, so the same few thousand names were
 * held hundreds of thousands of times over in a large archive's build.
 */
export function shareTexts(analysis: ArticleAnalysis, shared: Map<string, string>): void {
  const one = (text: string): string => {
    const found = shared.get(text);
    if (found !== undefined) return found;
    shared.set(text, text);
    return text;
  };
  for (let i = 0; i < analysis.topics.length; i++) analysis.topics[i] = one(analysis.topics[i]!);
  for (const entity of analysis.entities) {
    entity.key = one(entity.key);
    entity.name = one(entity.name);
    entity.type = one(entity.type) as ArticleEntity["type"];
    entity.slug = one(entity.slug);
    for (let i = 0; i < entity.aliases.length; i++) entity.aliases[i] = one(entity.aliases[i]!);
    for (let i = 0; i < entity.acronyms.length; i++) entity.acronyms[i] = one(entity.acronyms[i]!);
    for (const mention of entity.mentions) mention.text = one(mention.text);
  }
}
