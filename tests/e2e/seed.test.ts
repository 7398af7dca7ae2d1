import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gazette, ROOT, scratch } from "../support/cli.js";

interface ApiEntity { slug: string; name: string; type: string; aliases: string[]; articles: string[] }

/** The archive's first article, built from the repository's own content/ with its empty registry. */
describe("the seed site", () => {
  let out = "";
  let cleanup: () => Promise<void> = async () => undefined;
  let entities: ApiEntity[] = [];

  beforeAll(async () => {
    const s = await scratch();
    cleanup = s.cleanup;
    out = path.join(s.dir, "site");
    const registry = await readFile(path.join(ROOT, "content/entities.yml"), "utf8");
    expect(registry.split("\n").every((line) => line.trim() === "" || line.trimStart().startsWith("#"))).toBe(true);
    const result = await gazette(["build", "--out", out], { env: { GAZETTE_CACHE: path.join(s.dir, "cache") } });
    expect(result.code).toBe(0);
    entities = JSON.parse(await readFile(path.join(out, "api/entities.json"), "utf8")) as ApiEntity[];
  });
  afterAll(() => cleanup());

  it("has the article page and at least 10 entity pages", async () => {
    await readFile(path.join(out, "articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy/index.html"), "utf8");
    const pages = await readdir(path.join(out, "entities"));
    expect(pages.filter((name) => !name.endsWith(".html")).length).toBeGreaterThanOrEqual(10);
    expect(entities.length).toBeGreaterThanOrEqual(10);
  });

  it("shows one page each for TTP / Tehreek-e-Taliban Pakistan, Sadiq / Mohammad Sadiq, ISIS and ISIS-K", () => {
    const owners = (surface: string) => entities.filter((e) => e.name === surface || e.aliases.includes(surface)).map((e) => e.slug);
    expect(owners("TTP")).toEqual(["tehreek-e-taliban-pakistan"]);
    expect(owners("Tehreek-e-Taliban Pakistan")).toEqual(["tehreek-e-taliban-pakistan"]);
    expect(owners("Sadiq")).toEqual(["mohammad-sadiq"]);
    expect(owners("Mohammad Sadiq")).toEqual(["mohammad-sadiq"]);
    expect(owners("ISIS")).toEqual(["isis"]);
    expect(owners("ISIS-K")).toEqual(["isis-k"]);
    expect(entities.find((e) => e.slug === "mohammad-sadiq")?.type).toBe("person");
  });

  it("has no entity named by a possessive or a weekday", () => {
    for (const entity of entities) {
      expect(entity.name).not.toMatch(/['’]s$/);
      expect(entity.name).not.toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$/);
    }
  });

  it("files the seed under conflict and terrorism, and politics and diplomacy", async () => {
    const articles = JSON.parse(await readFile(path.join(out, "api/articles.json"), "utf8")) as { topics: string[] }[];
    expect(articles[0]!.topics).toEqual(expect.arrayContaining(["conflict-war-and-peace", "act-of-terror", "politics", "international-relations", "diplomacy"]));
  });
});
