import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveInside } from "../../src/serve.js";
import { CLI, gazette, scratch, writeTree } from "../support/cli.js";

/** Issue 7: `gazette serve` serves only files inside the output folder, on 127.0.0.1. */
describe("resolveInside: no request path leaves the output folder", () => {
  const root = "/srv/site";
  it.each([
    ["/../../etc/passwd"],
    ["/..%2f..%2fetc%2fpasswd"],
    ["/%2e%2e/%2e%2e/etc/passwd"],
    ["/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"],
    ["/..%5c..%5cetc%5cpasswd"],
    ["/a/%00/../../etc"],
    ["/index.html%00.txt"],
    ["/%252e%252e/%252e%252e/etc/passwd"],
    ["/%"],
    ["/%c0%ae%c0%ae/etc/passwd"],
    ["//etc/passwd"],
    ["/./../site2/secret"],
  ])("%s stays inside or is refused", (request) => {
    const resolved = resolveInside(root, request);
    if (resolved !== null) expect(resolved === root || resolved.startsWith(`${root}/`), String(resolved)).toBe(true);
  });

  it("ordinary paths resolve to their file", () => {
    expect(resolveInside(root, "/articles/2025/05/x/")).toBe("/srv/site/articles/2025/05/x");
    expect(resolveInside(root, "/entities/%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0/?q=1#top")).toBe("/srv/site/entities/москва");
  });
});

/** One raw HTTP/1.1 request, written byte for byte (no client normalises the path). */
function rawGet(port: number, target: string, host = "127.0.0.1"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => (data += chunk));
    socket.on("error", reject);
    socket.on("end", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data }));
  });
}

describe("gazette serve (real server)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let child: ChildProcess;
  let port = 0;
  let printed = "";
  const SECRET = "TOP-SECRET-7f3a9";

  beforeAll(async () => {
    ({ dir, cleanup } = await scratch("gazette-serve-"));
    await writeTree(dir, {
      "project/content/articles/2025/05/a.md": '---\ntitle: "Hello"\ndate: 2025-05-07\n---\nBody.\n',
      "secret.txt": SECRET,
      "project/_site-secret.txt": SECRET,
    });
    child = spawn(process.execPath, [CLI, "serve", "--port", "0"], { cwd: path.join(dir, "project"), env: { ...process.env, CI: "true", GAZETTE_CACHE: path.join(dir, "cache") }, stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${printed}`)), 100_000);
      child.stderr!.on("data", (chunk) => {
        printed += chunk;
        const match = /serving .* at http:\/\/([\d.]+):(\d+)\//.exec(printed);
        if (match) {
          clearTimeout(timer);
          expect(match[1]).toBe("127.0.0.1");
          port = Number(match[2]);
          resolve();
        }
      });
    });
  });
  afterAll(async () => {
    child?.kill("SIGTERM");
    await cleanup();
  });

  it("serves the site", async () => {
    const page = await rawGet(port, "/articles/2025/05/hello/");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<h1>Hello</h1>");
  });

  it.each([
    "/../secret.txt",
    "/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/..%5c..%5csecret.txt",
    "/..\\..\\secret.txt",
    "/%00/../secret.txt",
    "/secret.txt%00.html",
    "/%252e%252e/secret.txt",
    `${"/.."}/_site-secret.txt`,
    "/..%2f_site-secret.txt",
    "//../secret.txt",
    "../secret.txt",
    "http://localhost/../secret.txt",
    `/${"%2e%2e/".repeat(20)}etc/passwd`,
    "/%c0%ae%c0%ae/secret.txt",
  ])("GET %s never returns a file outside the output folder", async (target) => {
    const response = await rawGet(port, target);
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toMatch(/root:.*:0:0:/);
    expect([200, 400, 404]).toContain(response.status);
  });

  it("listens on 127.0.0.1 only: other addresses of this machine refuse the connection", async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv4" && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      await expect(rawGet(port, "/", address)).rejects.toThrow(/ECONNREFUSED/);
    }
  });
});

/** Issue 7: ingest writes nothing for an empty or binary file, writes atomically, never overwrites without --force. */
describe("gazette ingest is careful with the archive", () => {
  const listArticles = async (dir: string) => {
    try {
      return (await readdir(path.join(dir, "content/articles"), { recursive: true })).map(String).filter((name) => !name.match(/^\d{4}$|^\d{4}\/\d{2}$/));
    } catch {
      return [];
    }
  };

  it("empty, blank, binary and non-UTF-8 files: exit 1, a message naming each file and the fix, nothing written", async () => {
    const { dir, cleanup } = await scratch("gazette-ingest-");
    try {
      await writeTree(dir, {
        "raw/2025-05-07-empty.txt": "",
        "raw/2025-05-07-blank.txt": " \n\t\r\n\n",
        "raw/2025-05-07-bom-only.txt": "\ufeff\n",
        "raw/2025-05-07-binary.txt": Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]),
        "raw/2025-05-07-latin1.txt": Uint8Array.from([...Buffer.from("Caf"), 0xe9, ...Buffer.from(" ouvert\n")]),
        "raw/2025-05-07-no-letters.txt": "!!! ???\nBody.\n",
      });
      const result = await gazette(["ingest", "raw"], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/raw\/2025-05-07-empty\.txt:1:1: the file is empty/);
      expect(result.stderr).toMatch(/raw\/2025-05-07-blank\.txt:1:1: the file is empty/);
      expect(result.stderr).toMatch(/raw\/2025-05-07-bom-only\.txt:1:1: the file is empty/);
      expect(result.stderr).toMatch(/raw\/2025-05-07-binary\.txt:1:1: this is a binary file/);
      expect(result.stderr).toMatch(/raw\/2025-05-07-latin1\.txt:1:1: not UTF-8 text.*save the file as UTF-8/);
      expect(result.stderr).toMatch(/ingested 1 article, 5 failed/);
      // The one with a dated name but a headline of punctuation takes its slug from the name.
      expect(await listArticles(dir)).toEqual(["2025/05/no-letters.md"]);
    } finally {
      await cleanup();
    }
  });

  it("never overwrites an existing article without --force (an editor's edit survives), overwrites with it, and leaves no temporary file", async () => {
    const { dir, cleanup } = await scratch("gazette-ingest-");
    try {
      await writeTree(dir, { "raw/2025-05-07-talks.txt": "Talks resume\nFirst paragraph.\n" });
      expect((await gazette(["ingest", "raw/2025-05-07-talks.txt"], { cwd: dir })).code).toBe(0);
      const target = path.join(dir, "content/articles/2025/05/talks.md");
      const edited = (await readFile(target, "utf8")).replace("First paragraph.", "An editor's careful rewrite.");
      await writeFile(target, edited);

      const again = await gazette(["ingest", "raw/2025-05-07-talks.txt"], { cwd: dir });
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/skipped: .*talks\.md exists \(pass --force to overwrite it\)/);
      expect(await readFile(target, "utf8")).toBe(edited);

      const forced = await gazette(["ingest", "--force", "raw/2025-05-07-talks.txt"], { cwd: dir });
      expect(forced.code).toBe(0);
      expect(await readFile(target, "utf8")).toContain("First paragraph.");
      expect(await readdir(path.dirname(target))).toEqual(["talks.md"]);
    } finally {
      await cleanup();
    }
  });

  it("an ingested hostile headline round-trips: check passes and the title is exactly the headline", async () => {
    const { dir, cleanup } = await scratch("gazette-ingest-");
    try {
      const headline = `"Yes": no? #1 - {{ x }} & <b>'it'</b> --- ]]> null: ~ [a] 2025-05-07`;
      await writeTree(dir, { "raw/2025-05-07-odd.txt": `${headline}\n# not a heading * _x_ [y](z)\n` });
      expect((await gazette(["ingest", "raw"], { cwd: dir })).code).toBe(0);
      expect((await gazette(["check"], { cwd: dir })).code).toBe(0);
      const extract = await gazette(["extract", "--json", "content/articles/2025/05/odd.md"], { cwd: dir });
      expect(extract.code).toBe(0);
      const text = await readFile(path.join(dir, "content/articles/2025/05/odd.md"), "utf8");
      expect(text).toMatch(/^---\ntitle: /);
      const { parseArticle } = await import("../../src/content/article.js");
      const parsed = parseArticle("odd.md", text);
      expect("article" in parsed && parsed.article.title).toBe(headline);
    } finally {
      await cleanup();
    }
  });
});
