import { describe, expect, it } from "vitest";
import { parseArticle, type Article } from "../../src/content/article.js";
import type { RegistryEntity } from "../../src/content/registry.js";
import { buildArchiveIndex, entityFacts } from "../../src/index/archive-index.js";
import { canonicalise, indexRegistry } from "../../src/nlp/canonical.js";
import type { ArticleAnalysis } from "../../src/nlp/extract.js";
import type { EntityType, TaggedSpan } from "../../src/nlp/types.js";

function article(slug: string, date: string, body: string): Article {
  const parsed = parseArticle(`${slug}.md`, `---\ntitle: ${slug}\ndate: ${date}\n---\n${body}\n`);
  if (!("article" in parsed)) throw new Error(JSON.stringify(parsed.issues));
  return parsed.article;
}

/** Analyses from hand-given spans, so the index is tested apart from the tagger. */
function analyse(articles: [Article, [string, EntityType][]][], registry: RegistryEntity[] = [], topics: Record<string, string[]> = {}) {
  const registryIndex = indexRegistry(registry);
  const analyses = new Map<Article, ArticleAnalysis>();
  for (const [a, surfaces] of articles) {
    const spans: TaggedSpan[] = [];
    for (const [surface, type] of surfaces) {
      for (let at = a.body.indexOf(surface); at !== -1; at = a.body.indexOf(surface, at + surface.length)) spans.push({ start: at, end: at + surface.length, type });
    }
    spans.sort((x, y) => x.start - y.start);
    const entities = canonicalise(a.body, spans, registryIndex).map((e) => ({ ...e, mentions: e.mentions.map((m) => ({ ...m, start: m.start + a.bodyOffset, end: m.end + a.bodyOffset })) }));
    analyses.set(a, { entities, topics: topics[a.slug] ?? [] });
  }
  return buildArchiveIndex({
    articles: articles.map(([a]) => a),
    analyses,
    registry,
    topics: [{ code: "t1", label: "Topic", slug: "topic", parent: null, keywords: [], headlineKeywords: [], entities: [], minScore: 3 }],
  });
}

describe("buildArchiveIndex", () => {
  it("orders articles newest first and lists each entity's articles in that order", () => {
    const a = article("a", "2024-01-01", "Kabul was quiet.");
    const b = article("b", "2024-03-01", "Kabul was busy.");
    const c = article("c", "2024-02-01", "Doha and Kabul.");
    const index = analyse([[a, [["Kabul", "place"]]], [b, [["Kabul", "place"]]], [c, [["Doha", "place"], ["Kabul", "place"]]]]);
    expect(index.articles.map((x) => x.article.slug)).toEqual(["b", "c", "a"]);
    expect(index.entityBySlug.get("kabul")!.articles).toEqual([0, 1, 2]);
    expect(index.entities.map((e) => e.slug)).toEqual(["kabul", "doha"]);
    expect(index.months.map((m) => `${m.year}-${m.month}`)).toEqual(["2024-03", "2024-02", "2024-01"]);
  });

  it("makes one entity of a name across articles whatever its case or punctuation", () => {
    const index = analyse([
      [article("a", "2024-01-01", "TEHREEK-E-TALIBAN PAKISTAN SAYS."), [["TEHREEK-E-TALIBAN PAKISTAN", "organization"]]],
      [article("b", "2024-01-02", "The Tehreek-e-Taliban Pakistan said."), [["Tehreek-e-Taliban Pakistan", "organization"]]],
      [article("c", "2024-01-03", "The Tehreek e Taliban Pakistan said."), [["Tehreek e Taliban Pakistan", "organization"]]],
    ]);
    expect(index.entities.map((e) => [e.slug, e.name, e.articles.length])).toEqual([["tehreek-e-taliban-pakistan", "Tehreek-e-Taliban Pakistan", 3]]);
  });

  it("carries an acronym defined in one article to articles that use it alone", () => {
    const index = analyse([
      [article("a", "2024-01-01", "The Tehreek-e-Taliban Pakistan (TTP) spoke."), [["TTP", "organization"]]],
      [article("b", "2024-01-02", "The TTP denied it."), [["TTP", "organization"]]],
    ]);
    const ttp = index.entityBySlug.get("tehreek-e-taliban-pakistan")!;
    expect(ttp.articles).toEqual([0, 1]);
    expect(ttp.aliases).toEqual(["TTP"]);
    expect(index.entityBySlug.has("ttp")).toBe(false);
  });

  it("hides registry entities marked hidden and keeps curated slugs", () => {
    const registry: RegistryEntity[] = [
      { name: "Reuters", type: "organization", aliases: [], description: null, wikidata: null, hidden: true, slug: null },
      { name: "Kabul", type: "place", aliases: ["Kabol"], description: "Capital of Afghanistan.", wikidata: "Q5838", hidden: false, slug: "kabul-city" },
    ];
    const index = analyse([[article("a", "2024-01-01", "Reuters reports from Kabol."), [["Reuters", "organization"]]]], registry);
    expect(index.entities.map((e) => e.slug)).toEqual(["kabul-city"]);
    expect(index.entities[0]).toMatchObject({ name: "Kabul", description: "Capital of Afghanistan.", wikidata: "Q5838", aliases: ["Kabol"] });
    expect(index.articles[0]!.entities).toEqual(["kabul-city"]);
  });

  it("relates entities named together and articles sharing rare entities", () => {
    const index = analyse([
      [article("a", "2024-01-01", "Doha talks with Kabul envoys."), [["Doha", "place"], ["Kabul", "place"]]],
      [article("b", "2024-01-02", "Doha and Kabul again."), [["Doha", "place"], ["Kabul", "place"]]],
      [article("c", "2024-01-03", "Lima alone."), [["Lima", "place"]]],
    ]);
    expect(index.entityBySlug.get("doha")!.related).toEqual([["kabul", 2]]);
    const byslug = new Map(index.articles.map((x, i) => [x.article.slug, i]));
    expect(index.articles[byslug.get("a")!]!.related).toEqual([byslug.get("b")]);
    expect(index.articles[byslug.get("c")!]!.related).toEqual([]);
  });

  it("lists each topic's articles newest first", () => {
    const a = article("a", "2024-01-01", "x");
    const b = article("b", "2024-02-01", "y");
    const index = analyse([[a, []], [b, []]], [], { a: ["t1"], b: ["t1"] });
    expect(index.topics[0]!.articles.map((p) => index.articles[p]!.article.slug)).toEqual(["b", "a"]);
  });
});

describe("buildArchiveIndex at a few dozen articles", () => {
  // Articles naming people drawn from a small pool, so that counts tie often: the orders must still be
  // the full sorts they stand for.
  const POOL = ["Anna Berg", "Omar Said", "Lena Park", "Ravi Nair", "Sara Cole", "Ivan Petrov", "Maya Lin", "Tom Reyes", "Eva Stone", "Noor Khan", "Paul Dunn", "Kemal Aydin"];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cases: [Article, [string, EntityType][]][] = [];
  for (let i = 0; i < 48; i++) {
    const names = POOL.filter(() => random() < 0.3);
    const body = names.map((name) => `${name} spoke. ${random() < 0.5 ? `${name} left.` : ""}`).join("\n\n") || "Nothing.";
    const date = `2024-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 27)).padStart(2, "0")}`;
    cases.push([article(`a${i}`, date, body), names.map((name): [string, EntityType] => [name, "person"])]);
  }
  const index = analyse(cases);

  it("relates entities by shared articles, most first, ties by key", () => {
    for (const entity of index.entities) {
      const shared = new Map<string, number>();
      for (const position of entity.articles) for (const slug of index.articles[position]!.entities) if (slug !== entity.slug) shared.set(slug, (shared.get(slug) ?? 0) + 1);
      const keyOf = (slug: string) => index.entityBySlug.get(slug)!.key;
      const expected = [...shared].sort((a, b) => b[1] - a[1] || (keyOf(a[0]) < keyOf(b[0]) ? -1 : 1)).slice(0, 10);
      expect(entity.related).toEqual(expected);
    }
  });

  it("relates articles by shared entities weighted by rarity, best first, ties by position", () => {
    index.articles.forEach((indexed, self) => {
      const scores = new Map<number, number>();
      for (const slug of indexed.entities) {
        const list = index.entityBySlug.get(slug)!.articles;
        if (list.length < 2 || list.length > 20) continue;
        for (const other of list) if (other !== self) scores.set(other, (scores.get(other) ?? 0) + 1 / Math.log(1 + list.length));
      }
      const expected = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5).map(([position]) => position);
      expect(indexed.related).toEqual(expected);
    });
  });

  it("notes, for the pages, each entity's record, first mention in the body and number of mentions", () => {
    for (const indexed of index.articles) {
      const facts = entityFacts(indexed)!;
      expect(facts).toHaveLength(4 * indexed.entities.length);
      indexed.entities.forEach((slug, i) => {
        const own = indexed.mentions.get(slug)!;
        const first = own.mentions.find((m) => m.start >= indexed.article.bodyOffset);
        expect(index.entities[facts[4 * i]!]!.slug).toBe(slug);
        expect([facts[4 * i + 1], facts[4 * i + 2], facts[4 * i + 3]]).toEqual([first?.start ?? -1, first?.end ?? -1, own.mentions.length]);
      });
      // Kept apart: the article itself is as it was (JSON, deep equality), and a copy has none.
      expect(entityFacts({ ...indexed })).toBeUndefined();
    }
  });
});
