import { createHash } from "node:crypto";
import type { ArchiveIndex } from "../index/archive-index.js";
import type { KeyedFile, OutputFile, ReusedFile, ReuseFile } from "./feeds.js";
import { KeyWriter } from "./keys.js";
import { entityUrl, topicUrl } from "./pages.js";
import { href, type SiteLocation } from "./urls.js";

/**
 * The archive as data, in the shapes design.md fixes; URLs carry the path prefix.
 *
 * With `reuse`, each file gets a key, and one the build has is given back as a ReusedFile, unmade (see
 * atomFeeds): the three files ran to 17 MB of JSON at 10,000 articles, made and hashed after every edit
 * (~0.25 s of the build's thread), though most edits change none of them. A key is the address, the
 * article lists and each article's entities and topics as positions in the index (numbers, see KeyWriter),
 * and the text of what the file shows of the articles (URL, title and date: not their files' hashes, which
 * a body edit changes), of the entities and of the topics. So a key changes when the file's bytes do, and
 * the build records the files by their keys instead of hashing their bytes (build.ts, planFile).
 */
export function apiFiles(index: ArchiveIndex, location: SiteLocation): OutputFile[];
export function apiFiles(index: ArchiveIndex, location: SiteLocation, reuse: ReuseFile): (KeyedFile | ReusedFile)[];
export function apiFiles(index: ArchiveIndex, location: SiteLocation, reuse?: ReuseFile): (OutputFile | KeyedFile | ReusedFile)[] {
  const topicSlug = new Map(index.topics.map((t) => [t.topic.code, t.topic.slug]));
  const keyWriter = new KeyWriter(reuse ? JSON.stringify(location) : "");
  // What every file shows of each article (the entity and topic lists show its URL only), in every key: as
  // the hash of its text, made once for the three.
  let articlesShown: string | null = null;
  const keyText = (shown: unknown) => {
    articlesShown ??= createHash("sha256").update(JSON.stringify(index.articles.map(({ article }) => [article.url, article.title, article.date]))).digest("base64url");
    return `${articlesShown}\0${JSON.stringify(shown)}`;
  };
  const keyed = (path: string, key: (writer: KeyWriter) => string, content: () => string): OutputFile | KeyedFile | ReusedFile => {
    if (!reuse) return { path, content: content() };
    const made = key(keyWriter.start().number(index.articles.length));
    return reuse(path, made) ? { path, key: made, reused: true } : { path, content: content(), key: made };
  };
  const positionLists = (writer: KeyWriter, lists: readonly { articles: readonly number[] }[]) => {
    for (const { articles } of lists) {
      writer.number(articles.length);
      for (let i = 0; i < articles.length; i++) writer.number(articles[i]!);
    }
  };
  let urls: string[] | null = null;
  const hrefs = () => (urls ??= index.articles.map((indexed) => href(location, indexed.article.url)));

  const articlesFile = keyed(
    "api/articles.json",
    (writer) => {
      const entityAt = new Map(index.entities.map((e, position) => [e.slug, position]));
      const topicAt = new Map(index.topics.map((t, position) => [t.topic.code, position]));
      // A slug or topic code the index has no record of is shown as it is: its text goes in, after -1.
      const unknown: string[] = [];
      const named = (position: number | undefined, text: string) => {
        writer.number(position ?? -1);
        if (position === undefined) unknown.push(text);
      };
      for (const indexed of index.articles) {
        writer.number(indexed.entities.length);
        for (const slug of indexed.entities) named(entityAt.get(slug), slug);
        writer.number(indexed.topics.length);
        for (const code of indexed.topics) named(topicAt.get(code), code);
      }
      return writer.finish(keyText([index.entities.map((e) => e.slug), index.topics.map((t) => t.topic.slug), unknown]));
    },
    () => {
      const articleHrefs = hrefs();
      const articles = index.articles.map((indexed, position) => ({
        url: articleHrefs[position]!,
        title: indexed.article.title,
        date: indexed.article.date,
        entities: indexed.entities,
        topics: indexed.topics.map((code) => topicSlug.get(code) ?? code),
      }));
      return `${JSON.stringify(articles)}\n`;
    },
  );
  const entitiesFile = keyed(
    "api/entities.json",
    (writer) => {
      positionLists(writer, index.entities);
      return writer.finish(keyText(index.entities.map((e) => [e.slug, e.name, e.type, e.aliases])));
    },
    () => {
      const articleHrefs = hrefs();
      const entities = index.entities.map((e) => ({
        slug: e.slug,
        name: e.name,
        type: e.type,
        aliases: e.aliases,
        url: href(location, entityUrl(e.slug)),
        articles: e.articles.map((position) => articleHrefs[position]!),
      }));
      return `${JSON.stringify(entities)}\n`;
    },
  );
  const topicsFile = keyed(
    "api/topics.json",
    (writer) => {
      positionLists(writer, index.topics);
      return writer.finish(keyText(index.topics.map((t) => [t.topic.slug, t.topic.label, t.topic.code])));
    },
    () => {
      const articleHrefs = hrefs();
      const topics = index.topics.map((t) => ({
        slug: t.topic.slug,
        label: t.topic.label,
        code: t.topic.code,
        url: href(location, topicUrl(t.topic.slug)),
        articles: t.articles.map((position) => articleHrefs[position]!),
      }));
      return `${JSON.stringify(topics)}\n`;
    },
  );
  return [articlesFile, entitiesFile, topicsFile];
}
