// Helpers for the site and browser suites: build a site, serve it under a
// sub-folder on 127.0.0.1, find the checkers (Java for vnu, Debian's Chromium).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, readdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gazette, ROOT, scratch } from "../support/cli.js";
import { CONTENT_TYPES } from "../../src/serve.js";

export const PREFIX = "/sub/";
export const BASE_URL = "https://news.example.org";

export interface BuiltSite {
  /** The output folder. */
  dir: string;
  cleanup: () => Promise<void>;
}

/**
 * Builds the repository's own archive (a copy of content/, so an editor's
 * half-saved file elsewhere in the tree cannot leak in) for a sub-folder.
 */
export async function buildSeedSite(): Promise<BuiltSite> {
  const { dir, cleanup } = await scratch("gazette-site-");
  await cp(path.join(ROOT, "content"), path.join(dir, "content"), { recursive: true });
  return buildIn(dir, cleanup);
}

/** Builds `<dir>/content` into `<dir>/_site` for the sub-folder; fails the test with the CLI's output on error. */
export async function buildIn(dir: string, cleanup: () => Promise<void>): Promise<BuiltSite> {
  const out = path.join(dir, "_site");
  const result = await gazette(["build", "--content", path.join(dir, "content"), "--out", out, "--base-url", BASE_URL, "--path-prefix", PREFIX], { cwd: ROOT });
  if (result.code !== 0) throw new Error(`gazette build failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return { dir: out, cleanup };
}


export interface StaticServer {
  /** http://127.0.0.1:PORT/sub/ */
  url: string;
  origin: string;
  close: () => Promise<void>;
}

/**
 * A plain static host: serves `root` under `prefix` only (anything outside
 * the sub-folder is a 404, so a link that forgets the prefix breaks), folders
 * by their index.html, and 404.html for anything missing, as GitHub Pages,
 * Netlify and nginx setups do.
 */
export async function serveStatic(root: string, prefix = PREFIX): Promise<StaticServer> {
  const notFoundPage = path.join(root, "404.html");
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        pathname = "";
      }
      let file: string | null = null;
      if (pathname.startsWith(prefix) && !pathname.includes("\0")) {
        const candidate = path.resolve(root, `.${path.posix.normalize(`/${pathname.slice(prefix.length)}`)}`);
        if (candidate === root || candidate.startsWith(`${root}${path.sep}`)) {
          const info = await stat(candidate).catch(() => null);
          if (info?.isDirectory()) {
            if (!pathname.endsWith("/")) {
              response.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
              return;
            }
            const index = path.join(candidate, "index.html");
            if (existsSync(index)) file = index;
          } else if (info?.isFile()) {
            file = candidate;
          }
        }
      }
      if (file) {
        const body = await readFile(file);
        response.writeHead(200, { "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": body.length });
        response.end(request.method === "HEAD" ? undefined : body);
      } else {
        const body = existsSync(notFoundPage) ? await readFile(notFoundPage) : Buffer.from("not found");
        response.writeHead(404, { "content-type": CONTENT_TYPES[".html"]! });
        response.end(request.method === "HEAD" ? undefined : body);
      }
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${prefix}`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every file under dir (relative paths, '/'-separated), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

/** The site-relative file that an absolute URL of the built site stands for (".../entities/x/" -> "entities/x/index.html"). */
export function fileForUrl(url: string): string {
  const base = `${BASE_URL}${PREFIX}`;
  if (!url.startsWith(base)) throw new Error(`${url} is not under ${base}`);
  const rest = decodeURIComponent(url.slice(base.length).replace(/[?#].*$/, ""));
  return rest === "" || rest.endsWith("/") ? `${rest}index.html` : rest;
}

const require = createRequire(import.meta.url);

/** The Nu Html Checker's jar from the vnu-jar package, and a Java to run it; null when there is no Java. */
export function vnuCommand(): { java: string; jar: string } | null {
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (java.error || java.status !== 0) return null;
  return { java: "java", jar: path.join(path.dirname(require.resolve("vnu-jar")), "build", "dist", "vnu.jar") };
}
