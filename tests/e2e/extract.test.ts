import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gazette, ROOT, SEED } from "../support/cli.js";

interface Extracted {
  file: string;
  entities: { name: string; type: string; slug: string; aliases: string[]; mentions: { text: string; start: number; end: number }[] }[];
  topics: { slug: string; label: string; code: string }[];
}

const TYPES = ["person", "organization", "place", "event", "other"];

function expectWellFormed(row: Extracted, text: string) {
  expect(Object.keys(row)).toEqual(["file", "entities", "topics"]);
  for (const entity of row.entities) {
    expect(Object.keys(entity)).toEqual(["name", "type", "slug", "aliases", "mentions"]);
    expect(TYPES).toContain(entity.type);
    expect(entity.slug).toMatch(/^[\p{L}\p{N}]+(-[\p{L}\p{N}]+)*$/u);
    for (const mention of entity.mentions) expect(text.slice(mention.start, mention.end)).toBe(mention.text);
  }
  for (const topic of row.topics) expect(topic.code).toMatch(/^medtop:\d{8}$/);
}

describe("gazette extract --json", () => {
  it("prints one JSON line for the seed, with mention offsets into the file as read", async () => {
    const result = await gazette(["extract", SEED, "--json"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Extracted;
    expect(row.file).toBe(SEED);
    expectWellFormed(row, await readFile(SEED, "utf8"));
    const sadiq = row.entities.find((e) => e.slug === "mohammad-sadiq")!;
    expect(sadiq).toMatchObject({ name: "Mohammad Sadiq", type: "person", aliases: ["Sadiq"] });
    expect(sadiq.mentions.length).toBeGreaterThan(5);
  });

  it("reads article .md files too, with offsets into the whole file", async () => {
    const file = path.join(ROOT, "tests/fixtures/small-archive/content/articles/2024/03/ceasefire-talks-open-in-geneva.md");
    const result = await gazette(["extract", file, "--json", "--content", path.join(ROOT, "tests/fixtures/small-archive/content")]);
    expect(result.code).toBe(0);
    const row = JSON.parse(result.stdout) as Extracted;
    expectWellFormed(row, await readFile(file, "utf8"));
    expect(row.entities.find((e) => e.slug === "united-nations")?.type).toBe("organization");
    expect(row.topics.map((t) => t.slug)).toEqual(["conflict-war-and-peace", "politics"]);
  });

  it("insists on --json and on a file", async () => {
    expect((await gazette(["extract", SEED])).code).toBe(2);
    expect((await gazette(["extract", "--json"])).code).toBe(2);
  });
});
