import type { Article } from "../content/article.js";
import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex, EntityRecord, IndexedArticle, TopicRecord } from "../index/archive-index.js";
import { ENTITY_TYPES, type EntityType } from "../nlp/types.js";
import type { BodyLink } from "../render/markdown.js";
import { mentionContext, type MentionContext } from "./context.js";
import { jsonForScript } from "./escape.js";
import { count, formatDay, formatMonth, TYPE_LABELS } from "./format.js";
import { articleTimeline, type Timeline } from "./timeline.js";
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

export type RenderBody = (article: Article, links: BodyLink[]) => string;

export interface PageContext {
  index: ArchiveIndex;
  site: SiteConfig;
  location: SiteLocation;
  renderBody: RenderBody;
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

/** All pages of the site as plain data. One pass over the index; no page scans the archive. */
export function buildPages(context: PageContext): SitePages {
  const { index, site, location } = context;
  const link = (url: string) => href(location, url);
  const base = (url: string, title: string, description: string, feed: PageBase["feed"] = null): PageBase => ({
    url,
    title,
    description,
    canonical: absolute(location, url),
    feed,
  });
  const cards = index.articles.map(({ article }) => toCard(article, link, site.language));
  const pagerOf = (page: { number: number; total: number }, baseUrl: string): Pager => ({
    current: page.number,
    total: page.total,
    prevHref: page.number > 1 ? link(page.number === 2 ? baseUrl : `${baseUrl}page/${page.number - 1}/`) : null,
    nextHref: page.number < page.total ? link(`${baseUrl}page/${page.number + 1}/`) : null,
    label: `Page ${page.number} of ${page.total}`,
  });
  const siteFeed = { href: link("/feed.xml"), title: site.title };
  const pageTitle = (title: string, page: { number: number }) => (page.number > 1 ? `${title} (page ${page.number})` : title);

  const home: ListingPage[] = paginate(cards, site.pageSize, "/").map((page) => ({
    ...base(page.url, page.number > 1 ? pageTitle("Latest articles", page) : site.title, site.description, siteFeed),
    heading: "Latest articles",
    cards: page.items,
    pager: pagerOf(page, "/"),
  }));

  const entityLink = (entity: EntityRecord, withCount = false): LinkItem => ({
    href: link(entityUrl(entity.slug)),
    name: entity.name,
    ...(withCount ? { count: entity.articles.length } : {}),
  });
  const topicByCode = new Map(index.topics.map((record) => [record.topic.code, record]));
  const topicLink = (record: TopicRecord, withCount = false): LinkItem => ({
    href: link(topicUrl(record.topic.slug)),
    name: record.topic.label,
    ...(withCount ? { count: record.articles.length } : {}),
  });

  const article: ArticlePage[] = index.articles.map((indexed, position) => {
    const entities = indexed.entities.map((slug) => index.entityBySlug.get(slug)!);
    const links: BodyLink[] = [];
    for (const entity of entities) {
      const first = indexed.mentions.get(entity.slug)?.mentions.find((m) => m.start >= indexed.article.bodyOffset);
      if (first) {
        links.push({ start: first.start - indexed.article.bodyOffset, end: first.end - indexed.article.bodyOffset, url: link(entityUrl(entity.slug)) });
      }
    }
    const card = cards[position]!;
    const a = indexed.article;
    return {
      ...base(a.url, a.title, a.summary, siteFeed),
      article: { ...card, updated: a.updated, sourceUrl: a.sourceUrl, html: context.renderBody(a, links) },
      entityGroups: ENTITY_TYPES.map((type) => ({
        type,
        label: TYPE_LABELS[type].many,
        items: entities.filter((e) => e.type === type).map((e) => entityLink(e)),
      })).filter((group) => group.items.length > 0),
      topics: indexed.topics.flatMap((code) => {
        const record = topicByCode.get(code);
        return record ? [topicLink(record)] : [];
      }),
      related: indexed.related.map((other) => cards[other]!),
      // Positions run newest first: the next (newer) story is one position up.
      previous: position + 1 < cards.length ? cards[position + 1]! : null,
      next: position > 0 ? cards[position - 1]! : null,
      jsonLd: jsonForScript(newsArticleJsonLd(indexed, entities, site, location)),
    };
  });

  const entityIndex: EntityIndexPage[] = [{
    ...base("/entities/", "Entities", `The people, organisations and places in ${site.title}.`),
    groups: ENTITY_TYPES.map((type) => ({
      type,
      label: TYPE_LABELS[type].many,
      items: index.entities.filter((e) => e.type === type).map((e) => entityLink(e, true)),
    })).filter((group) => group.items.length > 0),
  }];

  // Most entities share a timeline with many others (one article, one month): draw each distinct one once.
  const timelines = new Map<string, Timeline | null>();
  const timelineOf = (positions: number[]): Timeline | null => {
    const dates = positions.map((position) => index.articles[position]!.article.date.slice(0, 7));
    const key = dates.join();
    let timeline = timelines.get(key);
    if (timeline === undefined) timelines.set(key, (timeline = articleTimeline(dates.map((month) => `${month}-01`), site.language)));
    return timeline;
  };
  const entity: EntityPage[] = index.entities.flatMap((record) => {
    const url = entityUrl(record.slug);
    const feed = { href: link(`${url}feed.xml`), title: `${record.name}: ${site.title}` };
    const related = record.related.flatMap(([slug, shared]) => {
      const other = index.entityBySlug.get(slug);
      return other ? [{ ...entityLink(other), count: shared }] : [];
    });
    const description = record.description ?? `${count(record.articles.length, "article")} mentioning ${record.name}.`;
    const timeline = timelineOf(record.articles);
    return paginate(record.articles, site.pageSize, url).map((page) => ({
      ...base(page.url, pageTitle(record.name, page), description, feed),
      entity: {
        name: record.name,
        typeLabel: TYPE_LABELS[record.type].one,
        aliases: record.aliases,
        description: record.description,
        wikidata: record.wikidata,
        articleCount: count(record.articles.length, "article"),
      },
      related,
      timeline,
      items: page.items.map((position) => ({ card: cards[position]!, context: contextIn(index.articles[position]!, record.slug) })),
      pager: pagerOf(page, url),
    }));
  });

  const childrenOf = new Map<string, TopicRecord[]>();
  for (const record of index.topics) {
    if (record.topic.parent) childrenOf.set(record.topic.parent, [...(childrenOf.get(record.topic.parent) ?? []), record]);
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
  const topic: TopicPage[] = index.topics.flatMap((record) => {
    const url = topicUrl(record.topic.slug);
    const parent = record.topic.parent ? topicByCode.get(record.topic.parent) : undefined;
    const feed = { href: link(`${url}feed.xml`), title: `${record.topic.label}: ${site.title}` };
    const timeline = timelineOf(record.articles);
    const related = topEntities(record.articles, index).map(([entity, shared]) => ({ ...entityLink(entity), count: shared }));
    return paginate(record.articles, site.pageSize, url).map((page) => ({
      ...base(page.url, pageTitle(capitalise(record.topic.label), page), `${count(record.articles.length, "article")} on ${record.topic.label}.`, feed),
      // A topic no article is about yet keeps its address, but is no page for a search engine.
      ...(record.articles.length === 0 ? { noindex: true } : {}),
      topic: {
        label: capitalise(record.topic.label),
        code: record.topic.code,
        parent: parent ? topicLink(parent) : null,
        children: (childrenOf.get(record.topic.code) ?? []).filter((child) => covered.has(child.topic.code)).map((child) => topicLink(child, true)),
        articleCount: count(record.articles.length, "article"),
      },
      related,
      timeline,
      cards: page.items.map((position) => cards[position]!),
      pager: pagerOf(page, url),
    }));
  });

  const years = new Map<string, typeof index.months>();
  for (const month of index.months) years.set(month.year, [...(years.get(month.year) ?? []), month]);
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
  const archiveMonth: ListingPage[] = index.months.flatMap((m) => {
    const url = `/archive/${m.year}/${m.month}/`;
    const label = formatMonth(`${m.year}-${m.month}`, site.language);
    return paginate(m.articles, site.pageSize, url).map((page) => ({
      ...base(page.url, pageTitle(`Articles of ${label}`, page), `${site.title}: the articles of ${label}.`),
      heading: `Articles of ${label}`,
      cards: page.items.map((position) => cards[position]!),
      pager: pagerOf(page, url),
    }));
  });

  return {
    home,
    article,
    entityIndex,
    entity,
    topicIndex,
    topic,
    archiveIndex,
    archiveYear,
    archiveMonth,
    search: [{ ...base("/search/", "Search", `Search ${site.title}.`), noindex: true }],
    notFound: [{ ...base("/404.html", "Page not found", "There is no page at this address."), noindex: true }],
  };
}

function toCard(article: Article, link: (url: string) => string, language: string): Card {
  return {
    href: link(article.url),
    title: article.title,
    date: article.date,
    dateLabel: formatDay(article.date, language),
    summary: article.summary,
    source: article.source,
  };
}

const TOPIC_ENTITIES = 12;

/** The entities named in most of these articles, most first (ties by name). */
function topEntities(positions: number[], index: ArchiveIndex): [EntityRecord, number][] {
  const tally = new Map<string, number>();
  for (const position of positions) for (const slug of index.articles[position]!.entities) tally.set(slug, (tally.get(slug) ?? 0) + 1);
  return [...tally]
    .map(([slug, n]): [EntityRecord, number] => [index.entityBySlug.get(slug)!, n])
    .sort((a, b) => b[1] - a[1] || (a[0].name < b[0].name ? -1 : a[0].name > b[0].name ? 1 : 0))
    .slice(0, TOPIC_ENTITIES);
}

function contextIn(indexed: IndexedArticle, slug: string): MentionContext | null {
  const body = indexed.article.body;
  const first = indexed.mentions.get(slug)?.mentions.find((m) => m.start >= indexed.article.bodyOffset);
  if (!first) return null;
  return mentionContext(body, first.start - indexed.article.bodyOffset, first.end - indexed.article.bodyOffset);
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

/** schema.org NewsArticle, with its entities as `about`/`mentions`. */
function newsArticleJsonLd(indexed: IndexedArticle, entities: EntityRecord[], site: SiteConfig, location: SiteLocation): object {
  const a = indexed.article;
  const thing = (e: EntityRecord) => ({
    "@type": e.type === "person" ? "Person" : e.type === "organization" ? "Organization" : e.type === "place" ? "Place" : e.type === "event" ? "Event" : "Thing",
    name: e.name,
    url: absolute(location, entityUrl(e.slug)),
    ...(e.wikidata ? { sameAs: `https://www.wikidata.org/wiki/${e.wikidata}` } : {}),
  });
  const mentionCount = (e: EntityRecord) => indexed.mentions.get(e.slug)?.mentions.length ?? 0;
  const about = entities.filter((e) => mentionCount(e) >= 3).map(thing);
  const source = a.source ? { "@type": "Organization", name: a.source, ...(originOf(a.sourceUrl) ? { url: originOf(a.sourceUrl) } : {}) } : null;
  return {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    headline: a.title,
    description: a.summary,
    datePublished: a.date,
    dateModified: a.updated,
    url: absolute(location, a.url),
    mainEntityOfPage: absolute(location, a.url),
    inLanguage: site.language,
    publisher: { "@type": "Organization", name: site.publisher, url: absolute(location, "/") },
    // The story's own outlet wrote it; an article with no source is the archive's own.
    author: source ?? { "@type": "Organization", name: site.publisher, url: absolute(location, "/") },
    ...(source ? { sourceOrganization: source } : {}),
    ...(a.sourceUrl ? { isBasedOn: a.sourceUrl } : {}),
    ...(about.length > 0 ? { about } : {}),
    mentions: entities.map(thing),
  };
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
