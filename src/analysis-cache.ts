import { CacheFile } from "./cache.js";
import type { Article } from "./content/article.js";
import type { ArticleEntity } from "./nlp/canonical.js";
import type { ArticleAnalysis } from "./nlp/extract.js";
import { articleText, hyphenated, PackedEntity, type MentionSource } from "./nlp/packed-entity.js";
import { ENTITY_TYPES, type EntityType } from "./nlp/types.js";

/**
 * An analysis as cached, one flat array: the hash of the text the tagger read (which keeps its
 * span cache entry alive), the number of topics and the topics, then per entity
 *   key (0 when its name in lower case), name, type index, slug (0 when its key with hyphens for spaces),
 *   registered (0 or 1), number of mentions, per mention its start then its end when its text is the
 *   article's text there (else its text), number of aliases, aliases, number of acronyms, acronyms.
 * JSON.parse of a 10,000-article cache in the plain form (34 MB, every mention an object with its text)
 * took longer than the rest of an edit's analysis; flat, there is no array per entity or mention
 * to make, which halves the parse again.
 */
type EncodedAnalysis = (string | number)[];

/** An article's analysis, and the hash of the text its tagger read (which keeps its span cache entry alive). */
export interface CachedAnalysis {
  analysis: ArticleAnalysis;
  textHash: string;
}

/**
 * Whole-article analyses keyed by the article file's hash, under a fingerprint of
 * everything else they depend on (registry, taxonomy, tagger, code): a warm build
 * then skips extraction entirely.
 */
export class AnalysisCache {
  private constructor(private readonly store: CacheFile<EncodedAnalysis>) {}

  static async open(dir: string, fingerprint: string): Promise<AnalysisCache> {
    return new AnalysisCache(await CacheFile.open<EncodedAnalysis>(dir, "analyses", fingerprint, { removeOthers: true }));
  }

  get(article: Article): CachedAnalysis | undefined {
    const encoded = this.store.get(article.hash);
    return encoded && { analysis: decodeAnalysis(encoded, article), textHash: encoded[0] as string };
  }

  /** Keeps an entry this build uses without reading it (one the caller has in memory). */
  touch(hash: string): void {
    this.store.get(hash);
  }

  set(article: Article, analysis: ArticleAnalysis, textHash: string): void {
    const encoded = encodeAnalysis(analysis, article, textHash);
    if (encoded) this.store.set(article.hash, encoded);
  }

  save(): Promise<void> {
    return this.store.save();
  }
}

/** The compact form, or undefined for an analysis it cannot give back exactly (then it is not cached). */
export function encodeAnalysis(analysis: ArticleAnalysis, article: MentionSource, textHash: string): EncodedAnalysis | undefined {
  const encoded: EncodedAnalysis = [textHash, analysis.topics.length, ...analysis.topics];
  for (const entity of analysis.entities) {
    encoded.push(
      entity.key === entity.name.toLowerCase() ? 0 : entity.key,
      entity.name,
      ENTITY_TYPES.indexOf(entity.type),
      entity.slug === hyphenated(entity.key) ? 0 : entity.slug,
      entity.registered ? 1 : 0,
      entity.mentions.length,
    );
    for (const { text, start, end } of entity.mentions) {
      // analyseArticle makes every mention's end its start plus its text's length; the form relies on it.
      if (end !== start + text.length) return undefined;
      // The text is most often the file's own there; it differs where Markdown was blanked inside a name.
      encoded.push(start, articleText(article, start, end) === text ? end : text);
    }
    encoded.push(entity.aliases.length, ...entity.aliases, entity.acronyms.length, ...entity.acronyms);
  }
  return encoded;
}

/**
 * The one empty list of every decoded entity without aliases or acronyms (most of them): ~300,000 empty arrays
 * at 10,000 articles, each kept as long as its entity. Frozen, so a change to it fails where it is made
 * instead of reaching every entity.
 */
const NO_STRINGS = Object.freeze([]) as unknown as string[];

/**
 * The analysis encoded, given the same article: its entities are PackedEntity, their mentions made when
 * first read; as plain data (JSON), deep-equal to the analysis encoded (tests/build/cache-files.test.ts).
 */
export function decodeAnalysis(encoded: EncodedAnalysis, article: MentionSource): ArticleAnalysis {
  let at = 1;
  const strings = () => {
    const count = encoded[at++] as number;
    at += count;
    return count === 0 ? NO_STRINGS : (encoded.slice(at - count, at) as string[]);
  };
  const topics = strings();
  const entities: ArticleEntity[] = [];
  while (at < encoded.length) {
    const key = encoded[at] === 0 ? (encoded[at + 1] as string).toLowerCase() : (encoded[at] as string);
    const name = encoded[at + 1] as string;
    const type = ENTITY_TYPES[encoded[at + 2] as number] as EntityType;
    const slug = encoded[at + 3] === 0 ? null : (encoded[at + 3] as string);
    const registered = encoded[at + 4] === 1;
    const count = encoded[at + 5] as number;
    const mentionsAt = at + 6;
    at = mentionsAt + 2 * count;
    const aliases = strings();
    entities.push(new PackedEntity(key, name, type, slug, aliases, strings(), registered, encoded, mentionsAt, count, article));
  }
  return { entities, topics };
}
