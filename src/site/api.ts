import type { ArchiveIndex } from "../index/archive-index.js";
import type { OutputFile } from "./feeds.js";
import { entityUrl, topicUrl } from "./pages.js";
import { href, type SiteLocation } from "./urls.js";

/** The archive as data, in the shapes design.md fixes; URLs carry the path prefix. */
export function apiFiles(index: ArchiveIndex, location: SiteLocation): OutputFile[] {
  const hrefs = index.articles.map((indexed) => href(location, indexed.article.url));
  const articleHref = (position: number) => hrefs[position]!;
  const topicSlug = new Map(index.topics.map((t) => [t.topic.code, t.topic.slug]));
  const articles = index.articles.map((indexed, position) => ({
    url: hrefs[position]!,
    title: indexed.article.title,
    date: indexed.article.date,
    entities: indexed.entities,
    topics: indexed.topics.map((code) => topicSlug.get(code) ?? code),
  }));
  const entities = index.entities.map((e) => ({
    slug: e.slug,
    name: e.name,
    type: e.type,
    aliases: e.aliases,
    url: href(location, entityUrl(e.slug)),
    articles: e.articles.map(articleHref),
  }));
  const topics = index.topics.map((t) => ({
    slug: t.topic.slug,
    label: t.topic.label,
    code: t.topic.code,
    url: href(location, topicUrl(t.topic.slug)),
    articles: t.articles.map(articleHref),
  }));
  return [
    { path: "api/articles.json", content: `${JSON.stringify(articles)}\n` },
    { path: "api/entities.json", content: `${JSON.stringify(entities)}\n` },
    { path: "api/topics.json", content: `${JSON.stringify(topics)}\n` },
  ];
}
