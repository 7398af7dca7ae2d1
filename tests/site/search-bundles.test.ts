// How the archive's articles are shared out among Pagefind bundles: a year each, and a year too large for one
// Pagefind index in runs of whole months.
import { describe, expect, it } from "vitest";
import { BUNDLE_ARTICLES_MAX, searchBundles } from "../../src/site/search-index.js";

/** `count` articles in each month given ("YYYY-MM"), newest first as the index orders them. */
function articlesIn(months: Record<string, number>): { date: string; id: string }[] {
  const articles: { date: string; id: string }[] = [];
  for (const [month, count] of Object.entries(months)) for (let i = 0; i < count; i++) articles.push({ date: `${month}-${String(1 + (i % 28)).padStart(2, "0")}`, id: `${month}/${i}` });
  return articles.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : 1));
}

describe("search bundles", () => {
  it("gives each year up to the limit one bundle named by the year, its articles in the order given", () => {
    const articles = articlesIn({ "2024-11": 3, "2025-01": 2, "2025-02": 4 });
    const bundles = searchBundles(articles);
    expect([...bundles.keys()]).toEqual(["2025", "2024"]);
    expect(bundles.get("2025")).toEqual(articles.filter((a) => a.date.startsWith("2025")));
    expect(bundles.get("2024")).toEqual(articles.filter((a) => a.date.startsWith("2024")));
  });

  it("keeps a year of exactly the limit whole", () => {
    expect([...searchBundles(articlesIn({ "2020-03": BUNDLE_ARTICLES_MAX })).keys()]).toEqual(["2020"]);
  });

  it("splits a larger year into runs of whole months of about the limit each, named by year and first month", () => {
    const perMonth = Math.ceil((2.5 * BUNDLE_ARTICLES_MAX) / 12);
    const months = Object.fromEntries(Array.from({ length: 12 }, (_, m) => [`2019-${String(m + 1).padStart(2, "0")}`, perMonth]));
    const articles = [...articlesIn({ "2020-01": 5 }), ...articlesIn(months)];
    const bundles = searchBundles(articles);
    expect([...bundles.keys()].sort()).toEqual(["2019-01", "2019-05", "2019-09", "2020"]);
    // Every article once, in the order given; each run a contiguous stretch of months, starting at its name.
    expect([...bundles.values()].flat().sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([...articles].sort((a, b) => (a.id < b.id ? -1 : 1)));
    for (const [name, inBundle] of bundles) {
      expect(inBundle).toEqual(articles.filter((a) => inBundle.includes(a)));
      if (name === "2020") continue;
      expect(inBundle.length).toBeLessThanOrEqual(BUNDLE_ARTICLES_MAX);
      const monthsIn = [...new Set(inBundle.map((a) => a.date.slice(0, 7)))].sort();
      expect(monthsIn[0]).toBe(name);
      expect(monthsIn.length).toBe(4);
    }
  });

  it("never splits a month, however many articles it has", () => {
    const bundles = searchBundles(articlesIn({ "2018-06": BUNDLE_ARTICLES_MAX + 10, "2018-07": 3 }));
    expect([...bundles.keys()].sort()).toEqual(["2018-06", "2018-07"]);
    expect(bundles.get("2018-06")).toHaveLength(BUNDLE_ARTICLES_MAX + 10);
  });
});
