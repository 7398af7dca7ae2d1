import { describe, expect, it } from "vitest";
import type { RegistryEntity } from "../../src/content/registry.js";
import { canonicalise, indexRegistry } from "../../src/nlp/canonical.js";
import { entityKey, entitySlug, trimName } from "../../src/nlp/names.js";
import type { EntityType, TaggedSpan } from "../../src/nlp/types.js";

/** Spans for each listed surface, wherever it occurs: the rules are tested apart from the model. */
function spansFor(text: string, surfaces: [string, EntityType][]): TaggedSpan[] {
  const spans: TaggedSpan[] = [];
  for (const [surface, type] of surfaces) {
    for (let at = text.indexOf(surface); at !== -1; at = text.indexOf(surface, at + surface.length)) spans.push({ start: at, end: at + surface.length, type });
  }
  return spans.sort((a, b) => a.start - b.start).filter((s, i, all) => i === 0 || s.start >= all[i - 1]!.end);
}

const NO_REGISTRY = indexRegistry([]);
const summary = (text: string, surfaces: [string, EntityType][], registry = NO_REGISTRY) =>
  canonicalise(text, spansFor(text, surfaces), registry).map((e) => ({ name: e.name, type: e.type, aliases: e.aliases, mentions: e.mentions.map((m) => m.text) }));

describe("canonicalise", () => {
  it("strips possessives and trailing punctuation, keeping offsets on the name", () => {
    const text = "Pakistan’s envoy spoke. Reuters' report. Pakistan's army.";
    const entities = canonicalise(text, spansFor(text, [["Pakistan’s", "place"], ["Reuters'", "organization"], ["Pakistan's", "place"]]), NO_REGISTRY);
    expect(entities.map((e) => e.name)).toEqual(["Pakistan", "Reuters"]);
    for (const entity of entities) for (const m of entity.mentions) expect(text.slice(m.start, m.end)).toBe(m.text);
    expect(entities[0]!.mentions.map((m) => m.text)).toEqual(["Pakistan", "Pakistan"]);
  });

  it("merges case and punctuation variants, naming the entity by its calm form", () => {
    expect(summary("PAKISTAN ARMY SAYS. Later, Pakistan said.", [["PAKISTAN", "place"], ["Pakistan", "place"]])).toEqual([
      { name: "Pakistan", type: "place", aliases: [], mentions: ["PAKISTAN", "Pakistan"] },
    ]);
  });

  it("merges an acronym defined in parentheses with its expansion, even where the tagger missed one", () => {
    const text = "Groups such as the Tehreek-e-Taliban Pakistan (TTP) grew. The TTP denied it.";
    expect(summary(text, [["TTP", "organization"]])).toEqual([
      { name: "Tehreek-e-Taliban Pakistan", type: "organization", aliases: ["TTP"], mentions: ["Tehreek-e-Taliban Pakistan", "TTP", "TTP"] },
    ]);
  });

  it("merges a lone surname or given name with the full name used in the article", () => {
    const text = "Special Representative Mohammad Sadiq spoke. Sadiq said talks failed. Ishaq Dar agreed, Dar said.";
    expect(summary(text, [["Mohammad Sadiq", "person"], ["Sadiq", "person"], ["Ishaq Dar", "person"], ["Dar", "person"]])).toEqual([
      { name: "Mohammad Sadiq", type: "person", aliases: ["Sadiq"], mentions: ["Mohammad Sadiq", "Sadiq"] },
      { name: "Ishaq Dar", type: "person", aliases: ["Dar"], mentions: ["Ishaq Dar", "Dar"] },
    ]);
  });

  it("lets a registry entry claim its aliases, and finds them where the tagger did not", () => {
    const registry: RegistryEntity[] = [
      { name: "Islamic State Khorasan Province", type: "organization", aliases: ["ISIS-K", "ISKP"], description: null, wikidata: null, hidden: false, slug: null },
    ];
    const text = "ISIS-K claimed it. Officials blamed ISKP.";
    expect(summary(text, [["ISIS-K", "place"]], indexRegistry(registry))).toEqual([
      { name: "Islamic State Khorasan Province", type: "organization", aliases: ["ISIS-K", "ISKP"], mentions: ["ISIS-K", "ISKP"] },
    ]);
  });

  it("drops weekdays and months the tagger may offer", () => {
    expect(summary("On Tuesday in May, Kabul.", [["Tuesday", "other"], ["May", "person"], ["Kabul", "place"]]).map((e) => e.name)).toEqual(["Kabul"]);
  });
});

describe("names", () => {
  it("gives one key to case, accent and punctuation variants, and keeps other symbols", () => {
    expect(entityKey("TEHREEK-E-TALIBAN Pakistan")).toBe(entityKey("Tehreek e Taliban Pakistan"));
    expect(entityKey("U.S.")).toBe(entityKey("US"));
    expect(entityKey("Zürich")).toBe(entityKey("Zurich"));
    expect(entityKey("C++")).not.toBe(entityKey("C"));
  });

  it("keys every name as the full Unicode folding does (ASCII names skip it), the first time and when remembered", () => {
    const reference = (name: string) =>
      name
        .normalize("NFKD")
        .replace(/([A-Za-z])[\u0300-\u036f]+/g, "$1")
        .normalize("NFKC")
        .toLowerCase()
        .replace(/['’ʼ‘`.]/g, "")
        .replace(/[\s\-‐-―_/,;:]+/g, " ")
        .trim();
    const names = ["U.S.", "Tehreek-e-Taliban  Pakistan", " O'Neill ", "AT&T", "C++", "x_y/z,w;v:u", "ABC\tdef\n", "`Quoted`", "", "~!@#$%^&*()", "a\u0301b", "Zürich", "ＦＵＬＬ", "ﬁnance", "Ǆemal", "İstanbul", "Straße", "O’Brien", "Ｕ.Ｓ.", "e\u0301\u0301", "ℌilbert", "x\u00a0y", "ΟΔΟΣ"];
    for (let i = 0; i < 400; i++) names.push(String.fromCharCode(...Array.from({ length: 1 + (i % 9) }, (_, k) => 32 + ((i * 37 + k * 101) % (i % 3 === 0 ? 95 : 700)))));
    for (const name of names) {
      expect(entityKey(name)).toBe(reference(name));
      expect(entityKey(name)).toBe(reference(name));
    }
  });

  it("gives entities whose names slugify alike distinct slugs that do not depend on each other", () => {
    expect(entitySlug(entityKey("Mohammad Sadiq"))).toBe("mohammad-sadiq");
    expect(entitySlug(entityKey("C"))).toBe("c");
    expect(entitySlug(entityKey("C++"))).toMatch(/^c-[0-9a-f]{6}$/);
    expect(entitySlug(entityKey("C++"))).toBe(entitySlug(entityKey("c++")));
  });

  it("trims possessives, quotes and sentence punctuation but keeps abbreviation dots", () => {
    expect(trimName("Pakistan’s").text).toBe("Pakistan");
    expect(trimName("“Reuters,”").text).toBe("Reuters");
    expect(trimName("U.S.").text).toBe("U.S.");
    expect(trimName("Acme Corp.").text).toBe("Acme Corp.");
  });
});
