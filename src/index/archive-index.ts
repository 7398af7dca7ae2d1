import type { Article } from "../content/article.js";
import type { RegistryEntity } from "../content/registry.js";
import type { Topic } from "../content/taxonomy.js";
import type { ArticleEntity } from "../nlp/canonical.js";
import type { ArticleAnalysis } from "../nlp/extract.js";
import { entityKey, entitySlug } from "../nlp/names.js";
import { mentionFacts, type MentionFacts } from "../nlp/packed-entity.js";
import type { EntityType } from "../nlp/types.js";
import { lowerBound } from "../sorted.js";

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

/** Entity facts by article, for the index's own articles (see entityFacts). */
const factsOf = new WeakMap<IndexedArticle, Int32Array>();

/**
 * What the pages need of each entity of an article the index made, in the order of `entities`, four
 * numbers each: the position of its record in ArchiveIndex.entities; the file offsets [start, end) of its
 * first mention in the body (-1, -1 when only the title names it); how many times the article names it.
 * Gathered while the index reads the analyses anyway, so that the pages need not read them again; kept
 * apart from the article (a copy of it, or an article made otherwise, has none: read its mentions).
 */
export function entityFacts(indexed: IndexedArticle): Int32Array | undefined {
  return factsOf.get(indexed);
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
  /**
   * Each entity's votes, by its key, over the whole archive: what decides its name and type (null for a
   * registered entity, which takes both from the registry). A build after an edit that changes only how
   * often an article names its entities checks with them that no name or type changes (own-pages-edit.ts).
   */
  votes: Map<string, EntityVotes | null>;
  /** An acronym's key -> the key of the entity the archive gives it to (see entityKeyOf). */
  acronymOwners: Map<string, string>;
}

/** An entity's votes: each name form with its weight and the position of the oldest article using it, each type with its weight. */
export interface EntityVotes {
  names: [name: string, weight: number, oldest: number][];
  types: [type: EntityType, weight: number][];
}

/** The key of the archive's entity an article entity counts for: its own, or, for an acronym the archive gives to another entity, that one's. */
export function entityKeyOf(entity: Pick<ArticleEntity, "key" | "registered">, acronymOwners: ReadonlyMap<string, string>): string {
  return entity.registered ? entity.key : (acronymOwners.get(entity.key) ?? entity.key);
}

/** The name and type an entity's votes give it (see pickName and pickMostVoted). */
export function votedNameAndType(votes: EntityVotes): { name: string; type: EntityType } {
  return { name: pickName(new Map(votes.names.map(([name, weight, oldest]) => [name, { weight, oldest }]))), type: pickMostVoted(votes.types) };
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
  /** entitySlug(key), when an article's analysis had it already (an unregistered entity of the same key): ~25 ms a build at 10,000 articles. */
  slug: string | null;
  /** Each name form: its weight, and the position of the oldest article using it (ties go to the first form reported). */
  names: Map<string, { weight: number; oldest: number }>;
  /** The name form its last mention used, and its entry in `names`: most articles use the same one. */
  lastName: string | null;
  lastForm: { weight: number; oldest: number } | null;
  /** Votes per type, in order of first vote (usually one). */
  types: [EntityType, number][];
  aliases: Map<string, string>;
  /** Aliases already added to `aliases` (each needs adding once). */
  seenAliases: Set<string> | null;
  articles: number[];
  mentionCount: number;
  /** The last article that named it, and where in that article's list: finds the second entity of an article known as one. */
  lastArticle: number;
  lastSlot: number;
}

export function newestFirst(a: Article, b: Article): number {
  return a.date < b.date ? 1 : a.date > b.date ? -1 : a.url < b.url ? -1 : a.url > b.url ? 1 : 0;
}

/**
 * Builds the index in a few passes over the articles, each linear in the archive: entities are numbered
 * as they are first met, and everything after that (co-occurrence, related articles) counts in typed
 * arrays by number instead of in maps by name.
 */
export function buildArchiveIndex(input: IndexInput): ArchiveIndex {
  const sorted = [...input.articles].sort(newestFirst);
  // The same few thousand names come back in every article: normalise each once.
  const keys = new Map<string, string>();
  const keyOf = (name: string): string => {
    let key = keys.get(name);
    if (key === undefined) keys.set(name, (key = entityKey(name)));
    return key;
  };
  const registryByKey = new Map(input.registry.map((entry) => [keyOf(entry.name), entry]));

  // An acronym an article defines ("... Pakistan (TTP)") names that entity in every article, unless the registry says otherwise.
  // (Loops over articles and entities run as one call per item throughout: V8 optimises a function called
  // thousands of times far sooner, and far more cheaply, than the loops of one long function called once.)
  const acronymVotes = new Map<string, Map<string, number>>();
  input.analyses.forEach((analysis) => {
    // (Indexed loops: a for-of makes an object per step until V8 has optimised the loop.)
    for (let e = 0; e < analysis.entities.length; e++) {
      const entity = analysis.entities[e]!;
      for (let k = 0; k < entity.acronyms.length; k++) {
        const acronym = entity.acronyms[k]!;
        const acronymKey = keyOf(acronym);
        let votes = acronymVotes.get(acronymKey);
        if (!votes) acronymVotes.set(acronymKey, (votes = new Map<string, number>()));
        votes.set(entity.key, (votes.get(entity.key) ?? 0) + 1);
      }
    }
  });
  const acronymOwner = new Map<string, string>();
  for (const [acronym, votes] of acronymVotes) {
    if (registryByKey.has(acronym)) continue;
    // Most votes, ties to the key first in order.
    let owner = "";
    let most = -Infinity;
    for (const [key, n] of votes) if (n > most || (n === most && key < owner)) [owner, most] = [key, n];
    acronymOwner.set(acronym, owner);
  }

  // Entities by number, in order of first mention over the articles newest first.
  const tallies: EntityTally[] = [];
  const tallyOf = new Map<string, number>();
  // An article entity's number by its own key (registered, or not: an unregistered key may be an acronym of another).
  const registeredIds = new Map<string, number>();
  const extractedIds = new Map<string, number>();
  const idOf = (entity: ArticleEntity): number => {
    const ids = entity.registered ? registeredIds : extractedIds;
    let id = ids.get(entity.key);
    if (id === undefined) {
      const key = entityKeyOf(entity, acronymOwner);
      id = tallyOf.get(key);
      if (id === undefined) {
        id = tallies.length;
        tallyOf.set(key, id);
        tallies.push({ key, registry: registryByKey.get(key) ?? null, slug: !entity.registered && key === entity.key ? entity.slug : null, names: new Map(), lastName: null, lastForm: null, types: [], aliases: new Map(), seenAliases: null, articles: [], mentionCount: 0, lastArticle: -1, lastSlot: -1 });
      }
      ids.set(entity.key, id);
    }
    return id;
  };
  // Every article's entities, one slot each, article after article (slots firstSlot[p] to firstSlot[p + 1]):
  // the entity's number, the article's own view of it, and its facts (see noteMentions).
  const slotIds: number[] = [];
  const slotEntities: ArticleEntity[] = [];
  const slotFacts: number[] = [];
  const firstSlot = new Int32Array(sorted.length + 1);
  const analysisOf = (article: Article) => input.analyses.get(article) ?? { entities: [], topics: [] };
  sorted.forEach((article, position) => {
    const analysis = analysisOf(article);
    firstSlot[position] = slotIds.length;
    for (let e = 0; e < analysis.entities.length; e++) {
      const entity = analysis.entities[e]!;
      const id = idOf(entity);
      const tally = tallies[id]!;
      // (Read without making the mentions where they are held packed: see PackedEntity.)
      const facts = mentionFacts(entity, article.bodyOffset);
      if (tally.lastArticle === position) {
        // Two article entities that the archive knows as one (an acronym and its expansion).
        const merged = slotEntities[tally.lastSlot]!;
        slotEntities[tally.lastSlot] = { ...merged, mentions: [...merged.mentions, ...entity.mentions].sort((a, b) => a.start - b.start), aliases: [...merged.aliases, entity.name, ...entity.aliases] };
        noteMentions(slotFacts, tally.lastSlot, mentionFacts(slotEntities[tally.lastSlot]!, article.bodyOffset));
      } else {
        tally.lastArticle = position;
        tally.lastSlot = slotIds.length;
        noteMentions(slotFacts, slotIds.length, facts);
        slotIds.push(id);
        slotEntities.push(entity);
        tally.articles.push(position);
      }
      const weight = Math.max(1, facts.count);
      let form = tally.lastName === entity.name ? tally.lastForm : tally.names.get(entity.name);
      if (form) {
        form.weight += weight;
        form.oldest = position;
      } else {
        tally.names.set(entity.name, (form = { weight, oldest: position }));
        // A name is added to the aliases when first seen (adding it again would change nothing).
        const nameKey = keyOf(entity.name);
        if (!tally.aliases.has(nameKey)) tally.aliases.set(nameKey, entity.name);
      }
      tally.lastName = entity.name;
      tally.lastForm = form;
      let voted = false;
      for (let t = 0; t < tally.types.length; t++) {
        const vote = tally.types[t]!;
        if (vote[0] === entity.type) {
          vote[1] += weight;
          voted = true;
          break;
        }
      }
      if (!voted) tally.types.push([entity.type, weight]);
      tally.mentionCount += facts.count;
      for (let k = 0; k < entity.aliases.length; k++) {
        const alias = entity.aliases[k]!;
        const seen = (tally.seenAliases ??= new Set());
        if (seen.has(alias)) continue;
        seen.add(alias);
        const aliasKey = keyOf(alias);
        if (!tally.aliases.has(aliasKey)) tally.aliases.set(aliasKey, alias);
      }
    }
  });
  firstSlot[sorted.length] = slotIds.length;

  // Registry entries first, so a curated slug is never taken by an extracted name.
  const order = tallies.map((_, id) => id);
  order.sort((a, b) => {
    const ra = tallies[a]!.registry !== null;
    const rb = tallies[b]!.registry !== null;
    return ra !== rb ? (ra ? -1 : 1) : tallies[a]!.key < tallies[b]!.key ? -1 : 1;
  });
  const slugs: (string | undefined)[] = new Array<string | undefined>(tallies.length);
  const takenSlugs = new Set<string>();
  order.forEach((id) => {
    const tally = tallies[id]!;
    if (tally.registry?.hidden) return;
    let slug = tally.registry?.slug ?? tally.slug ?? entitySlug(tally.key);
    if (takenSlugs.has(slug)) slug = entitySlug(`${tally.key}\u0000`);
    takenSlugs.add(slug);
    slugs[id] = slug;
  });
  const entities: EntityRecord[] = [];
  const recordIds: number[] = [];
  order.forEach((id) => {
    const slug = slugs[id];
    if (slug === undefined) return;
    const tally = tallies[id]!;
    const name = tally.registry?.name ?? pickName(tally.names);
    const aliases = tally.aliases;
    for (const alias of tally.registry?.aliases ?? []) if (!aliases.has(keyOf(alias))) aliases.set(keyOf(alias), alias);
    aliases.delete(keyOf(name));
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
    recordIds.push(id);
  });
  // Sorted with its tally number alongside (the sort is stable, as it was on the records alone).
  const byRank = entities.map((_, i) => i);
  byRank.sort((x, y) => {
    const a = entities[x]!;
    const b = entities[y]!;
    return b.articles.length - a.articles.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || x - y;
  });
  const sortedEntities = byRank.map((i) => entities[i]!);
  const sortedIds = byRank.map((i) => recordIds[i]!);
  const entityBySlug = new Map(sortedEntities.map((e) => [e.slug, e]));
  const recordPosition = new Int32Array(tallies.length).fill(-1);
  sortedIds.forEach((id, rank) => (recordPosition[id] = rank));
  // Facts name records by position: only when every slug names one record (two never share one in practice).
  const factsHold = entityBySlug.size === sortedEntities.length;

  // Visible entities of each article, by number, in order of first mention: visibleIds[firstVisible[p]] on.
  let visibleIds = Int32Array.from(slotIds);
  let firstVisible = firstSlot;
  if (slotIds.some((id) => slugs[id] === undefined)) {
    visibleIds = new Int32Array(slotIds.length);
    firstVisible = new Int32Array(sorted.length + 1);
    let kept = 0;
    for (let position = 0; position < sorted.length; position++) {
      firstVisible[position] = kept;
      for (let slot = firstSlot[position]!; slot < firstSlot[position + 1]!; slot++) if (slugs[slotIds[slot]!] !== undefined) visibleIds[kept++] = slotIds[slot]!;
    }
    firstVisible[sorted.length] = kept;
  }

  // Co-occurrence: for each entity, a count per other entity over its own articles, then the best few.
  const keyRank = new Int32Array(tallies.length);
  order.slice().sort((a, b) => (tallies[a]!.key < tallies[b]!.key ? -1 : 1)).forEach((id, rank) => (keyRank[id] = rank));
  const shared = new Int32Array(tallies.length);
  // Scratch lists, with their lengths kept apart: emptying a JavaScript array lets go of its storage.
  const touched = new Int32Array(tallies.length);
  const top = new Int32Array(RELATED_ENTITIES);
  sortedEntities.forEach((entity, i) => {
    const self = sortedIds[i]!;
    let count = 0;
    for (let a = 0; a < entity.articles.length; a++) {
      const position = entity.articles[a]!;
      for (let k = firstVisible[position]!; k < firstVisible[position + 1]!; k++) {
        const other = visibleIds[k]!;
        if (other === self) continue;
        if (shared[other] === 0) touched[count++] = other;
        shared[other]!++;
      }
    }
    const best = topInto(top, touched, count, shared, keyRank);
    const related: [string, number][] = [];
    for (let k = 0; k < best; k++) related.push([slugs[top[k]!]!, shared[top[k]!]!]);
    entity.related = related;
    for (let k = 0; k < count; k++) shared[touched[k]!] = 0;
  });

  const related = relatedArticles(visibleIds, firstVisible, tallies, sorted.length);
  const topicArticles = new Map(input.topics.map((topic) => [topic.code, [] as number[]]));
  const months = new Map<string, MonthRecord>();
  // Every article's entity facts in one buffer, each article's a view of its part.
  const allFacts = new Int32Array(factsHold ? 4 * slotIds.length : 0);
  let factsUsed = 0;
  const articles: IndexedArticle[] = sorted.map((article, position) => {
    const analysis = analysisOf(article);
    for (const code of analysis.topics) topicArticles.get(code)?.push(position);
    const monthKey = article.date.slice(0, 7);
    let month = months.get(monthKey);
    if (!month) months.set(monthKey, (month = { year: monthKey.slice(0, 4), month: monthKey.slice(5, 7), articles: [] }));
    month.articles.push(position);
    const mentions = new Map<string, ArticleEntity>();
    const slugList: string[] = [];
    const kept: number[] = [];
    for (let slot = firstSlot[position]!; slot < firstSlot[position + 1]!; slot++) {
      const slug = slugs[slotIds[slot]!];
      if (slug === undefined) continue;
      const size = mentions.size;
      mentions.set(slug, slotEntities[slot]!);
      if (mentions.size !== size) {
        slugList.push(slug);
        kept.push(slot);
      }
    }
    const indexed: IndexedArticle = { article, entities: slugList, mentions, topics: analysis.topics, related: related[position]! };
    if (factsHold) {
      const entityFacts = allFacts.subarray(4 * factsUsed, 4 * (factsUsed += kept.length));
      for (let i = 0; i < kept.length; i++) {
        const slot = kept[i]!;
        entityFacts[4 * i] = recordPosition[slotIds[slot]!]!;
        entityFacts[4 * i + 1] = slotFacts[3 * slot]!;
        entityFacts[4 * i + 2] = slotFacts[3 * slot + 1]!;
        entityFacts[4 * i + 3] = slotFacts[3 * slot + 2]!;
      }
      factsOf.set(indexed, entityFacts);
    }
    return indexed;
  });

  const votes = new Map<string, EntityVotes | null>();
  for (const tally of tallies) votes.set(tally.key, tally.registry ? null : { names: [...tally.names].map(([name, form]) => [name, form.weight, form.oldest]), types: tally.types.map(([type, weight]) => [type, weight]) });
  return {
    articles,
    entities: sortedEntities,
    entityBySlug,
    topics: input.topics.map((topic) => ({ topic, articles: topicArticles.get(topic.code)! })),
    months: [...months.values()],
    votes,
    acronymOwners: acronymOwner,
  };
}

/** An entity's first mention in the body (offsets from the file's start) and its number of mentions, at `slot`. */
function noteMentions(slotFacts: number[], slot: number, facts: MentionFacts): void {
  slotFacts[3 * slot] = facts.start;
  slotFacts[3 * slot + 1] = facts.end;
  slotFacts[3 * slot + 2] = facts.count;
}

/**
 * The best `top.length` of the first `count` candidates by `score` (highest first), ties by `rank` (lowest
 * first; no two candidates share a rank), into `top`, best first; returns how many. What sorting them all
 * and keeping the head would give, without the sort.
 */
function topInto(top: Int32Array, candidates: Int32Array, count: number, score: ArrayLike<number>, rank: ArrayLike<number>): number {
  const limit = top.length;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const candidate = candidates[i]!;
    const value = score[candidate]!;
    const order = rank[candidate]!;
    if (size === limit) {
      const last = top[limit - 1]!;
      if (value < score[last]! || (value === score[last] && order > rank[last]!)) continue;
    }
    let at = size === limit ? limit - 1 : size++;
    while (at > 0) {
      const previous = top[at - 1]!;
      if (value < score[previous]! || (value === score[previous] && order > rank[previous]!)) break;
      top[at] = previous;
      at--;
    }
    top[at] = candidate;
  }
  return size;
}

/**
 * Related articles by shared entities, each weighted by its rarity (as
 * Hugo's related content weighs its indexes). Scans only the nearest
 * articles of each entity list and skips near-universal entities, so the
 * cost grows linearly with the archive.
 */
function relatedArticles(ids: Int32Array, firstOf: Int32Array, tallies: EntityTally[], total: number): number[][] {
  const scores = new Float64Array(total);
  const maxDf = Math.max(20, Math.floor(total * RELATED_MAX_DF_SHARE));
  const weights = tallies.map((tally) => 1 / Math.log(1 + tally.articles.length));
  // Where each list holds the article at hand: articles come in order, so it moves one entry at a time.
  const cursors = new Int32Array(tallies.length);
  const touched = new Int32Array(total);
  const top = new Int32Array(RELATED_ARTICLES);
  const positionRank = Int32Array.from({ length: total }, (_, i) => i);
  const related: number[][] = [];
  for (let self = 0; self < total; self++) related.push(relatedTo(self));
  return related;

  function relatedTo(self: number): number[] {
    let count = 0;
    for (let k = firstOf[self]!; k < firstOf[self + 1]!; k++) {
      const id = ids[k]!;
      const list = tallies[id]!.articles;
      if (list.length < 2 || list.length > maxDf) continue;
      const weight = weights[id]!;
      // Lists are newest first, as positions are; start near this article.
      let here = cursors[id]!;
      if (list[here] === self) cursors[id] = here + 1;
      else here = lowerBound(list, self);
      const from = Math.max(0, here - RELATED_SCAN_PER_ENTITY / 2);
      const to = Math.min(list.length, from + RELATED_SCAN_PER_ENTITY);
      for (let at = from; at < to; at++) {
        const other = list[at]!;
        if (other === self) continue;
        if (scores[other] === 0) touched[count++] = other;
        scores[other]! += weight;
      }
    }
    const size = topInto(top, touched, count, scores, positionRank);
    for (let k = 0; k < count; k++) scores[touched[k]!] = 0;
    const best: number[] = [];
    for (let k = 0; k < size; k++) best.push(top[k]!);
    return best;
  }
}

function pickMostVoted<T extends string>(votes: [T, number][]): T {
  return [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/** Most used form, preferring one that is not all capitals (Reuters headlines shout); ties go to the oldest form. */
function pickName(names: Map<string, { weight: number; oldest: number }>): string {
  const calm = [...names].filter(([name]) => /\p{Ll}/u.test(name) || name.length <= 5);
  const pool = calm.length > 0 ? calm : [...names];
  return pool.sort((a, b) => b[1].weight - a[1].weight || b[1].oldest - a[1].oldest || (a[0] < b[0] ? -1 : 1))[0]![0];
}
