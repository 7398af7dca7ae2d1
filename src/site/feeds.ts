import type { Article } from "../content/article.js";
import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex } from "../index/archive-index.js";
import { escapeXml } from "./escape.js";
import { articleWords, KeyWriter, settingsKey } from "./keys.js";
import { entityUrl, topicUrl } from "./pages.js";
import { absolute, type SiteLocation } from "./urls.js";

/** A file the site stage writes beside the rendered pages; path is relative to the output folder. */
export interface OutputFile {
  path: string;
  /** Text (written as UTF-8) or bytes (the search bundle). */
  content: string | Uint8Array;
}

interface FeedSpec {
  path: string;
  pageUrl: string;
  title: string;
  subtitle: string;
  articles: readonly number[];
}

/** A file the build already has and need not make again: its inputs' key is that of the file it has. */
export interface ReusedFile {
  path: string;
  key: string;
  reused: true;
}

/** An output file with the key of its inputs (see atomFeeds). */
export type KeyedFile = OutputFile & { key: string };

/** Whether the build has the file at `path` made from inputs with this key (see PageContext.reuse). */
export type ReuseFile = (path: string, key: string) => boolean;

/**
 * Atom: the newest articles of the whole site, of each entity and of each topic. Each feed is UTF-8 bytes:
 * an article's entry is the same in every feed it is in, so it is written and encoded once, and a feed
 * is its head and those bytes copied together (thousands of feeds, most of whose text is shared).
 *
 * With `reuse`, each feed gets a key: the site's settings and address, the feed's path, page, title and
 * subtitle, and the hashes of its articles' files (an entry is made from its article's file alone). A feed
 * the build has is given back as a ReusedFile, unmade: after one edit at 10,000 articles, making and
 * hashing all 6,600 entity feeds cost ~0.3 s for the few that changed.
 */
export function atomFeeds(index: ArchiveIndex, site: SiteConfig, location: SiteLocation): OutputFile[];
export function atomFeeds(index: ArchiveIndex, site: SiteConfig, location: SiteLocation, reuse: ReuseFile): (KeyedFile | ReusedFile)[];
export function atomFeeds(index: ArchiveIndex, site: SiteConfig, location: SiteLocation, reuse?: ReuseFile): (OutputFile | KeyedFile | ReusedFile)[] {
  const bytes = new ByteArena();
  const entries: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(index.articles.length);
  const entryOf = (position: number) => (entries[position] ??= bytes.encode(atomEntry(index.articles[position]!.article, location)));
  // Each article's `updated` as its rank among them all (text order), so a feed finds its latest without reading the articles.
  const updatedTexts = index.articles.map(({ article }) => article.updated);
  const distinct = [...new Set(updatedTexts)].sort();
  const rankOf = new Map(distinct.map((text, rank) => [text, rank]));
  const updatedRank = Int32Array.from(updatedTexts, (text) => rankOf.get(text)!);
  // Keys as numbers (see KeyWriter): each article as the first 64 bits of its file's hash.
  const keyWriter = new KeyWriter(reuse ? settingsKey(site, location) : "");
  const hashWords = reuse ? articleWords(index.articles) : new Int32Array(0);
  const feedOf = (spec: FeedSpec): OutputFile | KeyedFile | ReusedFile => {
    const positions = spec.articles.length > site.feedSize ? spec.articles.slice(0, site.feedSize) : spec.articles;
    let key: string | undefined;
    if (reuse) {
      keyWriter.start().number(positions.length);
      for (let i = 0; i < positions.length; i++) keyWriter.words(hashWords, 2 * positions[i]!);
      key = keyWriter.finish(`${spec.path}\0${spec.pageUrl}\0${spec.title}\0${spec.subtitle}`);
      if (reuse(spec.path, key)) return { path: spec.path, key, reused: true };
    }
    let latest = -1;
    for (let i = 0; i < positions.length; i++) if (updatedRank[positions[i]!]! > latest) latest = updatedRank[positions[i]!]!;
    const updated = latest >= 0 ? distinct[latest]! : "1970-01-01";
    const feedUrl = escapeXml(absolute(location, `/${spec.path}`));
    const head =
      `<?xml version="1.0" encoding="utf-8"?>\n` +
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${language}">\n` +
      `  <title>${escapeXml(spec.title)}</title>\n` +
      `  <subtitle>${escapeXml(spec.subtitle)}</subtitle>\n` +
      `  <id>${feedUrl}</id>\n` +
      `  <link rel="self" type="application/atom+xml" href="${feedUrl}"/>\n` +
      `  <link rel="alternate" type="text/html" href="${escapeXml(absolute(location, spec.pageUrl))}"/>\n` +
      `  <updated>${updated}T00:00:00Z</updated>\n` +
      `  <author><name>${publisher}</name></author>\n` +
      `  <generator>Gazette</generator>\n`;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < positions.length; i++) parts.push(entryOf(positions[i]!));
    parts.push(end);
    const content = bytes.join(head, parts);
    return key === undefined ? { path: spec.path, content } : { path: spec.path, content, key };
  };
  const language = escapeXml(site.language);
  const publisher = escapeXml(site.publisher);
  const end = bytes.encode("</feed>\n");
  const newest = Array.from({ length: Math.min(site.feedSize, index.articles.length) }, (_, i) => i);
  const files = [feedOf({ path: "feed.xml", pageUrl: "/", title: site.title, subtitle: site.description, articles: newest })];
  index.entities.forEach((e) => files.push(feedOf({ path: `entities/${e.slug}/feed.xml`, pageUrl: entityUrl(e.slug), title: `${e.name}: ${site.title}`, subtitle: `Articles mentioning ${e.name}`, articles: e.articles })));
  index.topics.forEach((t) => files.push(feedOf({ path: `topics/${t.topic.slug}/feed.xml`, pageUrl: topicUrl(t.topic.slug), title: `${t.topic.label}: ${site.title}`, subtitle: `Articles on ${t.topic.label}`, articles: t.articles })));
  return files;
}

const ARENA_CHUNK = 4 << 20;

/**
 * UTF-8 bytes written into large shared buffers, each piece a view: thousands of small buffers would each
 * cost an allocation of their own.
 */
class ByteArena {
  private readonly encoder = new TextEncoder();
  private chunk = new Uint8Array(0);
  private used = 0;

  /** Room for `size` more bytes in the current chunk. */
  private reserve(size: number): void {
    if (this.used + size > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(ARENA_CHUNK, size));
      this.used = 0;
    }
  }

  encode(text: string): Uint8Array {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.reserve(3 * text.length);
    const { written } = this.encoder.encodeInto(text, this.chunk.subarray(this.used));
    const bytes = this.chunk.subarray(this.used, this.used + written);
    this.used += written;
    return bytes;
  }

  /** `text` encoded, then `parts` after it, as one piece. */
  join(text: string, parts: readonly Uint8Array[]): Uint8Array {
    let size = 3 * text.length;
    for (let i = 0; i < parts.length; i++) size += parts[i]!.length;
    this.reserve(size);
    const start = this.used;
    this.used += this.encoder.encodeInto(text, this.chunk.subarray(this.used)).written;
    for (let i = 0; i < parts.length; i++) {
      this.chunk.set(parts[i]!, this.used);
      this.used += parts[i]!.length;
    }
    return this.chunk.subarray(start, this.used);
  }
}

/** One article's <entry>, each line ending in a line break. */
function atomEntry(article: Article, location: SiteLocation): string {
  const url = escapeXml(absolute(location, article.url));
  return (
    "  <entry>\n" +
    `    <title>${escapeXml(article.title)}</title>\n` +
    `    <id>${url}</id>\n` +
    `    <link rel="alternate" type="text/html" href="${url}"/>\n` +
    `    <published>${article.date}T00:00:00Z</published>\n` +
    `    <updated>${article.updated}T00:00:00Z</updated>\n` +
    (article.source ? `    <author><name>${escapeXml(article.source)}</name></author>\n` : "") +
    `    <summary>${escapeXml(article.summary)}</summary>\n` +
    "  </entry>\n"
  );
}

/** JSON Feed 1.1 of the newest articles. */
export function jsonFeed(index: ArchiveIndex, site: SiteConfig, location: SiteLocation): OutputFile {
  const feed = {
    version: "https://jsonfeed.org/version/1.1",
    title: site.title,
    home_page_url: absolute(location, "/"),
    feed_url: absolute(location, "/feed.json"),
    description: site.description,
    language: site.language,
    authors: [{ name: site.publisher }],
    items: index.articles.slice(0, site.feedSize).map(({ article }) => ({
      id: absolute(location, article.url),
      url: absolute(location, article.url),
      title: article.title,
      summary: article.summary,
      content_text: article.summary,
      date_published: `${article.date}T00:00:00Z`,
      date_modified: `${article.updated}T00:00:00Z`,
      ...(article.source ? { authors: [{ name: article.source, ...(article.sourceUrl ? { url: article.sourceUrl } : {}) }] } : {}),
      ...(article.sourceUrl ? { external_url: article.sourceUrl } : {}),
    })),
  };
  return { path: "feed.json", content: `${JSON.stringify(feed, null, 2)}\n` };
}
