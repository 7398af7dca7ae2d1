import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadArchive } from "../../src/content/load.js";

const root = mkdtempSync(path.join(os.tmpdir(), "gazette-load-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("loadArchive", () => {
  it("gives articles and problems in file-name order, across read batches", async () => {
    const contentDir = path.join(root, "content");
    const valid: string[] = [];
    const broken: string[] = [];
    // More files than one read batch (256), written out of order, with a broken one now and then of each kind.
    for (let n = 0; n < 600; n++) {
      const i = (n * 389) % 600;
      const dir = path.join(contentDir, "articles", String(2000 + (i % 3)), String(1 + (i % 12)).padStart(2, "0"));
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `a-${String(i).padStart(3, "0")}.md`);
      const kind = i % 13;
      if (kind === 0) writeFileSync(file, Buffer.from("---\ntitle: x\0\n---\n"));
      else if (kind === 1) writeFileSync(file, Buffer.from("---\ntitle: caf\xe9\n---\n", "latin1"));
      else if (kind === 2) writeFileSync(file, "---\ntitle: [x\ndate: 2020-01-01\n---\nBody.\n");
      else if (kind === 3) writeFileSync(file, "---\ntitle: Fine\ndate: '2020-02-30'\n---\nBody.\n");
      else writeFileSync(file, `---\ntitle: Article ${i}\ndate: '2020-01-0${1 + (i % 9)}'\nslug: a-${i}\n---\nBody ${i}.\n`);
      (kind <= 3 ? broken : valid).push(path.relative(process.cwd(), file));
    }
    const sorted = (files: string[]) => [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    const withProblems = await loadArchive(contentDir);
    if (!("issues" in withProblems)) throw new Error("expected problems");
    expect(withProblems.issues.map((issue) => issue.file)).toStrictEqual(sorted(broken));

    for (const file of broken) rmSync(file);
    const loaded = await loadArchive(contentDir);
    if (!("archive" in loaded)) throw new Error(`unexpected problems: ${JSON.stringify(loaded.issues.slice(0, 3))}`);
    expect(loaded.archive.articles.map((article) => article.file)).toStrictEqual(sorted(valid));
  });
});
