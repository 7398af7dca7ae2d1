// The templates folder is read as Eleventy reads it; parsed templates come back from the cache only for the
// same text, so an edited template is always parsed again.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TextCache } from "../../src/cache.js";
import { scanTemplates, type ParsedTemplate } from "../../src/render/templates.js";
import { scratch, writeTree } from "../support/cli.js";

let work: Awaited<ReturnType<typeof scratch>>;
beforeAll(async () => {
  work = await scratch("gazette-templates-");
});
afterAll(async () => {
  await work?.cleanup();
});

const STANDARD = `---
pagination:
  data: pages.topic
  size: 1
  alias: p
permalink: "{{ p.url }}"
---
<h1>{{ p.title }}</h1>
`;
const OWN_SHAPE = `---
layout: base.njk
---
<p>{{ gazette.site.title }}</p>
`;

it("reads each page template's list and body, the same from the cache as parsed, and parses an edited template again", async () => {
  const dir = await writeTree(path.join(work.dir, "templates"), { "topic.njk": STANDARD, "extra.njk": OWN_SHAPE, "_includes/base.njk": "{{ content }}" });
  const cacheDir = path.join(work.dir, "cache");
  const scan = async () => {
    const cache = await TextCache.open<ParsedTemplate>(cacheDir, "templates", "fp");
    const set = await scanTemplates(dir, cache);
    await cache.save();
    return set;
  };

  const parsed = await scanTemplates(dir);
  expect(parsed.templates.map(({ name, list, bodyLine, body }) => ({ name, list, bodyLine, body }))).toEqual([
    { name: "extra.njk", list: null, bodyLine: 4, body: "<p>{{ gazette.site.title }}</p>\n" },
    { name: "topic.njk", list: "topic", bodyLine: 8, body: "<h1>{{ p.title }}</h1>\n" },
  ]);
  expect(await scan()).toEqual(parsed);
  expect((await readdir(cacheDir)).some((name) => name.startsWith("templates-"))).toBe(true);
  expect(await scan()).toEqual(parsed);

  // The same template with a layout is no longer Gazette's own shape: it goes to Eleventy.
  const file = path.join(dir, "topic.njk");
  await writeFile(file, (await readFile(file, "utf8")).replace("---\n<h1>", "layout: base.njk\n---\n<h1>"));
  const edited = await scan();
  expect(edited.hash).not.toBe(parsed.hash);
  expect(edited.templates.find((t) => t.name === "topic.njk")).toMatchObject({ list: null, bodyLine: 9 });
  expect(edited).toEqual(await scanTemplates(dir));
});
