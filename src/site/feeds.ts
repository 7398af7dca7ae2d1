import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex } from "../index/archive-index.js";
import { escapeXml } from "./escape.js";
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
  articles: number[];
}

/** Atom: the newest articles of the whole site, of each entity and of each topic. */
export function atomFeeds(index: ArchiveIndex, site: SiteConfig, location: SiteLocation): OutputFile[] {
  const specs: FeedSpec[] = [
    { path: "feed.xml", pageUrl: "/", title: site.title, subtitle: site.description, articles: index.articles.map((_, i) => i) },
    ...index.entities.map((e) => ({ path: `entities/${e.slug}/feed.xml`, pageUrl: entityUrl(e.slug), title: `${e.name}: ${site.title}`, subtitle: `Articles mentioning ${e.name}`, articles: e.articles })),
    ...index.topics.map((t) => ({ path: `topics/${t.topic.slug}/feed.xml`, pageUrl: topicUrl(t.topic.slug), title: `${t.topic.label}: ${site.title}`, subtitle: `Articles on ${t.topic.label}`, articles: t.articles })),
  ];
  return specs.map((spec) => ({ path: spec.path, content: atom(spec, index, site, location) }));
}

function atom(spec: FeedSpec, index: ArchiveIndex, site: SiteConfig, location: SiteLocation): string {
  const entries = spec.articles.slice(0, site.feedSize).map((position) => index.articles[position]!.article);
  const updated = entries.reduce((latest, a) => (a.updated > latest ? a.updated : latest), entries[0]?.updated ?? "1970-01-01");
  const feedUrl = absolute(location, `/${spec.path}`);
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(site.language)}">`,
    `  <title>${escapeXml(spec.title)}</title>`,
    `  <subtitle>${escapeXml(spec.subtitle)}</subtitle>`,
    `  <id>${escapeXml(feedUrl)}</id>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feedUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(absolute(location, spec.pageUrl))}"/>`,
    `  <updated>${updated}T00:00:00Z</updated>`,
    `  <author><name>${escapeXml(site.publisher)}</name></author>`,
    `  <generator>Gazette</generator>`,
  ];
  for (const article of entries) {
    const url = absolute(location, article.url);
    lines.push(
      "  <entry>",
      `    <title>${escapeXml(article.title)}</title>`,
      `    <id>${escapeXml(url)}</id>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
      `    <published>${article.date}T00:00:00Z</published>`,
      `    <updated>${article.updated}T00:00:00Z</updated>`,
      ...(article.source ? [`    <author><name>${escapeXml(article.source)}</name></author>`] : []),
      `    <summary>${escapeXml(article.summary)}</summary>`,
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
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
