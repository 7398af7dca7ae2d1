import { describe, expect, it } from "vitest";
import { parseTaxonomy } from "../../src/content/taxonomy.js";
import { assignTopics, compileTaxonomy } from "../../src/nlp/topics.js";

const TAXONOMY = `
- code: medtop:16000000
  label: conflict, war and peace
  keywords: [militant*, ceasefire]
- code: medtop:20000053
  label: act of terror
  parent: medtop:16000000
  keywords: [suicide bomber*, terror*]
- code: medtop:15000000
  label: sport
  headline_keywords: [soccer]
  entities: [FIFA]
`;

const compiled = () => {
  const { taxonomy, issues } = parseTaxonomy("topics.yml", TAXONOMY);
  expect(issues).toEqual([]);
  return compileTaxonomy(taxonomy);
};

describe("assignTopics", () => {
  it("scores body keywords, phrases and prefixes, and adds the ancestors of what it assigns", () => {
    expect(assignTopics(compiled(), "Blast in city", "Suicide bombers struck. Terrorists fled. Terrorism fears.", [])).toEqual(["medtop:16000000", "medtop:20000053"]);
  });

  it("needs the minimum score: one passing word is not a topic", () => {
    expect(assignTopics(compiled(), "Talks", "A militant was seen.", [])).toEqual([]);
  });

  it("counts headline-only keywords in the headline alone", () => {
    expect(assignTopics(compiled(), "SOCCER - Results", "Scores.", [])).toEqual(["medtop:15000000"]);
    expect(assignTopics(compiled(), "Markets", "Soccer fans bought shares.", [])).toEqual([]);
  });

  it("assigns a topic from an entity the article mentions", () => {
    expect(assignTopics(compiled(), "Vote", "Delegates met.", ["fifa"])).toEqual(["medtop:15000000"]);
  });
});

describe("parseTaxonomy", () => {
  it("names the line of a parent that does not exist and of a slug taken twice", () => {
    const { issues } = parseTaxonomy("topics.yml", "- code: a\n  label: One\n  parent: zzz\n- code: b\n  label: one\n");
    expect(issues.map((i) => `${i.line}: ${i.message}`)).toEqual([
      "3: topic 'One': parent 'zzz' is not the code of any topic in this file",
      "5: topic 'one' has the same URL slug 'one' as 'One': give one a 'slug' field",
    ]);
  });
});
