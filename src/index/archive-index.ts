import type { Article } from "../content/article.js";
import type { RegistryEntity } from "../content/registry.js";
import type { Topic } from "../content/taxonomy.js";
import type { ArticleEntity } from "../nlp/canonical.js";
import type { ArticleAnalysis } from "../nlp/extract.js";
import { entityKey, entitySlug } from "../nlp/names.js";
import type { EntityType } from "../nlp/types.js";

/** An article with what the index knows of it. Articles are referred to by their position, newest first. */
export interface IndexedArticle {
  article: Article;
  /** Slugs of its visible entities, in order of first mention. */
  entities: string[];
  /** The article's own view of each entity (mentions, aliases), by slug. */
  mentions: Map<string, ArticleEntity>;
  /** Topic codes, taxonomy order. */
  topics: string[];
  /** Positions of related articles, best first. */
  related: number[];
}

export interface EntityRecord {
  key: string;
  slug: string;
  name: string;
  type: EntityType;
  aliases: string[];
  description: string | null;
  wikidata: string | null;
  registered: boolean;
  /** Positions of its articles, newest first. */
  articles: number[];
  mentionCount: number;
  /** Entities most often named in the same articles: [slug, shared articles], most first. */
  related: [string, number][];
}

export interface TopicRecord {
  topic: Topic;
  articles: number[];
}

export interface MonthRecord {
  year: string;
  month: string;
  articles: number[];
}

/** The archive index, built once, in one pass over the analysed articles, and read by every page. */
export interface ArchiveIndex {
  articles: IndexedArticle[];
  entities: EntityRecord[];
  entityBySlug: Map<string, EntityRecord>;
  topics: TopicRecord[];
  /** Newest month first. */
  months: MonthRecord[];
}

export interface IndexInput {
  articles: Article[];
  analyses: Map<Article, ArticleAnalysis>;
  registry: RegistryEntity[];
  topics: Topic[];
}

const RELATED_ENTITIES = 10;
const RELATED_ARTICLES = 5;
/** An entity in more articles than this says little about relatedness (like a stop word), and scanning it costs most. */
const RELATED_MAX_DF_SHARE = 0.05;
const RELATED_SCAN_PER_ENTITY = 80;

interface EntityTally {
  key: string;
  registry: RegistryEntity | null;
  /** Each name form: its weight, and the position of the oldest article using it (ties go to the first form reported). */
  names: Map<string, { weight: number; oldest: number }>;
  types: Map<EntityType, number>;
  aliases: Map<string, string>;
  articles: number[];
  mentionCount: number;
  related: Map<string, number>;
}

export function newestFirst(a: Article, b: Article): number {
  return a.date < b.date ? 1 : a.date > b.date ? -1 : a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
}

export function buildArchiveIndex(input: IndexInput): ArchiveIndex {
  const sorted = [...input.articles].sort(newestFirst);
  const registryByKey = new Map(input.registry.map((entry) => [entityKey(entry.name), entry]));

  // An acronym an article defines ("... Pakistan (TTP)") names that entity in every article, unless the registry says otherwise.
  const acronymVotes = new Map<string, Map<string, number>>();
  for (const analysis of input.analyses.values()) {
    for (const entity of analysis.entities) {
      for (const acronym of entity.acronyms) {
        const votes = acronymVotes.get(entityKey(acronym)) ?? new Map<string, number>();
        votes.set(entity.key, (votes.get(entity.key) ?? 0) + 1);
        acronymVotes.set(entityKey(acronym), votes);
      }
    }
  }
  const acronymOwner = new Map<string, string>();
  for (const [acronym, votes] of acronymVotes) {
    if (registryByKey.has(acronym)) continue;
    acronymOwner.set(acronym, [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0]);
  }
  const resolveKey = (entity: ArticleEntity) => (entity.registered ? entity.key : (acronymOwner.get(entity.key) ?? entity.key));

  const tallies = new Map<string, EntityTally>();
  const perArticleKeys: string[][] = [];
  const perArticleMentions: Map<string, ArticleEntity>[] = [];
  sorted.forEach((article, position) => {
    const analysis = input.analyses.get(article) ?? { entities: [], topics: [] };
    const keys: string[] = [];
    const mentions = new Map<string, ArticleEntity>();
    for (const entity of analysis.entities) {
      const key = resolveKey(entity);
      let tally = tallies.get(key);
      if (!tally) {
        tally = { key, registry: registryByKey.get(key) ?? null, names: new Map(), types: new Map(), aliases: new Map(), articles: [], mentionCount: 0, related: new Map() };
        tallies.set(key, tally);
      }
      if (mentions.has(key)) {
        // Two article entities that the archive knows as one (an acronym and its expansion).
        const merged = mentions.get(key)!;
        mentions.set(key, { ...merged, mentions: [...merged.mentions, ...entity.mentions].sort((a, b) => a.start - b.start), aliases: [...merged.aliases, entity.name, ...entity.aliases] });
      } else {
        keys.push(key);
        tally.articles.push(position);
        mentions.set(key, entity);
      }
      const weight = Math.max(1, entity.mentions.length);
      const form = tally.names.get(entity.name);
      tally.names.set(entity.name, { weight: (form?.weight ?? 0) + weight, oldest: position });
      tally.types.set(entity.type, (tally.types.get(entity.type) ?? 0) + weight);
      tally.mentionCount += entity.mentions.length;
      for (const alias of [entity.name, ...entity.aliases]) {
        const aliasKey = entityKey(alias);
        if (!tally.aliases.has(aliasKey)) tally.aliases.set(aliasKey, alias);
      }
    }
    perArticleKeys.push(keys);
    perArticleMentions.push(mentions);
  });

  const entities: EntityRecord[] = [];
  const slugOf = new Map<string, string>();
  const takenSlugs = new Map<string, string>();
  // Registry entries first, so a curated slug is never taken by an extracted name.
  const ordered = [...tallies.values()].sort((a, b) => Number(b.registry !== null) - Number(a.registry !== null) || (a.key < b.key ? -1 : 1));
  for (const tally of ordered) {
    if (tally.registry?.hidden) continue;
    let slug = tally.registry?.slug ?? entitySlug(tally.key);
    if (takenSlugs.has(slug)) slug = entitySlug(`${tally.key}\u0000`);
    takenSlugs.set(slug, tally.key);
    slugOf.set(tally.key, slug);
  }
  for (const tally of ordered) {
    const slug = slugOf.get(tally.key);
    if (!slug) continue;
    const name = tally.registry?.name ?? pickName(tally.names);
    const aliases = new Map(tally.aliases);
    for (const alias of tally.registry?.aliases ?? []) if (!aliases.has(entityKey(alias))) aliases.set(entityKey(alias), alias);
    aliases.delete(entityKey(name));
    entities.push({
      key: tally.key,
      slug,
      name,
      type: tally.registry?.type ?? pickMostVoted(tally.types),
      aliases: [...aliases.values()],
      description: tally.registry?.description ?? null,
      wikidata: tally.registry?.wikidata ?? null,
      registered: tally.registry !== null,
      articles: tally.articles,
      mentionCount: tally.mentionCount,
      related: [],
    });
  }
  entities.sort((a, b) => b.articles.length - a.articles.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const entityBySlug = new Map(entities.map((e) => [e.slug, e]));

  // Co-occurrence, in the same pass over articles.
  const visibleKeys = perArticleKeys.map((keys) => keys.filter((key) => slugOf.has(key)));
  for (const keys of visibleKeys) {
    for (const a of keys) {
      const tally = tallies.get(a)!;
      for (const b of keys) if (a !== b) tally.related.set(b, (tally.related.get(b) ?? 0) + 1);
    }
  }
  for (const entity of entities) {
    entity.related = [...tallies.get(entity.key)!.related]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, RELATED_ENTITIES)
      .map(([key, count]) => [slugOf.get(key)!, count]);
  }

  const related = relatedArticles(visibleKeys, tallies, sorted.length);
  const topicArticles = new Map(input.topics.map((topic) => [topic.code, [] as number[]]));
  const months = new Map<string, MonthRecord>();
  const articles: IndexedArticle[] = sorted.map((article, position) => {
    const analysis = input.analyses.get(article) ?? { entities: [], topics: [] };
    for (const code of analysis.topics) topicArticles.get(code)?.push(position);
    const monthKey = article.date.slice(0, 7);
    let month = months.get(monthKey);
    if (!month) months.set(monthKey, (month = { year: monthKey.slice(0, 4), month: monthKey.slice(5, 7), articles: [] }));
    month.articles.push(position);
    const mentions = new Map<string, ArticleEntity>();
    for (const key of visibleKeys[position]!) mentions.set(slugOf.get(key)!, perArticleMentions[position]!.get(key)!);
    return { article, entities: [...mentions.keys()], mentions, topics: analysis.topics, related: related[position]! };
  });

  return {
    articles,
    entities,
    entityBySlug,
    topics: input.topics.map((topic) => ({ topic, articles: topicArticles.get(topic.code)! })),
    months: [...months.values()],
  };
}

/**
 * Related articles by shared entities, each weighted by its rarity (as
 * Hugo's related content weighs its indexes). Scans only the nearest
 * articles of each entity list and skips near-universal entities, so the
 * cost grows linearly with the archive.
 */
function relatedArticles(keysByArticle: string[][], tallies: Map<string, EntityTally>, total: number): number[][] {
  const scores = new Float64Array(total);
  const maxDf = Math.max(20, Math.floor(total * RELATED_MAX_DF_SHARE));
  return keysByArticle.map((keys, self) => {
    const touched: number[] = [];
    for (const key of keys) {
      const list = tallies.get(key)!.articles;
      if (list.length < 2 || list.length > maxDf) continue;
      const weight = 1 / Math.log(1 + list.length);
      // Lists are newest first, as positions are; start near this article.
      let at = lowerBound(list, self);
      const from = Math.max(0, at - RELATED_SCAN_PER_ENTITY / 2);
      const to = Math.min(list.length, from + RELATED_SCAN_PER_ENTITY);
      for (at = from; at < to; at++) {
        const other = list[at]!;
        if (other === self) continue;
        if (scores[other] === 0) touched.push(other);
        scores[other]! += weight;
      }
    }
    const best = touched
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, RELATED_ARTICLES);
    for (const other of touched) scores[other] = 0;
    return best;
  });
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function pickMostVoted<T extends string>(votes: Map<T, number>): T {
  return [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/** Most used form, preferring one that is not all capitals (Reuters headlines shout); ties go to the oldest form. */
function pickName(names: Map<string, { weight: number; oldest: number }>): string {
  const calm = [...names].filter(([name]) => /\p{Ll}/u.test(name) || name.length <= 5);
  const pool = calm.length > 0 ? calm : [...names];
  return pool.sort((a, b) => b[1].weight - a[1].weight || b[1].oldest - a[1].oldest || (a[0] < b[0] ? -1 : 1))[0]![0];
}
