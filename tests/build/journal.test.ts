// The commit journal: a build killed after its commit point is finished by the next one; one that fails before it leaves nothing.
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { folderIdentity, OutputState } from "../../src/output-state.js";
import { scratch } from "../support/cli.js";

let work: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  work = await scratch("gazette-journal-");
  process.env.GAZETTE_CACHE = path.join(work.dir, "cache");
});
afterAll(async () => {
  delete process.env.GAZETTE_CACHE;
  await work?.cleanup();
});

const put = async (file: string, text: string) => {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
};

it("rolls a patch forward after a crash in the middle of applying it", async () => {
  const out = path.join(work.dir, "site");
  const staging = path.join(work.dir, "site.gazette-patch-1");
  await put(path.join(out, "a", "index.html"), "old a");
  await put(path.join(out, "gone", "index.html"), "old gone");
  await put(path.join(out, "b.html"), "new b, already moved in");
  await put(path.join(staging, "a", "index.html"), "new a");
  await put(path.join(staging, "c", "d", "index.html"), "new c/d");
  const state = new OutputState(out);
  await state.prepare({ "a/index.html": "h1", "b.html": "h2", "c/d/index.html": "h3" }, await folderIdentity(out));
  // As a build killed after writing its journal and moving b.html in would leave things:
  await writeFile(state.journalFile, JSON.stringify({ kind: "patch", outDir: out, staging, moves: ["a/index.html", "b.html", "c/d/index.html"], deletes: ["gone/index.html"] }));

  const again = new OutputState(out);
  expect(await again.recover()).toBe(true);
  expect(await readFile(path.join(out, "a", "index.html"), "utf8")).toBe("new a");
  expect(await readFile(path.join(out, "b.html"), "utf8")).toBe("new b, already moved in");
  expect(await readFile(path.join(out, "c", "d", "index.html"), "utf8")).toBe("new c/d");
  await expect(stat(path.join(out, "gone"))).rejects.toThrow();
  await expect(stat(staging)).rejects.toThrow();
  expect((await again.read())?.files).toEqual({ "a/index.html": "h1", "b.html": "h2", "c/d/index.html": "h3" });
  expect(await again.recover()).toBe(false);
});

it("rolls a folder swap forward when killed between its two renames", async () => {
  const out = path.join(work.dir, "swap-site");
  const staging = path.join(work.dir, "swap-site.gazette-staging-1");
  const retired = path.join(work.dir, "swap-site.gazette-old-1");
  await put(path.join(retired, "index.html"), "old");
  await put(path.join(staging, "index.html"), "new");
  const state = new OutputState(out);
  await state.prepare({ "index.html": "h" }, await folderIdentity(staging));
  await writeFile(state.journalFile, JSON.stringify({ kind: "swap", outDir: out, staging, retired }));
  expect(await new OutputState(out).recover()).toBe(true);
  expect(await readFile(path.join(out, "index.html"), "utf8")).toBe("new");
  await expect(stat(retired)).rejects.toThrow();
  expect((await state.read())?.files).toEqual({ "index.html": "h" });
});

it("drops a prepared manifest that was never committed", async () => {
  const out = path.join(work.dir, "failed-site");
  await put(path.join(out, "index.html"), "as it was");
  const state = new OutputState(out);
  await state.prepare({ "index.html": "new" }, await folderIdentity(out));
  await state.discardPrepared();
  expect(await state.recover()).toBe(false);
  expect(await state.read()).toBeNull();
  expect(await readFile(path.join(out, "index.html"), "utf8")).toBe("as it was");
});

const inputs = { hash: "h-inputs", summary: { articles: 1, entities: 2, topics: 3, pages: 4, files: 5 } };

/** A one-page site whose build recorded `inputs`, committed. */
async function committedSite(name: string): Promise<{ out: string; state: OutputState }> {
  const out = path.join(work.dir, name);
  await put(path.join(out, "index.html"), "built");
  const state = new OutputState(out);
  await state.prepare({ "index.html": "h" }, await folderIdentity(out), { inputs });
  await state.commit({ kind: "patch", outDir: out, staging: `${out}.gazette-patch-1`, moves: [], deletes: [] });
  return { out, state };
}

it("reads the inputs' record from the manifest's first line alone, for this folder only", async () => {
  const { out, state } = await committedSite("inputs-site");
  expect(await state.readInputs()).toEqual(inputs);
  expect((await state.read())?.inputs).toEqual(inputs);
  // The rest of the manifest unreadable: the whole is not trusted, the first line still is.
  const [head] = (await readFile(state.manifestFile, "utf8")).split("\n");
  await writeFile(state.manifestFile, `${head}\n{"files":`);
  expect(await state.read()).toBeNull();
  expect(await state.readInputs()).toEqual(inputs);
  // Another folder at the same path is not the one the manifest describes.
  await rename(out, `${out}-old`);
  await put(path.join(out, "index.html"), "someone else's");
  expect(await state.readInputs()).toBeNull();
});

it("does not trust a folder deleted and made again, though it may get the same inode back", async () => {
  const { out, state } = await committedSite("remade-site");
  expect(await state.readInputs()).toEqual(inputs);
  const inode = (await stat(out)).ino;
  await rm(out, { recursive: true });
  await mkdir(out);
  // (On ext4 the new folder usually has the old inode; either way the manifest must not be trusted.)
  console.log(`remade folder: inode ${(await stat(out)).ino === inode ? "reused" : "new"}`);
  expect(await state.read()).toBeNull();
  expect(await state.readInputs()).toBeNull();
});
