// The shown digest (site/own-page.ts): what decides that an edit changes an article's own page alone. It must
// change with anything another page shows of the article, and stay when only the article's own text moves.
import { describe, expect, it } from "vitest";
import { parseArticle, type Article } from "../../src/content/article.js";
import type { Topic } from "../../src/content/taxonomy.js";
import { indexRegistry } from "../../src/nlp/canonical.js";
import { analyseArticle, type ArticleAnalysis } from "../../src/nlp/extract.js";
import { loadTagger } from "../../src/nlp/tagger/index.js";
import { compileTaxonomy } from "../../src/nlp/topics.js";
import type { EntityVotes } from "../../src/index/archive-index.js";
import { aboutFlags, countsHold, linkEntities, linksOfEntities, mentionCounts, shownDigest, type MentionTally } from "../../src/site/own-page.js";
import { jsonLdWithAbout } from "../../src/site/pages.js";

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

  it("stays when the edit touches no first mention's sentence and names no one new", () => {
    // A typo fixed in the last paragraph, and a sentence added at the end: every mention moves or stays, none changes.
    expect(digestOf([...BODY.slice(0, 3), "The meeting ended late in the evening, officials said."])).toBe(before);
    expect(digestOf([...BODY, "It was the third such meeting this year."])).toBe(before);
    // Text added above every mention moves them all.
    expect(digestOf([BODY[0]!, "It was a long week.", ...BODY.slice(1)])).toBe(before);
    // Another mention of a name it has: how many times it names an entity is checked apart (countsHold).
    expect(digestOf([...BODY, "Brahimi left on Friday."])).toBe(before);
  });

  it("changes with anything another page shows", () => {
    const changed = {
      "a new name": digestOf([...BODY, "Officials in Paris welcomed the talks."]),
      "a name's first mention moved to another sentence": digestOf([BODY[0]!, "Lakhdar Brahimi arrived on Wednesday.", ...BODY.slice(1)]),
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
  it("land on the same entities' first mentions, moved by the text the edit added", () => {
    const { article, analysis } = analysed(BODY);
    // Links on each entity's first mention in the body, as the article page makes them.
    const links = analysis.entities.flatMap((entity) => {
      const first = entity.mentions.find((mention) => mention.start >= article.bodyOffset);
      return first ? [{ start: first.start - article.bodyOffset, end: first.end - article.bodyOffset, url: `/entities/${entity.slug}/` }] : [];
    });
    expect(links.filter((link) => link.start > BODY[0]!.length).length).toBeGreaterThan(1);
    const entities = linkEntities(article, analysis, links);

    const added = "It was a long week.";
    const edited = analysed([BODY[0]!, added, ...BODY.slice(1), "Brahimi left on Friday."]);
    const moved = linksOfEntities(edited.article, edited.analysis, links, entities);
    for (const [i, link] of moved.entries()) {
      expect(link.url).toBe(links[i]!.url);
      expect(edited.article.body.slice(link.start, link.end)).toBe(article.body.slice(links[i]!.start, links[i]!.end));
      // The dateline's mention stays where it was; the ones after the added paragraph move by its length.
      expect(link.start).toBe(links[i]!.start + (links[i]!.start > BODY[0]!.length ? `${added}\n\n`.length : 0));
    }
  });

  it("a link on no entity's first mention is an internal error, not a silent miss", () => {
    const { article, analysis } = analysed(BODY);
    expect(() => linkEntities(article, analysis, [{ start: 0, end: 3, url: "/x/" }])).toThrow(/first mention/);
  });
});

describe("countsHold: an entity named more or fewer times", () => {
  const { analysis } = analysed(BODY);
  const brahimi = analysis.entities.findIndex((entity) => entity.name.includes("Brahimi"));
  const name = analysis.entities[brahimi]!.name;
  const keys = analysis.entities.map((entity) => entity.key);
  // Brahimi named five times, then six: its page names it three times or more either way.
  const counts = mentionCounts(analysis).map((count, e) => (e === brahimi ? 5 : count));
  const more = counts.map((count, e) => (e === brahimi ? 6 : count));
  const tally: MentionTally = { counts, keys, shown: keys };
  const votesFor = (names: [string, number, number][]): Record<string, EntityVotes | null> => ({
    ...Object.fromEntries(analysis.entities.map((entity) => [entity.key, { names: [[entity.name, 5, 0]], types: [[entity.type, 5]] } as EntityVotes])),
    [keys[brahimi]!]: { names, types: [["person", 9]] },
  });

  it("holds while the entity's name and type keep their votes' lead, and gives the new votes", () => {
    expect(brahimi).toBeGreaterThanOrEqual(0);
    const held = countsHold(tally, more, analysis, votesFor([[name, 6, 3], ["BRAHIMI", 2, 1]]));
    expect(held?.get(keys[brahimi]!)).toEqual({ names: [[name, 7, 3], ["BRAHIMI", 2, 1]], types: [["person", 10]] });
    // Named fewer times, by one: the form it uses still leads.
    expect(countsHold({ ...tally, counts: more }, counts, analysis, votesFor([[name, 6, 3], ["Brahimi Lakhdar", 4, 1]]))?.get(keys[brahimi]!)?.names[0]).toEqual([name, 5, 3]);
  });

  it("fails when another name form would win", () => {
    // Named once fewer, the form it uses ties with another, which the older article used: that one wins.
    expect(countsHold({ ...tally, counts: more }, counts, analysis, votesFor([[name, 6, 3], ["Brahimi Lakhdar", 5, 9]]))).toBeNull();
  });

  it("aboutFlags: the entities the page names three times or more, an entity the archive knows as one counted whole", () => {
    const twice = counts.map((count, e) => (e === brahimi ? 2 : count));
    expect(aboutFlags(tally, twice)[brahimi]).toBe(false);
    expect(aboutFlags(tally, more)[brahimi]).toBe(true);
    // Two article entities counted as one archive entity: 2 + 1 mentions.
    const merged: MentionTally = { counts: [2, 1], keys: ["a", "a"], shown: ["a"] };
    expect(aboutFlags(merged, merged.counts)).toEqual([true]);
  });

  it("leaves a registered entity alone: the registry names it", () => {
    expect(countsHold(tally, more, analysis, { ...votesFor([]), [keys[brahimi]!]: null })?.size).toBe(0);
  });
});

describe("jsonLdWithAbout", () => {
  const thing = (name: string) => ({ "@type": "Person", name, url: `https://example.org/entities/${name.toLowerCase()}/` });
  const head = `{"@context":"https://schema.org","@type":"NewsArticle","headline":"A \\"mentions\\": headline"`;
  const ld = (about: string[], mentions: string[]) => `${head}${about.length > 0 ? `,"about":[${about.map((n) => JSON.stringify(thing(n))).join(",")}]` : ""},"mentions":[${mentions.map((n) => JSON.stringify(thing(n))).join(",")}]}`;

  it("makes `about` again from `mentions`, keeping all the rest as it was", () => {
    expect(jsonLdWithAbout(ld([], ["Ann", "Bo"]), [false, true])).toBe(ld(["Bo"], ["Ann", "Bo"]));
    expect(jsonLdWithAbout(ld(["Ann", "Bo"], ["Ann", "Bo"]), [true, false])).toBe(ld(["Ann"], ["Ann", "Bo"]));
    expect(jsonLdWithAbout(ld(["Bo"], ["Ann", "Bo"]), [false, false])).toBe(ld([], ["Ann", "Bo"]));
    expect(JSON.parse(jsonLdWithAbout(ld([], ["Ann"]), [true])!)).toEqual(JSON.parse(ld(["Ann"], ["Ann"])));
  });

  it("refuses flags that are not one per entity it mentions", () => {
    expect(jsonLdWithAbout(ld([], ["Ann", "Bo"]), [true])).toBeNull();
  });
});
