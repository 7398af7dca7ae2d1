// The shown digest (site/own-page.ts): what decides that an edit changes an article's own page alone. It must
// change with anything another page shows of the article, and stay when only the article's own text moves.
import { describe, expect, it } from "vitest";
import { parseArticle, type Article } from "../../src/content/article.js";
import type { Topic } from "../../src/content/taxonomy.js";
import { indexRegistry } from "../../src/nlp/canonical.js";
import { analyseArticle, type ArticleAnalysis } from "../../src/nlp/extract.js";
import { loadTagger } from "../../src/nlp/tagger/index.js";
import { compileTaxonomy } from "../../src/nlp/topics.js";
import { linkRanks, linksAtRanks, mentionSequence, shownDigest } from "../../src/site/own-page.js";

const tagger = loadTagger();
const registry = indexRegistry([]);
const diplomacy: Topic = { code: "medtop:20000587", slug: "diplomacy", label: "Diplomacy", parent: null, keywords: ["talks", "envoy"], headlineKeywords: [], entities: [], minScore: 1 };
const taxonomy = compileTaxonomy({ topics: [diplomacy] });

const BODY = [
  "GENEVA 1996-08-22",
  "United Nations envoy Lakhdar Brahimi met officials in Geneva on Thursday to prepare the talks.",
  "Brahimi said the talks with Iran would resume next week.",
  "The meeting ended late in the evening.",
];

function analysed(body: string[], front: Record<string, string> = {}): { article: Article; analysis: ArticleAnalysis } {
  const fields = { title: "Envoy prepares Geneva talks", date: "1996-08-22", summary: "The envoy met officials.", ...front };
  const text = `---\n${Object.entries(fields).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join("\n")}\n---\n${body.join("\n\n")}\n`;
  const parsed = parseArticle("content/articles/1996/08/envoy.md", text);
  if ("issues" in parsed) throw new Error(JSON.stringify(parsed.issues));
  return { article: parsed.article, analysis: analyseArticle(parsed.article, tagger, registry, taxonomy) };
}

const digestOf = (body: string[], front?: Record<string, string>) => {
  const { article, analysis } = analysed(body, front);
  return shownDigest(article, analysis);
};

describe("shownDigest", () => {
  const before = digestOf(BODY);

  it("stays when the edit touches no mention's sentence and names no one", () => {
    // A typo fixed in the last paragraph, and a sentence added at the end: every mention moves or stays, none changes.
    expect(digestOf([...BODY.slice(0, 3), "The meeting ended late in the evening, officials said."])).toBe(before);
    expect(digestOf([...BODY, "It was the third such meeting this year."])).toBe(before);
    // Text added above every mention moves them all.
    expect(digestOf([BODY[0]!, "It was a long week.", ...BODY.slice(1)])).toBe(before);
  });

  it("changes with anything another page shows", () => {
    const changed = {
      "a new name": digestOf([...BODY, "Officials in Paris welcomed the talks."]),
      "another mention of a known name": digestOf([...BODY, "Brahimi left on Friday."]),
      "the sentence around a first mention": digestOf([BODY[0]!, "United Nations envoy Lakhdar Brahimi met officials in Geneva on Thursday.", ...BODY.slice(2)]),
      "the title": digestOf(BODY, { title: "Envoy prepares the Geneva talks" }),
      "the summary": digestOf(BODY, { summary: "The envoy met officials on Thursday." }),
      "the date": digestOf(BODY, { date: "1996-08-23" }),
      "the last change": digestOf(BODY, { updated: "1996-08-24" }),
      "the source": digestOf(BODY, { source: "Reuters" }),
      "the topics": digestOf(BODY.map((paragraph) => paragraph.replace(/talks/g, "plans"))),
    };
    for (const [what, digest] of Object.entries(changed)) expect(digest, what).not.toBe(before);
  });
});

describe("body links after an edit", () => {
  it("land on the same mentions, moved by the text the edit added", () => {
    const { article, analysis } = analysed(BODY);
    const sequence = mentionSequence(analysis);
    // Links on each entity's first mention in the body, as the article page makes them.
    const links = analysis.entities.flatMap((entity) => {
      const first = entity.mentions.find((mention) => mention.start >= article.bodyOffset);
      return first ? [{ start: first.start - article.bodyOffset, end: first.end - article.bodyOffset, url: `/entities/${entity.slug}/` }] : [];
    });
    expect(links.filter((link) => link.start > BODY[0]!.length).length).toBeGreaterThan(1);
    const ranks = linkRanks(article, sequence, links);

    const edited = analysed([BODY[0]!, "It was a long week.", ...BODY.slice(1)]);
    const moved = linksAtRanks(edited.article, mentionSequence(edited.analysis), links, ranks);
    for (const [i, link] of moved.entries()) {
      expect(link.url).toBe(links[i]!.url);
      expect(edited.article.body.slice(link.start, link.end)).toBe(article.body.slice(links[i]!.start, links[i]!.end));
      // The dateline's mention stays where it was; the ones after the added paragraph move by its length.
      expect(link.start).toBe(links[i]!.start + (links[i]!.start > BODY[0]!.length ? "It was a long week.\n\n".length : 0));
    }
  });

  it("a link on no mention is an internal error, not a silent miss", () => {
    const { article, analysis } = analysed(BODY);
    expect(() => linkRanks(article, mentionSequence(analysis), [{ start: 0, end: 3, url: "/x/" }])).toThrow(/no mention/);
  });
});
