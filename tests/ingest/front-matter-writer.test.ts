import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import matter from "gray-matter";
import { describe, expect, it } from "vitest";
import { slugify } from "../../src/content/slug.js";
import { ingestRawText, withFrontMatter, yamlScalar } from "../../src/ingest/raw-text.js";
import { SHARED } from "../support/cli.js";

/**
 * Ingest writes front matter directly instead of through gray-matter, and
 * takes a file name that is already a slug as it is: both must give the bytes
 * gray-matter and slugify give. Checked here against them on tricky values,
 * random values and every Reuters text.
 */
const grayMatter = (fields: Record<string, string>, body: string) =>
  matter.stringify({ content: body }, fields, { lineWidth: -1 } as matter.GrayMatterOption<string, never>);

const TRICKY = [
  "Plain headline", "19 die as bus falls in river in Pakistani Kashmir. (2)", "SATURDAY'S GAMES. (5)", "Envoy’s “Warning” — Again",
  "y", "Y", "yes", "No", "ON", "off", "~", "null", "Null", "NULL", "true", "False", "TRUE", "0", "100", "-1", "+1", "1_000", "0x1F", "0o17",
  "017", "0b101", "1e5", "1.5", "-.inf", ".NaN", "1:20", "190:20:30.15", "2025-05-07", "2025-5-7 10:00:00", "2001-12-14t21:59:43.10-05:00",
  "<<", "Dollar", "Tata rises", "bids-rates-at-date", "a: b", "a:b", "a #b", "a#b", "#a", "- a", "-a", "?a", "'quoted'", "it's", "\"x\"",
  "ends ", " starts", "a,b", "[x]", "{x}", "@x", "`x`", "%x", "&x", "*x", "!x", "|x", ">x", "=x", "x|y", "x > y", "Zürich", "emoji 😀",
  "tab\tx", "nbsp\u00a0x", "nel\u0085x", "line\nbreak", "cr\rx", "ls\u2028x", "bom\ufeffx", "del\u007fx", "private\ue000x", "\ufffd",
  " ", "\u3000", "x\u3000", "\u2003x", "x\u00a0",
  "https://example.org/a?b=1&c=2#x", "Afghanistan International: English", "Wire & <Co>",
];

/** Characters that decide YAML styles, with letters, digits and other scripts around them. */
const unit = fc.oneof(
  fc.constantFrom(..."-?:,[]{}#&*!|=>'\"%@` .~<+_\t\n\r\u0085\u00a0\u2028\ufeff\u007f".split(""), "😀", "é", "’", "—", "\ue000"),
  fc.constantFrom(..."0123456789abcdefxonultrsizABCDEFXONULTRSIZ".split("")),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
);
const value = fc.oneof(fc.string({ unit, maxLength: 12 }), fc.constantFrom(...TRICKY));

describe("front matter written directly", () => {
  it("gives gray-matter's bytes for tricky values in every field", () => {
    for (const v of TRICKY) {
      const fields = { title: v, date: "2025-05-07", slug: "s", source: v, source_url: v, summary: v };
      expect(withFrontMatter(fields, "Body.\n"), JSON.stringify(v)).toBe(grayMatter(fields, "Body.\n"));
    }
  });

  it("gives gray-matter's bytes for random values (seeded)", () => {
    fc.assert(
      fc.property(value, value, value, fc.boolean(), (title, slug, summary, withSummary) => {
        const fields: Record<string, string> = { title, date: "2024-02-29", slug };
        if (withSummary) fields.summary = summary;
        expect(withFrontMatter(fields, "Body.\n")).toBe(grayMatter(fields, "Body.\n"));
      }),
      { numRuns: 3000, seed: 20250507 },
    );
  });

  it("takes the direct route for what headlines, dates and slugs usually are", () => {
    expect(yamlScalar("19 die as bus falls in river in Pakistani Kashmir. (2)")).toBe("19 die as bus falls in river in Pakistani Kashmir. (2)");
    expect(yamlScalar("Pakistan, India talk")).toBe("'Pakistan, India talk'");
    expect(yamlScalar("2025-05-07")).toBe("'2025-05-07'");
    expect(yamlScalar("19-die-as-bus-falls-in-river-in-pakistani-kashmir-2-1302")).toBe("19-die-as-bus-falls-in-river-in-pakistani-kashmir-2-1302");
    // Left to js-yaml: might read as another type, or needs escapes.
    expect(yamlScalar("true")).toBeNull();
    expect(yamlScalar("line\nbreak")).toBeNull();
  });

  it("gives the bytes the gray-matter route gives on every Reuters text, dated names and --date alike", () => {
    const checked = { articles: 0, direct: 0 };
    for (const corpus of ["conll2003-dev", "conll2003-train"]) {
      const dir = path.join(SHARED, "corpora", corpus);
      for (const [i, name] of readdirSync(dir).filter((n) => n.endsWith(".txt")).sort().entries()) {
        const text = readFileSync(path.join(dir, name), "utf8");
        const options = i % 2 ? { date: "2019-03-06", source: "Reuters", sourceUrl: `https://example.org/r/${i}` } : {};
        const result = ingestRawText(`2019-03-06-${name}`, text, options);
        if (!("article" in result)) continue;
        const { data, content } = matter(result.article.markdown);
        expect(result.article.markdown).toBe(grayMatter(data as Record<string, string>, content));
        checked.articles++;
        if (Object.values(data as Record<string, string>).every((v) => yamlScalar(v) !== null)) checked.direct++;
      }
    }
    expect(checked.articles).toBeGreaterThan(1000);
    expect(checked.direct / checked.articles).toBeGreaterThan(0.9);
  });
});

describe("a file name that is already a slug", () => {
  it("is the slug slugify would make of it (seeded)", () => {
    const slugChars = fc.constantFrom(..."abcxyz0189-".split(""), "--", "A", "é", " ", "'", "’");
    fc.assert(
      fc.property(fc.string({ unit: slugChars, minLength: 1, maxLength: 90 }), (name) => {
        const result = ingestRawText(`2025-05-07-${name}.txt`, "Headline Here\nBody.\n");
        const expected = slugify(name) || slugify("Headline Here");
        expect("article" in result && result.article.slug).toBe(expected);
      }),
      { numRuns: 3000, seed: 20250507 },
    );
  });
});
