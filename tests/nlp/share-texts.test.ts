// shareTexts: analyses from worker threads arrive as copies; their repeated texts are kept once.
import { describe, expect, it } from "vitest";
import { shareTexts, type ArticleAnalysis } from "../../src/nlp/extract.js";

const analysis = (): ArticleAnalysis => ({
  topics: ["04000000", "04010000"],
  entities: [
    { key: "reuters", name: "Reuters", type: "organization", slug: "reuters", aliases: ["Reuters Ltd"], acronyms: [], registered: false, mentions: [{ text: "Reuters", start: 3, end: 10 }, { text: "Reuters", start: 40, end: 47 }] },
    { key: "kabul", name: "Kabul", type: "place", slug: "kabul", aliases: [], acronyms: ["KBL"], registered: true, mentions: [{ text: "Kabul", start: 12, end: 17 }] },
  ],
});

describe("shareTexts", () => {
  it("leaves each analysis as it was, and holds each distinct text once however many analyses name it", () => {
    const shared = new Map<string, string>();
    const copies = [structuredClone(analysis()), structuredClone(analysis()), structuredClone(analysis())];
    for (const copy of copies) shareTexts(copy, shared);
    for (const copy of copies) expect(copy).toEqual(analysis());
    expect([...shared.keys()].sort()).toEqual(["04000000", "04010000", "KBL", "Kabul", "Reuters", "Reuters Ltd", "kabul", "organization", "place", "reuters"]);
  });
});
