/** Where the site is served: the absolute base for canonical URLs and the path prefix for links. */
export interface SiteLocation {
  /** Origin plus any path, no trailing slash: https://news.example.org or https://example.org/archive */
  baseUrl: string;
  /** Path every link starts with: "/" at the root, "/archive/" in a sub-folder. */
  pathPrefix: string;
}

export function normalisePathPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "/" : `/${trimmed}/`;
}

/** The base URL's own path is the default path prefix: a site at https://example.org/news/ links under /news/. */
export function locate(baseUrl: string, pathPrefix?: string): SiteLocation {
  const url = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  const prefix = normalisePathPrefix(pathPrefix ?? url.pathname);
  return { baseUrl: url.origin, pathPrefix: prefix };
}

/** A site-relative URL ("/entities/kabul/") as a link under the path prefix. */
export function href(location: SiteLocation, url: string): string {
  return location.pathPrefix + (url.charCodeAt(0) === 0x2f ? url.slice(1) : url);
}

/** A site-relative URL as an absolute URL, for canonical links, feeds and sitemaps. */
export function absolute(location: SiteLocation, url: string): string {
  return location.baseUrl + href(location, url);
}

/** An absolute URL as RFC 3986 requires it in XML sitemaps: a Chinese slug percent-encoded, the rest untouched. */
export function encodeUrl(absoluteUrl: string): string {
  // Most URLs of a site are already in that form: an origin as the URL parser writes it, then a path of
  // unreserved characters with no dot segment, no query, no fragment. Those need no parse. (A site's
  // URLs share one origin: it is checked once.)
  let origin = lastOrigin;
  if (origin === null || !absoluteUrl.startsWith(origin) || absoluteUrl.charCodeAt(origin.length) !== 0x2f) {
    origin = ORIGIN.exec(absoluteUrl)?.[0] ?? null;
    if (origin !== null && canonicalOrigin(origin)) lastOrigin = origin;
  }
  if (origin !== null && origin === lastOrigin) {
    PLAIN_PATH.lastIndex = origin.length;
    if (PLAIN_PATH.test(absoluteUrl)) return absoluteUrl;
  }
  return new URL(absoluteUrl).href;
}

const ORIGIN = /^https?:\/\/[^/?#\\]+/;
/** From lastIndex to the end: "/", or "/" and segments of unreserved characters, none starting with a dot (so none is "." or ".."). */
const PLAIN_PATH = /(?:\/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)?)+$/y;
/** The last origin found to be as the URL parser writes it. */
let lastOrigin: string | null = null;

function canonicalOrigin(origin: string): boolean {
  try {
    return new URL(`${origin}/`).href === `${origin}/`;
  } catch {
    return false;
  }
}
