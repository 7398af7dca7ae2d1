import { createHash } from "node:crypto";
import type { Article } from "../content/article.js";
import type { SiteConfig } from "../content/site-config.js";
import { entityFacts, type ArchiveIndex, type EntityRecord, type TopicRecord } from "../index/archive-index.js";
import { mentionFacts } from "../nlp/packed-entity.js";
import { ENTITY_TYPES, type EntityType } from "../nlp/types.js";
import type { BodyLink } from "../render/plain-markdown.js";
import { mentionContext, type MentionContext } from "./context.js";
import { scriptSafe } from "./escape.js";
import { count, formatDay, formatMonth, TYPE_LABELS } from "./format.js";
import { articleWords, digestWords, KeyWriter, settingsKey } from "./keys.js";
import { articleTimeline, monthNumber, monthTimeline, type Timeline } from "./timeline.js";
import { absolute, href, type SiteLocation } from "./urls.js";

/** What every page template receives; `url` is site-relative and decides the output file. */
export interface PageBase {
  url: string;
  title: string;
  description: string;
  canonical: string;
  /** Feed of this listing, for autodiscovery. */
  feed: { href: string; title: string } | null;
  /** Set on pages that should not be indexed by search engines or listed in the sitemap. */
  noindex?: boolean;
}

export interface Card {
  href: string;
  title: string;
  date: string;
  dateLabel: string;
  summary: string;
  source: string | null;
}

export interface Pager {
  current: number;
  total: number;
  prevHref: string | null;
  nextHref: string | null;
  label: string;
}

export interface LinkItem {
  href: string;
  name: string;
  count?: number;
}

export interface ArticlePage extends PageBase {
  article: Card & { updated: string; sourceUrl: string | null; html: string };
  entityGroups: { type: EntityType; label: string; items: LinkItem[] }[];
  topics: LinkItem[];
  related: Card[];
  previous: Card | null;
  next: Card | null;
  jsonLd: string;
}

export interface ListingPage extends PageBase {
  heading: string;
  cards: Card[];
  pager: Pager;
}

export interface EntityPage extends PageBase {
  entity: { name: string; typeLabel: string; aliases: string[]; description: string | null; wikidata: string | null; articleCount: string };
  related: LinkItem[];
  /** Articles per month, as inline SVG; null when the entity has no articles. */
  timeline: Timeline | null;
  items: { card: Card; context: MentionContext | null }[];
  pager: Pager;
}

export interface EntityIndexPage extends PageBase {
  groups: { type: EntityType; label: string; items: LinkItem[] }[];
}

export interface TopicPage extends PageBase {
  topic: { label: string; code: string; parent: LinkItem | null; children: LinkItem[]; articleCount: string };
  /** The entities most often named in the topic's articles, with how many articles. */
  related: LinkItem[];
  timeline: Timeline | null;
  cards: Card[];
  pager: Pager;
}

export interface TopicIndexPage extends PageBase {
  items: (LinkItem & { depth: number })[];
}

export interface ArchiveIndexPage extends PageBase {
  years: (LinkItem & { months: LinkItem[] })[];
}

export interface YearPage extends PageBase {
  heading: string;
  months: LinkItem[];
}

/** Every HTML page of the site, by template. */
export interface SitePages {
  home: ListingPage[];
  article: ArticlePage[];
  entityIndex: EntityIndexPage[];
  entity: EntityPage[];
  topicIndex: TopicIndexPage[];
  topic: TopicPage[];
  archiveIndex: ArchiveIndexPage[];
  archiveYear: YearPage[];
  archiveMonth: ListingPage[];
  search: PageBase[];
  notFound: PageBase[];
}

/** The page lists, in the order the site lists them (and its sitemap). */
export const PAGE_LISTS = ["home", "article", "entityIndex", "entity", "topicIndex", "topic", "archiveIndex", "archiveYear", "archiveMonth", "search", "notFound"] as const satisfies readonly (keyof SitePages)[];

/** One page with the name of its list, and the key of its inputs when it has one (see PageContext.reuse). */
export type SitePage = { [K in keyof SitePages]: { list: K; page: SitePages[K][number]; key?: string } }[keyof SitePages];

/** A page not made again: its inputs' key is that of the page the build already has (see PageContext.reuse). */
export interface ReusedPage {
  list: "article" | "entity" | "home" | "topic" | "archiveMonth";
  reused: true;
  url: string;
  key: string;
  /** An article's last change, as its page gives it to the sitemap. */
  updated?: string;
  /** As the page says: kept from search engines (a topic no article is about yet). */
  noindex?: true;
}

export type RenderBody = (article: Article, links: BodyLink[]) => string;

export interface PageContext {
  index: ArchiveIndex;
  site: SiteConfig;
  location: SiteLocation;
  renderBody: RenderBody;
  /**
   * For a build over pages it made before: whether it has the page of this list at `url` made from inputs
   * with this key. Article, entity, home, month and topic pages then get a key, a hash of everything their
   * page object is made from (the site's settings, and the hashes of the article files, entity records,
   * mention offsets, topics and neighbours they show), and one the build has is not made again but given as
   * a ReusedPage: after one edit, making and serialising every page of a 10,000-article site cost ~2 s for
   * the few dozen that changed. Without it, every page is made.
   */
  reuse?: (list: ReusedPage["list"], url: string, key: string) => boolean;
}

export function entityUrl(slug: string): string {
  return `/entities/${slug}/`;
}

export function topicUrl(slug: string): string {
  return `/topics/${slug}/`;
}

/** Items cut into pages of `size`: the first at `base`, then base + "page/2/" ... */
export function paginate<T>(items: T[], size: number, base: string): { url: string; items: T[]; number: number; total: number }[] {
  const total = Math.max(1, Math.ceil(items.length / size));
  return Array.from({ length: total }, (_, i) => ({
    url: i === 0 ? base : `${base}page/${i + 1}/`,
    items: items.slice(i * size, (i + 1) * size),
    number: i + 1,
    total,
  }));
}

/** An entity as every page links it: worked out once, not once per page that names it. */
interface EntityLinks {
  record: EntityRecord;
  /** Position in ENTITY_TYPES, -1 for a type no group shows. */
  typeIndex: number;
  link: LinkItem;
  /**
   * Its schema.org `Thing` as JSON, made safe for a <script> block, and the same after a comma, for lists:
   * made when an article page that names it is (after an edit, a few of 6,600 entities at 10,000 articles).
   */
  things: { thing: string; nextThing: string } | null;
  /**
   * Where its contexts are kept (see `mentionBounds` in eachPage): the bounds of its first mention in each
   * article that names it, noted while the article's entities are at hand, with the article's position, in
   * the order of its article list. Room for as many as it has articles, from `contextBase`; `contextCount`
   * noted so far.
   */
  contextBase: number;
  contextRoom: number;
  contextCount: number;
  /** Its place in `entityList` (buildPages), by which the articles' entities are counted for topic pages. */
  number: number;
  /** A 64-bit digest of what pages that link it read of it, for their keys (empty when pages are not keyed). */
  keyWords: Int32Array;
}

/** All pages of the site as plain data, every list whole (see `eachPage`). */
export function buildPages(context: PageContext): SitePages {
  const pages: SitePages = { home: [], article: [], entityIndex: [], entity: [], topicIndex: [], topic: [], archiveIndex: [], archiveYear: [], archiveMonth: [], search: [], notFound: [] };
  for (const item of eachPage({ ...context, reuse: undefined })) if (!("reused" in item)) (pages[item.list] as PageBase[]).push(item.page);
  return pages;
}

/** The pages of whole lists, one at a time, as `eachPage` gives them. */
export function* pagesIn(pages: SitePages): Generator<SitePage, void, undefined> {
  for (const list of PAGE_LISTS) for (const page of pages[list]) yield { list, page } as SitePage;
}

/** How many pages each list has, without making them (for progress). */
export function pageCounts(index: ArchiveIndex, pageSize: number): Record<keyof SitePages, number> {
  const pagesOf = (items: number) => Math.max(1, Math.ceil(items / pageSize));
  const sum = (lists: { articles: number[] }[]) => lists.reduce((total, list) => total + pagesOf(list.articles.length), 0);
  return {
    home: pagesOf(index.articles.length),
    article: index.articles.length,
    entityIndex: 1,
    entity: sum(index.entities),
    topicIndex: 1,
    topic: sum(index.topics),
    archiveIndex: 1,
    archiveYear: new Set(index.months.map((month) => month.year)).size,
    archiveMonth: sum(index.months),
    search: 1,
    notFound: 1,
  };
}

/**
 * All pages of the site as plain data, one at a time, list after list in PAGE_LISTS order. One pass over the
 * index; no page scans the archive. Made as they are asked for, so a build holds only the pages it has not yet
 * handed on: the whole site's page objects at once ran to ~850 MB at 100,000 articles.
 */
export function* eachPage(context: PageContext): Generator<SitePage | ReusedPage, void, undefined> {
  const { index, site, location, reuse } = context;
  const link = (url: string) => href(location, url);
  const base = (url: string, title: string, description: string, feed: PageBase["feed"] = null): PageBase => ({
    url,
    title,
    description,
    canonical: absolute(location, url),
    feed,
  });
  // Each article's card, made when a page that shows it is (after one edit, a few dozen pages of 18,000).
  const dayLabels = new Map<string, string>();
  const cards = new Array<Card | undefined>(index.articles.length);
  const cardAt = (position: number): Card => (cards[position] ??= toCard(index.articles[position]!.article, link, site.language, dayLabels));
  // Keys (see PageContext.reuse): numbers, hashed with the site's settings and address. What a page shows of
  // an article, entity or topic goes in as a 64-bit digest of it (two numbers); an article's card, URL
  // (design.md: its date and slug) and body are made from its file's text, so its hash stands for them.
  // Joining the parts as text cost more than hashing them.
  const keyWriter = new KeyWriter(reuse ? settingsKey(site, location) : "");
  const cardWords = reuse ? articleWords(index.articles) : new Int32Array(0);
  /** Adds an article's card to the key. */
  const card = (position: number) => keyWriter.words(cardWords, 2 * position);
  const pagerOf = (page: { number: number; total: number }, baseUrl: string): Pager => ({
    current: page.number,
    total: page.total,
    prevHref: page.number > 1 ? link(page.number === 2 ? baseUrl : `${baseUrl}page/${page.number - 1}/`) : null,
    nextHref: page.number < page.total ? link(`${baseUrl}page/${page.number + 1}/`) : null,
    label: `Page ${page.number} of ${page.total}`,
  });
  const siteFeed = { href: link("/feed.xml"), title: site.title };
  const pageTitle = (title: string, page: { number: number }) => (page.number > 1 ? `${title} (page ${page.number})` : title);
  // A listing page, keyed by its list's frame (a digest of all its pages show besides their cards and place),
  // its place in the list and its cards' keys (cards were most of the JSON made and hashed after an edit);
  // or, when the build has it under that key, the page it has.
  const listingPage = <L extends "home" | "topic" | "archiveMonth">(
    list: L,
    frame: string,
    page: { url: string; number: number; total: number; items: number[] },
    make: () => SitePages[L][number],
    noindex = false,
  ): SitePage | ReusedPage => {
    let pageKey: string | undefined;
    if (reuse) {
      keyWriter.start().number(page.number).number(page.total).number(page.items.length);
      for (let i = 0; i < page.items.length; i++) card(page.items[i]!);
      pageKey = keyWriter.finish(`${frame}\u0001${page.url}`);
      if (reuse(list, page.url, pageKey)) return { list, reused: true, url: page.url, key: pageKey, ...(noindex ? { noindex } : {}) };
    }
    const made = make();
    return (pageKey === undefined ? { list, page: made } : { list, page: made, key: pageKey }) as SitePage;
  };

  for (const page of paginate(Array.from(index.articles.keys()), site.pageSize, "/")) {
    yield listingPage("home", "home", page, () => ({
      ...base(page.url, page.number > 1 ? pageTitle("Latest articles", page) : site.title, site.description, siteFeed),
      heading: "Latest articles",
      cards: page.items.map(cardAt),
      pager: pagerOf(page, "/"),
    }));
  }

  // Each entity's link, group and JSON-LD once, shared by every page that names it.
  const typeIndex = new Map<string, number>(ENTITY_TYPES.map((type, i) => [type, i]));
  const linksBySlug = new Map<string, EntityLinks>();
  const thingsOf = (entity: EntityLinks) => {
    if (entity.things) return entity.things;
    const thing = scriptSafe(JSON.stringify(schemaThing(entity.record, location)));
    return (entity.things = { thing, nextThing: `,${thing}` });
  };
  const entityList: EntityLinks[] = [];
  const noWords = new Int32Array(0);
  const linksOf = (record: EntityRecord, contextBase: number, contextRoom: number): EntityLinks => ({
    record,
    typeIndex: typeIndex.get(record.type) ?? -1,
    link: { href: link(entityUrl(record.slug)), name: record.name },
    things: null,
    contextBase,
    contextRoom,
    contextCount: 0,
    number: -1,
    keyWords: reuse ? digestWords(JSON.stringify([record.slug, record.name, record.type, record.wikidata])) : noWords,
  });
  let contextSlots = 0;
  index.entityBySlug.forEach((record, slug) => {
    const entity = linksOf(record, contextSlots, record.articles.length);
    entity.number = entityList.length;
    entityList.push(entity);
    linksBySlug.set(slug, entity);
    contextSlots += record.articles.length;
  });
  // Every entity's contexts, as the bounds of the mention in its article's body (start, end; start -1 for
  // none), and the position of each one's article: numbers until the entity's page is made (their text, held
  // for the whole site, ran to ~0.8 GB at 100,000 articles). The sentence around a mention is found when its
  // page is made, reading only that stretch of the body: finding every article's sentences up front cost
  // ~0.1 s at 10,000 articles in a build after one edit, which makes a few dozen entity pages.
  const mentionBounds = new Int32Array(2 * contextSlots);
  const contextPositions = new Int32Array(contextSlots);
  const entityLinks = (record: EntityRecord): EntityLinks => {
    const found = linksBySlug.get(record.slug);
    return found?.record === record ? found : linksOf(record, 0, 0);
  };
  const countedLink = (entity: EntityLinks, n: number): LinkItem => ({ href: entity.link.href, name: entity.link.name, count: n });
  const topicByCode = new Map(index.topics.map((record) => [record.topic.code, record]));
  const topicLink = (record: TopicRecord, withCount = false): LinkItem => ({
    href: link(topicUrl(record.topic.slug)),
    name: record.topic.label,
    ...(withCount ? { count: record.articles.length } : {}),
  });
  const topicLinks = new Map<string, LinkItem>();
  for (const record of index.topics) if (!topicLinks.has(record.topic.code)) topicLinks.set(record.topic.code, topicLink(topicByCode.get(record.topic.code)!));
  // Each topic link's digest for keys, two numbers.
  const topicWords = new Map<LinkItem, Int32Array>();
  if (reuse) for (const item of topicLinks.values()) topicWords.set(item, digestWords(JSON.stringify([item.href, item.name])));

  // The index's entity facts name records by position: each position's links, when its record is the one
  // its slug names (always, in an index buildArchiveIndex made).
  const linksAt: (EntityLinks | undefined)[] = index.entities.map((record) => {
    const found = linksBySlug.get(record.slug);
    return found?.record === record ? found : undefined;
  });
  const siteUrl = absolute(location, "/");
  const siteLd = siteJsonLd(site, siteUrl);
  // Each article's entities by number, article after article: entityNumbers[firstNumber[p]] on.
  const firstNumber = new Int32Array(index.articles.length + 1);
  index.articles.forEach((indexed, position) => (firstNumber[position + 1] = firstNumber[position]! + indexed.entities.length));
  const entityNumbers = new Int32Array(firstNumber[index.articles.length]!);
  // Each article's entities as its page shows them, found in one pass that also notes the mention each entity
  // page shows in context: the entity's links, and the file offsets of its first mention in the body
  // (-1 when only the title names it) and its number of mentions, three numbers an entity. Scratch lists
  // every article reuses.
  let shown: EntityLinks[] = [];
  let shownFacts = new Int32Array(1024);
  const articlePage = (indexed: ArchiveIndex["articles"][number], position: number): SitePage | ReusedPage => {
    const a = indexed.article;
    const entityCount = indexed.entities.length;
    if (shownFacts.length < 3 * entityCount) shownFacts = new Int32Array(6 * entityCount);
    if (shown.length < entityCount) shown = new Array<EntityLinks>(2 * entityCount);
    const noted = entityFacts(indexed);
    const facts = noted?.length === 4 * entityCount ? noted : undefined;
    for (let i = 0; i < entityCount; i++) {
      const slug = indexed.entities[i]!;
      // From the index's facts when they hold for this entity, else from the article's mentions.
      const known = facts ? linksAt[facts[4 * i]!] : undefined;
      let entity: EntityLinks;
      let start: number;
      let end: number;
      let mentionCount: number;
      if (known && known.record.slug === slug) {
        entity = known;
        start = facts![4 * i + 1]!;
        end = facts![4 * i + 2]!;
        mentionCount = facts![4 * i + 3]!;
      } else {
        entity = linksBySlug.get(slug)!;
        const own = indexed.mentions.get(entity.record.slug);
        ({ start, end, count: mentionCount } = own ? mentionFacts(own, a.bodyOffset) : { start: -1, end: -1, count: 0 });
      }
      shown[i] = entity;
      shownFacts[3 * i] = start;
      shownFacts[3 * i + 1] = end;
      shownFacts[3 * i + 2] = mentionCount;
      // Kept for the entity's page, in the order of its article list (an entity's list has room for each of its articles).
      entityNumbers[firstNumber[position]! + i] = entity.number;
      if (entity.contextCount < entity.contextRoom) {
        const slot = entity.contextBase + entity.contextCount++;
        contextPositions[slot] = position;
        mentionBounds[2 * slot] = start >= 0 ? start - a.bodyOffset : -1;
        mentionBounds[2 * slot + 1] = end - a.bodyOffset;
      }
    }
    const topics: LinkItem[] = [];
    for (let i = 0; i < indexed.topics.length; i++) {
      const topicItem = topicLinks.get(indexed.topics[i]!);
      if (topicItem) topics.push(topicItem);
    }
    // Its key: its own card, then each entity as linked with its first mention and count, then its topics,
    // related articles and neighbours. A page the build has is given back before any of it is made.
    let pageKey: string | undefined;
    if (reuse) {
      keyWriter.start();
      card(position).number(entityCount);
      for (let i = 0; i < entityCount; i++) keyWriter.words(shown[i]!.keyWords, 0).number(shownFacts[3 * i]!).number(shownFacts[3 * i + 1]!).number(shownFacts[3 * i + 2]!);
      keyWriter.number(topics.length);
      for (const topic of topics) keyWriter.words(topicWords.get(topic)!, 0);
      keyWriter.number(indexed.related.length);
      for (const other of indexed.related) card(other);
      // Its neighbours, each after 1, or -1 for none.
      const newer = position + 1 < index.articles.length;
      keyWriter.number(newer ? 1 : -1);
      if (newer) card(position + 1);
      keyWriter.number(position > 0 ? 1 : -1);
      if (position > 0) card(position - 1);
      pageKey = keyWriter.finish();
      if (reuse("article", a.url, pageKey)) return { list: "article", reused: true, url: a.url, key: pageKey, updated: a.updated };
    }
    // One more pass makes its body links, its entity groups and its JSON-LD.
    const links: BodyLink[] = [];
    const groups: LinkItem[][] = [];
    // The JSON-LD's entity lists, as pieces: the first entity's JSON, then each next one's with its comma.
    const things: string[] = [];
    const about: string[] = [];
    for (let i = 0; i < entityCount; i++) {
      const entity = shown[i]!;
      const start = shownFacts[3 * i]!;
      if (start >= 0) links.push({ start: start - a.bodyOffset, end: shownFacts[3 * i + 1]! - a.bodyOffset, url: entity.link.href });
      if (entity.typeIndex >= 0) (groups[entity.typeIndex] ??= []).push(entity.link);
      const { thing, nextThing } = thingsOf(entity);
      things.push(things.length === 0 ? thing : nextThing);
      if (shownFacts[3 * i + 2]! >= 3) about.push(about.length === 0 ? thing : nextThing);
    }
    const entityGroups: ArticlePage["entityGroups"] = [];
    ENTITY_TYPES.forEach((type, i) => {
      const items = groups[i];
      if (items) entityGroups.push({ type, label: TYPE_LABELS[type].many, items });
    });
    const ownCard = cardAt(position);
    const page: ArticlePage = {
      url: a.url,
      title: a.title,
      description: a.summary,
      canonical: absolute(location, a.url),
      feed: siteFeed,
      article: {
        href: ownCard.href,
        title: ownCard.title,
        date: ownCard.date,
        dateLabel: ownCard.dateLabel,
        summary: ownCard.summary,
        source: ownCard.source,
        updated: a.updated,
        sourceUrl: a.sourceUrl,
        html: context.renderBody(a, links),
      },
      entityGroups,
      topics,
      related: indexed.related.map(cardAt),
      // Positions run newest first: the next (newer) story is one position up.
      previous: position + 1 < index.articles.length ? cardAt(position + 1) : null,
      next: position > 0 ? cardAt(position - 1) : null,
      jsonLd: newsArticleJsonLd(a, things, about, site, location, siteUrl, siteLd),
    };
    return pageKey === undefined ? { list: "article", page } : { list: "article", page, key: pageKey };
  };
  for (let position = 0; position < index.articles.length; position++) yield articlePage(index.articles[position]!, position);

  const indexGroups: LinkItem[][] = [];
  index.entities.forEach((record) => {
    const entity = entityLinks(record);
    if (entity.typeIndex >= 0) (indexGroups[entity.typeIndex] ??= []).push(countedLink(entity, record.articles.length));
  });
  const entityIndex: EntityIndexPage[] = [{
    ...base("/entities/", "Entities", `The people, organisations and places in ${site.title}.`),
    groups: ENTITY_TYPES.flatMap((type, i) => (indexGroups[i] ? [{ type, label: TYPE_LABELS[type].many, items: indexGroups[i] }] : [])),
  }];
  for (const page of entityIndex) yield { list: "entityIndex", page };

  // Most entities share a timeline with many others (one article, one month): draw each distinct one once.
  // A timeline reads only the month of each article: the key is each month with its count, in order.
  const months = new Int32Array(index.articles.length);
  let numbered = true;
  index.articles.forEach((indexed, position) => {
    const month = monthNumber(indexed.article.date);
    if (month < 0) numbered = false;
    months[position] = month;
  });
  const timelines = new Map<string, Timeline | null>();
  const timelineOf = (positions: number[]): Timeline | null => {
    if (!numbered) return timelineByDates(positions);
    // Each month and its count as two UTF-16 code units each: a short key, made in one piece.
    const runs: number[] = [];
    for (let i = 0; i < positions.length; ) {
      const month = months[positions[i]!]!;
      let j = i + 1;
      while (j < positions.length && months[positions[j]!] === month) j++;
      runs.push(month >>> 16, month & 0xffff, (j - i) >>> 16, (j - i) & 0xffff);
      i = j;
    }
    let key = runs.length <= 4096 ? String.fromCharCode.apply(null, runs) : "";
    for (let i = 0; runs.length > 4096 && i < runs.length; i += 4096) key += String.fromCharCode.apply(null, runs.slice(i, i + 4096));
    let timeline = timelines.get(key);
    if (timeline === undefined) {
      const of = new Int32Array(positions.length);
      for (let i = 0; i < positions.length; i++) of[i] = months[positions[i]!]!;
      timelines.set(key, (timeline = monthTimeline(of, site.language)));
    }
    return timeline;
  };
  // For dates that are not all YYYY-MM-DD (never from the loader), by the text of each month.
  const timelineByDates = (positions: number[]): Timeline | null => {
    const dates = positions.map((position) => index.articles[position]!.article.date.slice(0, 7));
    const key = dates.join();
    let timeline = timelines.get(key);
    if (timeline === undefined) timelines.set(key, (timeline = articleTimeline(dates.map((month) => `${month}-01`), site.language)));
    return timeline;
  };
  // A context found with its article, made into text.
  const contextAt = (slot: number, position: number): MentionContext | null => {
    const start = mentionBounds[2 * slot]!;
    return start < 0 ? null : mentionContext(index.articles[position]!.article.body, start, mentionBounds[2 * slot + 1]!);
  };
  // An entity's contexts were found with its articles; one not found there (an index whose entity and
  // article lists disagree) is made here.
  const contextIn = (position: number, slug: string): MentionContext | null => {
    const indexed = index.articles[position]!;
    const own = indexed.mentions.get(slug);
    const first = own ? mentionFacts(own, indexed.article.bodyOffset) : undefined;
    return first && first.start >= 0 ? mentionContext(indexed.article.body, first.start - indexed.article.bodyOffset, first.end - indexed.article.bodyOffset) : null;
  };
  // (One call per entity, not one long loop: V8 optimises a function called thousands of times much sooner.)
  // An entity page's key: the entity as linked, its aliases, description and related entities, and each of
  // its articles with the bounds of the mention its context is found around.
  const entityKey = (record: EntityRecord, made: EntityLinks): string | undefined => {
    const count = record.articles.length;
    // A context not found with its article (an index whose lists disagree) is read from the mentions: no key then.
    if (made.contextCount !== count) return undefined;
    keyWriter.start().words(made.keyWords, 0).number(record.related.length);
    for (const [slug, shared] of record.related) {
      const other = linksBySlug.get(slug);
      (other ? keyWriter.number(1).words(other.keyWords, 0) : keyWriter.number(-1)).number(shared);
    }
    keyWriter.number(count);
    for (let at = 0; at < count; at++) {
      const position = record.articles[at]!;
      if (contextPositions[made.contextBase + at] !== position) return undefined;
      card(position);
    }
    return keyWriter.numbers(mentionBounds.subarray(2 * made.contextBase, 2 * (made.contextBase + count))).finish(JSON.stringify([record.aliases, record.description]));
  };
  const entityPages = (record: EntityRecord): (SitePage | ReusedPage)[] => {
    const url = entityUrl(record.slug);
    const made = entityLinks(record);
    const pages = paginate(record.articles, site.pageSize, url);
    const key = reuse ? entityKey(record, made) : undefined;
    if (key !== undefined && pages.every((page) => reuse!("entity", page.url, key))) return pages.map((page) => ({ list: "entity", reused: true, url: page.url, key }));
    const feed = { href: link(`${url}feed.xml`), title: `${record.name}: ${site.title}` };
    const related: LinkItem[] = [];
    for (let i = 0; i < record.related.length; i++) {
      const [slug, shared] = record.related[i]!;
      const other = linksBySlug.get(slug);
      if (other) related.push(countedLink(other, shared));
    }
    const articleCount = count(record.articles.length, "article");
    const description = record.description ?? `${articleCount} mentioning ${record.name}.`;
    const timeline = timelineOf(record.articles);
    const about = {
      name: record.name,
      typeLabel: TYPE_LABELS[record.type].one,
      aliases: record.aliases,
      description: record.description,
      wikidata: record.wikidata,
      articleCount,
    };
    const entity: SitePage[] = [];
    let at = 0;
    for (let p = 0; p < pages.length; p++) {
      const page = pages[p]!;
      const items: EntityPage["items"] = [];
      for (let i = 0; i < page.items.length; i++) {
        const position = page.items[i]!;
        const slot = made.contextBase + at;
        const context = at < made.contextCount && contextPositions[slot] === position ? contextAt(slot, position) : contextIn(position, record.slug);
        items.push({ card: cardAt(position), context });
        at++;
      }
      const entityPage: EntityPage = {
        url: page.url,
        title: pageTitle(record.name, page),
        description,
        canonical: absolute(location, page.url),
        feed,
        entity: about,
        related,
        timeline,
        items,
        pager: pagerOf(page, url),
      };
      entity.push(key === undefined ? { list: "entity", page: entityPage } : { list: "entity", page: entityPage, key });
    }
    return entity;
  };
  for (const record of index.entities) yield* entityPages(record);

  const childrenOf = new Map<string, TopicRecord[]>();
  for (const record of index.topics) {
    if (!record.topic.parent) continue;
    const children = childrenOf.get(record.topic.parent);
    if (children) children.push(record);
    else childrenOf.set(record.topic.parent, [record]);
  }
  const depthOf = (record: TopicRecord): number => {
    let depth = 0;
    for (let parent = record.topic.parent; parent && depth < 20; parent = topicByCode.get(parent)?.topic.parent ?? null) depth++;
    return depth;
  };
  // The index lists the topics that have articles, with their ancestors to keep the tree whole; a taxonomy's
  // empty branches would only be a list of zeros.
  const covered = new Set<string>();
  for (const record of index.topics) {
    if (record.articles.length === 0) continue;
    for (let code: string | null = record.topic.code, depth = 0; code && !covered.has(code) && depth < 20; code = topicByCode.get(code)?.topic.parent ?? null, depth++) covered.add(code);
  }
  const topicIndex: TopicIndexPage[] = [{
    ...base("/topics/", "Topics", `What ${site.title} covers, by IPTC Media Topic.`),
    items: topicTreeOrder(index.topics, childrenOf)
      .filter((record) => covered.has(record.topic.code))
      .map((record) => ({ ...topicLink(record, true), depth: depthOf(record) })),
  }];
  for (const page of topicIndex) yield { list: "topicIndex", page };
  const topEntities = topEntitiesOf(entityList, entityNumbers, firstNumber);
  const topicPages = function* (record: TopicRecord): Generator<SitePage | ReusedPage, void, undefined> {
    const url = topicUrl(record.topic.slug);
    const parent = record.topic.parent ? topicByCode.get(record.topic.parent) : undefined;
    const feed = { href: link(`${url}feed.xml`), title: `${record.topic.label}: ${site.title}` };
    const timeline = timelineOf(record.articles);
    const related = topEntities(record.articles).map(([entity, shared]) => countedLink(entity, shared));
    // A topic no article is about yet keeps its address, but is no page for a search engine.
    const noindex = record.articles.length === 0;
    const topic: TopicPage["topic"] = {
      label: capitalise(record.topic.label),
      code: record.topic.code,
      parent: parent ? topicLink(parent) : null,
      children: (childrenOf.get(record.topic.code) ?? []).filter((child) => covered.has(child.topic.code)).map((child) => topicLink(child, true)),
      articleCount: count(record.articles.length, "article"),
    };
    const frame = reuse ? createHash("sha256").update(JSON.stringify(["topic", record.topic, topic, related, timeline])).digest("base64url") : "";
    for (const page of paginate(record.articles, site.pageSize, url)) {
      yield listingPage(
        "topic",
        frame,
        page,
        () => ({
          ...base(page.url, pageTitle(topic.label, page), `${topic.articleCount} on ${record.topic.label}.`, feed),
          ...(noindex ? { noindex } : {}),
          topic,
          related,
          timeline,
          cards: page.items.map(cardAt),
          pager: pagerOf(page, url),
        }),
        noindex,
      );
    }
  };
  for (const record of index.topics) yield* topicPages(record);

  const years = new Map<string, typeof index.months>();
  for (const month of index.months) {
    const months = years.get(month.year);
    if (months) months.push(month);
    else years.set(month.year, [month]);
  }
  const monthLink = (m: (typeof index.months)[number]): LinkItem => ({
    href: link(`/archive/${m.year}/${m.month}/`),
    name: formatMonth(`${m.year}-${m.month}`, site.language),
    count: m.articles.length,
  });
  const archiveIndex: ArchiveIndexPage[] = [{
    ...base("/archive/", "Archive", `Every article in ${site.title}, by date.`),
    years: [...years].map(([year, months]) => ({
      href: link(`/archive/${year}/`),
      name: year,
      count: months.reduce((sum, m) => sum + m.articles.length, 0),
      months: months.map(monthLink),
    })),
  }];
  const archiveYear: YearPage[] = [...years].map(([year, months]) => ({
    ...base(`/archive/${year}/`, `Articles of ${year}`, `${site.title}: the articles of ${year}, by month.`),
    heading: `Articles of ${year}`,
    months: months.map(monthLink),
  }));
  for (const page of archiveIndex) yield { list: "archiveIndex", page };
  for (const page of archiveYear) yield { list: "archiveYear", page };
  const monthPages = function* (m: (typeof index.months)[number]): Generator<SitePage | ReusedPage, void, undefined> {
    const url = `/archive/${m.year}/${m.month}/`;
    const label = formatMonth(`${m.year}-${m.month}`, site.language);
    for (const page of paginate(m.articles, site.pageSize, url)) {
      yield listingPage("archiveMonth", "archiveMonth", page, () => ({
        ...base(page.url, pageTitle(`Articles of ${label}`, page), `${site.title}: the articles of ${label}.`),
        heading: `Articles of ${label}`,
        cards: page.items.map(cardAt),
        pager: pagerOf(page, url),
      }));
    }
  };
  for (const m of index.months) yield* monthPages(m);
  yield { list: "search", page: { ...base("/search/", "Search", `Search ${site.title}.`), noindex: true } };
  yield { list: "notFound", page: { ...base("/404.html", "Page not found", "There is no page at this address."), noindex: true } };
}

function toCard(article: Article, link: (url: string) => string, language: string, dayLabels: Map<string, string>): Card {
  // Thousands of articles share a day: format each day once.
  let dateLabel = dayLabels.get(article.date);
  if (dateLabel === undefined) dayLabels.set(article.date, (dateLabel = formatDay(article.date, language)));
  return {
    href: link(article.url),
    title: article.title,
    date: article.date,
    dateLabel,
    summary: article.summary,
    source: article.source,
  };
}

const TOPIC_ENTITIES = 12;

/**
 * The entities named in most of a topic's articles, most first (ties by name, then by first named), from
 * counts by entity number: a topic of thousands of articles tallies without a map and sorts only its best.
 */
function topEntitiesOf(entities: EntityLinks[], numbers: Int32Array, firstNumber: Int32Array): (positions: number[]) => [EntityLinks, number][] {
  const tally = new Int32Array(entities.length);
  const seen = new Int32Array(entities.length);
  const touched = new Int32Array(entities.length);
  const top: number[] = [];
  const before = (a: number, b: number) => {
    if (tally[a] !== tally[b]) return tally[a]! > tally[b]!;
    const nameA = entities[a]!.record.name;
    const nameB = entities[b]!.record.name;
    return nameA !== nameB ? nameA < nameB : seen[a]! < seen[b]!;
  };
  return (positions) => {
    let count = 0;
    for (let p = 0; p < positions.length; p++) {
      for (let k = firstNumber[positions[p]!]!; k < firstNumber[positions[p]! + 1]!; k++) {
        const id = numbers[k]!;
        if (tally[id] === 0) {
          seen[id] = count;
          touched[count++] = id;
        }
        tally[id]!++;
      }
    }
    // The best few, in order: what sorting them all and keeping the head would give.
    top.length = 0;
    for (let i = 0; i < count; i++) {
      const candidate = touched[i]!;
      if (top.length === TOPIC_ENTITIES && !before(candidate, top[TOPIC_ENTITIES - 1]!)) continue;
      let at = top.length === TOPIC_ENTITIES ? TOPIC_ENTITIES - 1 : top.length;
      while (at > 0 && before(candidate, top[at - 1]!)) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = candidate;
    }
    const best = top.map((id): [EntityLinks, number] => [entities[id]!, tally[id]!]);
    for (let i = 0; i < count; i++) tally[touched[i]!] = 0;
    return best;
  };
}

function topicTreeOrder(records: TopicRecord[], childrenOf: Map<string, TopicRecord[]>): TopicRecord[] {
  const ordered: TopicRecord[] = [];
  const walk = (record: TopicRecord, depth: number) => {
    ordered.push(record);
    if (depth < 20) for (const child of childrenOf.get(record.topic.code) ?? []) walk(child, depth + 1);
  };
  const codes = new Set(records.map((r) => r.topic.code));
  for (const record of records) if (!record.topic.parent || !codes.has(record.topic.parent)) walk(record, 0);
  return ordered;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An entity as a schema.org Thing. */
function schemaThing(e: EntityRecord, location: SiteLocation): object {
  return {
    "@type": e.type === "person" ? "Person" : e.type === "organization" ? "Organization" : e.type === "place" ? "Place" : e.type === "event" ? "Event" : "Thing",
    name: e.name,
    url: absolute(location, entityUrl(e.slug)),
    ...(e.wikidata ? { sameAs: `https://www.wikidata.org/wiki/${e.wikidata}` } : {}),
  };
}

/**
 * schema.org NewsArticle, with its entities as `about`/`mentions`, as JSON safe for a <script> block. The
 * entities' JSON (`things`, all of them; `about`, those mentioned three times or more: each list its first
 * entity's JSON, then the others' with a comma before) is made once per entity and joined in: the same
 * text JSON.stringify gives for the whole.
 */
function newsArticleJsonLd(a: Article, things: string[], about: string[], site: SiteConfig, location: SiteLocation, siteUrl: string, siteLd: SiteJsonLd | null): string {
  const origin = originOf(a.sourceUrl);
  const url = absolute(location, a.url);
  // Joined in one go: one flat string, as the page's JSON will read it.
  const parts: string[] = [];
  const texts = typeof a.title === "string" && typeof a.summary === "string" && typeof a.date === "string" && typeof a.updated === "string";
  if (siteLd && texts && (a.source === null || typeof a.source === "string") && (a.sourceUrl === null || typeof a.sourceUrl === "string")) {
    // What JSON.stringify writes for the object below, written directly: the same keys in the same order,
    // each text as JSON.stringify writes it.
    const source = a.source ? `{"@type":"Organization","name":${json(a.source)}${origin ? `,"url":${json(origin)}` : ""}}` : null;
    const urlJson = json(url);
    parts.push(
      `{"@context":"https://schema.org","@type":"NewsArticle","headline":`,
      json(a.title),
      `,"description":`,
      json(a.summary),
      `,"datePublished":`,
      json(a.date),
      `,"dateModified":`,
      json(a.updated),
      `,"url":`,
      urlJson,
      `,"mainEntityOfPage":`,
      urlJson,
      `,"inLanguage":`,
      siteLd.language,
      `,"publisher":`,
      siteLd.organization,
      `,"author":`,
      source ?? siteLd.organization,
    );
    if (source) parts.push(`,"sourceOrganization":`, source);
    if (a.sourceUrl) parts.push(`,"isBasedOn":`, json(a.sourceUrl));
  } else {
    const source = a.source ? { "@type": "Organization", name: a.source, ...(origin ? { url: origin } : {}) } : null;
    const head = scriptSafe(JSON.stringify({
      "@context": "https://schema.org",
      "@type": "NewsArticle",
      headline: a.title,
      description: a.summary,
      datePublished: a.date,
      dateModified: a.updated,
      url,
      mainEntityOfPage: url,
      inLanguage: site.language,
      publisher: { "@type": "Organization", name: site.publisher, url: siteUrl },
      // The story's own outlet wrote it; an article with no source is the archive's own.
      author: source ?? { "@type": "Organization", name: site.publisher, url: siteUrl },
      ...(source ? { sourceOrganization: source } : {}),
      ...(a.sourceUrl ? { isBasedOn: a.sourceUrl } : {}),
    }));
    parts.push(head.slice(0, -1));
  }
  if (about.length > 0) {
    parts.push(`,"about":[`);
    for (let i = 0; i < about.length; i++) parts.push(about[i]!);
    parts.push("]");
  }
  parts.push(`,"mentions":[`);
  for (let i = 0; i < things.length; i++) parts.push(things[i]!);
  parts.push("]}");
  return parts.join("");
}

/**
 * An article's JSON-LD, as its page has it, with its `about` made again: the entities of its `mentions` whose
 * flag is set, in their order (see newsArticleJsonLd), for an edit that changed only how many times the
 * article names them. Null when its `mentions` are not as many as the flags.
 */
export function jsonLdWithAbout(jsonLd: string, about: readonly boolean[]): string | null {
  // (Both keys can stand only where the JSON-LD's own structure puts them: any quote in a text is escaped.)
  const mentionsAt = jsonLd.lastIndexOf(`,"mentions":[`);
  if (mentionsAt < 0) return null;
  const aboutAt = jsonLd.lastIndexOf(`,"about":[`, mentionsAt);
  const things = (JSON.parse(jsonLd) as { mentions?: unknown }).mentions;
  if (!Array.isArray(things) || things.length !== about.length) return null;
  const texts = things.map((thing) => scriptSafe(JSON.stringify(thing)));
  const chosen = texts.filter((_, i) => about[i]);
  return `${jsonLd.slice(0, aboutAt >= 0 ? aboutAt : mentionsAt)}${chosen.length > 0 ? `,"about":[${chosen.join(",")}]` : ""},"mentions":[${texts.join(",")}]}`;
}

/** The site's own parts of every article's JSON-LD, as JSON: its language, and itself as publisher. */
interface SiteJsonLd {
  language: string;
  organization: string;
}

/** Null when they are not all texts (JSON.stringify of the whole object then writes them). */
function siteJsonLd(site: SiteConfig, siteUrl: string): SiteJsonLd | null {
  if (typeof site.language !== "string" || typeof site.publisher !== "string") return null;
  return { language: json(site.language), organization: `{"@type":"Organization","name":${json(site.publisher)},"url":${json(siteUrl)}}` };
}

/** A text as JSON, safe for a <script> block. */
function json(text: string): string {
  return scriptSafe(JSON.stringify(text));
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
