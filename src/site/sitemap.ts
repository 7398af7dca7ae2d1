import { createHash } from "node:crypto";
import type { SiteConfig } from "../content/site-config.js";
import type { ArchiveIndex } from "../index/archive-index.js";
import { escapeXml } from "./escape.js";
import type { KeyedFile, OutputFile, ReusedFile, ReuseFile } from "./feeds.js";
import { pagesIn, type ReusedPage, type SitePage, type SitePages } from "./pages.js";
import { absolute, encodeUrl, type SiteLocation } from "./urls.js";

/** The sitemap protocol's limit of URLs per file; past it, sitemap.xml becomes an index of parts. */
export const SITEMAP_LIMIT = 50_000;

/** Every page of the site in the sitemap (see SitemapCollector). */
export function sitemaps(pages: SitePages, location: SiteLocation, limit = SITEMAP_LIMIT): OutputFile[] {
  const collector = new SitemapCollector();
  for (const item of pagesIn(pages)) collector.add(item);
  return collector.files(location, limit);
}

/**
 * The sitemap, gathered page by page as a build makes them (pages in PAGE_LISTS order; articles carry
 * their last modification): the build then need not hold every page to write it.
 */
export class SitemapCollector {
  private readonly urls: string[] = [];
  private readonly lastModified = new Map<string, string>();

  add(item: SitePage | ReusedPage): void {
    if ("reused" in item) {
      if (item.updated !== undefined) this.lastModified.set(item.url, item.updated);
      if (!item.noindex) this.urls.push(item.url);
      return;
    }
    const { list, page } = item;
    if (list === "article") this.lastModified.set(page.url, page.article.updated);
    if (!page.noindex) this.urls.push(page.url);
  }

  /**
   * The sitemap's files. With `reuse`, each gets the key of all it is made from (the address, and every
   * page's URL and last change), and when the build has them all under it they come back unmade: after an
   * edit that adds or moves no page, writing and hashing 18,000 URLs cost ~45 ms, the key ~17 ms.
   */
  files(location: SiteLocation, limit?: number): OutputFile[];
  files(location: SiteLocation, limit: number, reuse: ReuseFile): (KeyedFile | ReusedFile)[];
  files(location: SiteLocation, limit = SITEMAP_LIMIT, reuse?: ReuseFile): (OutputFile | KeyedFile | ReusedFile)[] {
    if (!reuse) return this.make(location, limit);
    const key = createHash("sha256").update(JSON.stringify([location, limit, this.urls, [...this.lastModified]])).digest("base64url").slice(0, 22);
    const paths = ["sitemap.xml", ...partPaths(this.urls.length, limit)];
    if (paths.every((path) => reuse(path, key))) return paths.map((path) => ({ path, key, reused: true }));
    return this.make(location, limit).map((file) => ({ ...file, key }));
  }

  private make(location: SiteLocation, limit: number): OutputFile[] {
    const urls = this.urls.map((url) => {
      const modified = this.lastModified.get(url);
      return `  <url><loc>${escapeXml(encodeUrl(absolute(location, url)))}</loc>${modified ? `<lastmod>${modified}</lastmod>` : ""}</url>`;
    });
    const urlset = (lines: string[]) =>
      [`<?xml version="1.0" encoding="UTF-8"?>`, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`, ...lines, `</urlset>`, ""].join("\n");
    if (urls.length <= limit) return [{ path: "sitemap.xml", content: urlset(urls) }];
    const parts = partPaths(urls.length, limit).map((path, i) => ({ path, content: urlset(urls.slice(i * limit, (i + 1) * limit)) }));
    const sitemapIndex = [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`,
      ...parts.map((part) => `  <sitemap><loc>${escapeXml(absolute(location, `/${part.path}`))}</loc></sitemap>`),
      `</sitemapindex>`,
      "",
    ].join("\n");
    return [{ path: "sitemap.xml", content: sitemapIndex }, ...parts];
  }
}

/** The sitemap's parts, when it has more URLs than one file may hold (sitemap.xml is then their index). */
function partPaths(urlCount: number, limit: number): string[] {
  return urlCount <= limit ? [] : Array.from({ length: Math.ceil(urlCount / limit) }, (_, i) => `sitemaps/sitemap-${i + 1}.xml`);
}

/**
 * Google News sitemap: articles of the two days before the newest article
 * (a static build has no "now" of its own, and must not change with the clock), at most 1,000.
 */
export function newsSitemap(index: ArchiveIndex, site: SiteConfig, location: SiteLocation): OutputFile {
  const newest = index.articles[0]?.article.date;
  const cutoff = newest ? new Date(Date.parse(`${newest}T00:00:00Z`) - 2 * 86_400_000).toISOString().slice(0, 10) : "";
  const recent = index.articles.filter(({ article }) => article.date >= cutoff).slice(0, 1000);
  const lines = recent.map(({ article }) =>
    [
      "  <url>",
      `    <loc>${escapeXml(encodeUrl(absolute(location, article.url)))}</loc>`,
      "    <news:news>",
      `      <news:publication><news:name>${escapeXml(site.publisher)}</news:name><news:language>${escapeXml(site.language.split("-")[0]!)}</news:language></news:publication>`,
      `      <news:publication_date>${article.date}</news:publication_date>`,
      `      <news:title>${escapeXml(article.title)}</news:title>`,
      "    </news:news>",
      "  </url>",
    ].join("\n"),
  );
  return {
    path: "news-sitemap.xml",
    content: [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`,
      ...lines,
      `</urlset>`,
      "",
    ].join("\n"),
  };
}

export function robotsTxt(location: SiteLocation): OutputFile {
  return {
    path: "robots.txt",
    content: `User-agent: *\nAllow: /\n\nSitemap: ${absolute(location, "/sitemap.xml")}\nSitemap: ${absolute(location, "/news-sitemap.xml")}\n`,
  };
}
