import { watch, type FSWatcher } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import path from "node:path";
import { build, newBuildMemory } from "./build.js";
import { ContentError, formatIssue } from "./content/issues.js";

export interface ServeOptions {
  contentDir: string;
  outDir: string;
  port: number;
  host: string;
  templatesDir?: string;
  publicDir?: string;
  /** Called when the server listens, with its address. */
  onListening?: (url: string) => void;
}

/** Content types of the files a Gazette site holds, by extension. */
export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

const EVENTS_PATH = "/__gazette/events";
const RELOAD_SCRIPT = `<script>(() => {
  const events = new EventSource(${JSON.stringify(EVENTS_PATH)});
  events.addEventListener("open", () => { window.gazetteLive = true; });
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("problem", (event) => {
    let box = document.getElementById("gazette-problem");
    if (!box) { box = document.createElement("pre"); box.id = "gazette-problem"; box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;margin:0;padding:1rem;background:#3b0d0d;color:#fff;font:14px/1.4 monospace;z-index:99999;white-space:pre-wrap";
      document.body.append(box); }
    box.textContent = "Gazette build failed; showing the last good site.\\n\\n" + JSON.parse(event.data);
  });
})();</script>`;

/**
 * Resolves a request path to a file inside root, or null. Decoding happens
 * once, and the resolved path must stay inside root: no "..", no encoded
 * slashes or NUL bytes get a file outside the site.
 */
export function resolveInside(root: string, requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath.split("?")[0]!.split("#")[0]!);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const resolved = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const rootWithSep = root.endsWith(path.sep) ? root : root + path.sep;
  return resolved === root || resolved.startsWith(rootWithSep) ? resolved : null;
}

/** Builds, serves the output folder on 127.0.0.1, rebuilds on change and tells open pages to reload. */
export async function serve(options: ServeOptions): Promise<{ close(): Promise<void> }> {
  const root = path.resolve(options.outDir);
  const clients = new Set<ServerResponse>();
  let lastProblem: string | null = null;
  const send = (event: string, data: string) => {
    for (const client of clients) client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  // The articles and analyses of the last build, so a rebuild does not read them back from the disk caches.
  const memory = newBuildMemory();
  let building = false;
  let again = false;
  let baseUrl = "";
  const rebuild = async (reason: string) => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    const started = performance.now();
    try {
      const result = await build({
        contentDir: options.contentDir,
        outDir: options.outDir,
        templatesDir: options.templatesDir,
        publicDir: options.publicDir,
        baseUrl,
        // Only what the change touched is rewritten; the journal keeps the folder whole if a build dies.
        incremental: true,
        memory,
      });
      lastProblem = null;
      const what = result.mode === "incremental" ? `${result.editedPagesOnly ? "edited articles' pages only: " : ""}${result.written} files written, ${result.deleted} deleted` : `${result.files} files`;
      console.error(`${reason}: rebuilt in ${((performance.now() - started) / 1000).toFixed(2)}s (${what})`);
      // Open pages reload now; an error box from an earlier failed build goes with the reload.
      send("reload", "");
    } catch (error) {
      lastProblem = error instanceof ContentError ? error.issues.map(formatIssue).join("\n") : String((error as Error).stack ?? error);
      console.error(`${reason}: build failed, the last good site stays up:\n${lastProblem}`);
      send("problem", lastProblem);
    } finally {
      building = false;
      if (again) {
        again = false;
        void rebuild("changes during the build");
      }
    }
  };

  const server = createServer(async (request, response) => {
    const url = request.url ?? "/";
    if (url === EVENTS_PATH) {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      response.write(": connected\n\n");
      if (lastProblem) response.write(`event: problem\ndata: ${JSON.stringify(lastProblem)}\n\n`);
      clients.add(response);
      request.on("close", () => clients.delete(response));
      return;
    }
    let file = resolveInside(root, url);
    if (file === null) {
      response.writeHead(400, { "content-type": "text/plain" }).end("bad request path\n");
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      await sendFile(response, file, 200);
    } catch {
      await sendFile(response, path.join(root, "404.html"), 404).catch(() => response.writeHead(404).end("not found\n"));
    }
  });

  async function sendFile(response: ServerResponse, file: string, status: number) {
    const type = CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream";
    let body: Buffer | string = await readFile(file);
    if (type.startsWith("text/html")) body = body.toString("utf8").replace(/<\/body>/i, `${RELOAD_SCRIPT}</body>`);
    response.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
  }

  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://${options.host}:${port}/`;
  // Links and canonical URLs point at this server (the port is known only now when 0 was asked for).
  baseUrl = `http://${options.host}:${port}`;
  // Watched before the first build: an edit made while it runs is built after it. (Node's recursive watch
  // reads the tree first, 0.4 s at 10,000 articles, and misses what changes before it has.)
  let timer: NodeJS.Timeout | undefined;
  const changed = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(`${what} changed`), 50);
  };
  const watched = [options.contentDir, options.templatesDir ?? "templates", options.publicDir ?? "public"];
  const watchers: FSWatcher[] = [];
  for (const dir of watched) {
    try {
      watchers.push(watch(dir, { recursive: true }, (_event, name) => changed(path.join(dir, String(name ?? "")))));
    } catch {
      // a folder the project does not have: Gazette's own defaults are used and never change
    }
  }

  await rebuild("start");
  console.error(`serving ${options.outDir} at ${url} (Ctrl-C to stop)`);
  options.onListening?.(url);

  return {
    async close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
