import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseFrontMatter, parseSimpleFrontMatter, parseYamlFrontMatter } from "../../src/content/front-matter.js";
import { ingestRawText } from "../../src/ingest/raw-text.js";
import { ROOT, SHARED } from "../support/cli.js";
import { rng } from "../support/random.js";

/**
 * parseFrontMatter reads the common simple shape of front matter (one
 * `name: text` a line, as ingest writes it) directly, and hands everything
 * else to the `yaml` package. Whatever the direct reader accepts, it must
 * answer exactly as the `yaml` path does: the same data (same key order),
 * body, offsets, and positions of every field, known or not.
 */
type Parsed = ReturnType<typeof parseYamlFrontMatter>;

/** Scale the corpus and the random runs with GAZETTE_FUZZ_SCALE=10 for a longer campaign by hand. */
const SCALE = Number(process.env.GAZETTE_FUZZ_SCALE ?? 1);

const PROBES = [undefined, "nope", "__proto__", "constructor", "toString", "hasOwnProperty", "title ", ""];

/** Everything a caller can ask of a parse: issues, or data (with its key order), body, and where each field stands. */
function answers(parsed: Parsed, fields: readonly string[]): unknown {
  if ("issues" in parsed) return { issues: parsed.issues };
  const { data, body, bodyOffset, locate, offsetOf } = parsed.file;
  const probes = [...new Set([...Object.keys(data), ...fields, ...PROBES])];
  return {
    keys: Object.keys(data),
    data,
    prototype: Object.getPrototypeOf(data),
    body,
    bodyOffset,
    fields: probes.map((field) => ({
      field,
      value: locate(field),
      key: locate(field, { key: true }),
      noKey: locate(field, {}),
      offset: field === undefined ? null : offsetOf(field),
    })),
  };
}

function expectSame(text: string, actual: Parsed, expected: Parsed, fields: readonly string[]): void {
  // Probe with every field either side knows of, so a field only one of them has is compared too.
  const known = [...fields, ...("file" in actual ? Object.keys(actual.file.data) : []), ...("file" in expected ? Object.keys(expected.file.data) : [])];
  const a = answers(actual, known);
  const b = answers(expected, known);
  // expect() is slow for tens of thousands of comparisons: it runs only to show a difference.
  if (!isDeepStrictEqual(a, b)) expect(a, JSON.stringify(text.slice(0, 400))).toStrictEqual(b);
}

/** Compares both paths on one text; whether the direct reader read its fields, declined, or found no front matter. */
function check(text: string, fields: readonly string[] = []): "read" | "declined" | "no front matter" {
  const reference = parseYamlFrontMatter("f.md", text);
  const simple = parseSimpleFrontMatter("f.md", text);
  if (simple !== null) expectSame(text, simple, reference, fields);
  expectSame(text, parseFrontMatter("f.md", text), reference, fields);
  return simple === null ? "declined" : "file" in simple ? "read" : "no front matter";
}

/** Articles as `gazette ingest` writes them, from the shared Reuters texts, with and without source fields. */
function ingestedArticles(count: number): string[] {
  const articles: string[] = [];
  for (const corpus of ["conll2003-dev", "conll2003-train"]) {
    const dir = path.join(SHARED, "corpora", corpus);
    const names = readdirSync(dir).filter((name) => name.endsWith(".txt")).sort();
    names.slice(0, count - articles.length).forEach((name, i) => {
      const options = [
        { date: "2019-03-06" },
        { date: "2024-02-29", source: "Reuters", sourceUrl: `https://example.org/reuters/${i}?a=b&c=d#x` },
        { date: "2020-12-31", source: "Afghanistan International: English" },
      ][i % 3]!;
      const result = ingestRawText(`${i % 5 === 0 ? "2019-03-06-" : ""}${name}`, readFileSync(path.join(dir, name), "utf8"), options);
      if (!("article" in result)) throw new Error(`${name}: ${result.error}`);
      articles.push(result.article.markdown);
    });
  }
  return articles;
}

/** Every article file of a folder, recursively. */
function articleFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => readFileSync(path.join(dir, name), "utf8"));
}

describe("the direct front-matter reader answers as the yaml package does", () => {
  it("on the brief's example: read directly, with every position", () => {
    const text = "---\ntitle: Anti-abortion speaker praises Democrat tolerance.\ndate: '2019-03-06'\nslug: anti-abortion-speaker-praises-democrat-tolerance-565\nsummary: Alan Elsner\n---\nAlan Elsner\n";
    expect(check(text)).toBe("read");
    const parsed = parseFrontMatter("f.md", text);
    if (!("file" in parsed)) throw new Error("expected fields");
    expect(parsed.file.data).toStrictEqual({
      title: "Anti-abortion speaker praises Democrat tolerance.",
      date: "2019-03-06",
      slug: "anti-abortion-speaker-praises-democrat-tolerance-565",
      summary: "Alan Elsner",
    });
    expect(parsed.file.locate("date")).toStrictEqual({ line: 3, column: 7 });
    expect(text.slice(parsed.file.offsetOf("date")!)).toMatch(/^2019-03-06'/);
  });

  it("on every article ingested from the Reuters corpora, and in the repository's content", () => {
    const articles = [
      ...ingestedArticles(400 * SCALE),
      ...articleFiles(path.join(ROOT, "content", "articles")),
      ...articleFiles(path.join(ROOT, "tests", "fixtures", "small-archive", "content", "articles")),
    ];
    expect(articles.length).toBeGreaterThan(400);
    let direct = 0;
    for (const text of articles) {
      if (check(text) === "read") direct++;
      // The same files saved on Windows, with a BOM.
      if (check(`\ufeff${text.replace(/\n/g, "\r\n")}`) === "read") direct++;
    }
    // The shape ingest writes is what the direct reader is for: nearly every article takes it.
    expect(direct / (2 * articles.length)).toBeGreaterThan(0.95);
  });

  it("on random front matter, fields simple and not (seeded)", () => {
    const random = rng(20250507);
    const runs = 3000 * SCALE;
    const outcomes = { read: 0, declined: 0, "no front matter": 0 };
    for (let run = 0; run < runs; run++) {
      const { text, keys } = randomArticle(random);
      outcomes[check(text, keys)]++;
    }
    // Both paths are exercised in earnest.
    expect(outcomes.read).toBeGreaterThan(runs * 0.2);
    expect(outcomes.declined).toBeGreaterThan(runs * 0.2);
  });

  it("declines what it is not sure of, so the yaml package reads it (or reports it)", () => {
    const declined = [
      "title: x # comment", "# comment", "title: 12", "title: 2025-05-07", "title: null", "title: True", "title: ~", "title:",
      "title: ", "title: [a, b]", "title: {a: 1}", "title: |", "title: >", "title: &a x", "title: *a", "title: !!str x",
      "title: a: b", "title: a:", "title:\tx", "title: x\ty", "title: 'a", 'title: "a\\"b"', "title: 'a' b", "title x",
      " title: x", "true: x", "__proto__: x", "title: x\ntitle: y", "title: x\n  continued", "- x", "title: x\n...",
      "title: \u00a0x", "title: x\u2028y", "title: 'x'\u0085", "title: -x", "title: .x", "title: 'x' # c",
    ];
    for (const fields of declined) {
      const text = `---\n${fields}\n---\nBody.\n`;
      expect(parseSimpleFrontMatter("f.md", text), JSON.stringify(fields)).toBeNull();
      check(text);
    }
  });
});

type Random = ReturnType<typeof rng>;

const KEYS = [
  "title", "title", "date", "date", "slug", "summary", "source", "source_url", "updated", "entities", "x", "_a", "a-b", "A9_z-",
  "Title", "null", "Null", "true", "FALSE", "__proto__", "constructor", "toString", "y", "no", "1abc", "-a", "a b", "é",
  "k".repeat(127), "k".repeat(129), "k".repeat(1030),
];

/** Scalars that break naive readers: numbers, dates, nulls, booleans, indicators, blanks, quotes, Unicode. */
const SCALARS = [
  "Ministers meet in Doha", "Anti-abortion speaker praises Democrat tolerance.", "TENNIS - TUESDAY'S RESULTS FROM U.S. OPEN. (2)",
  "Chile's ENAP buys Oriente", "Pakistan’s envoy", "https://www.afintl.com/en/202505079646", "a-b-c-565", "NEW YORK 1996-08-27",
  "12", "-3", "+4", "0x1F", "0o17", "017", "1.5", ".5", "1e3", "1E-3", ".inf", "-.Inf", ".nan", "NaN", "Infinity", "2025-05-07",
  "2025-05-07T10:00:00Z", "12:30", "null", "Null", "NULL", "nULL", "~", "", "true", "True", "TRUE", "tRUE", "false", "False",
  "Yes", "yes", "No", "on", "Off", "y", "n", "#", "#x", "a #b", "a#b", "C#", "a: b", "a:b", "a:", "a :b", ": a", "foo ", "  foo",
  "foo  bar", "Ünïcode", "中文 标题", "Москва", "😀 emoji", "e\u0301", "\u00a0x", "x\u00a0", "x\u2028y", "x\u0085y", "\u200bx",
  "x\ufeffy", "\ud800x", "x\udc00", "it's", "it''s", "''", "'", "a''b", 'say "hi"', '"', "\\n", "a\\b", "[a, b]", "{a: 1}", "- x",
  "-x", "&a x", "*a", "!tag x", "!!str x", "|", ">", "@x", "`x", "%x", "? x", "?x", ",x", "x,", "x]", "x}", "'x' y", '"x" y',
  "x\ty", "\tx", "x\t", "---", "...", "a --- b", "x\\", "x'", "x\"", "a  #  b", "Smith & Sons", "(ABC)", "<b>x</b>", "{ x }",
];

/** Whole lines that are not `key: value`: blanks, comments, continuations, lists, directives, markers. */
const ODD_LINES = [
  "", "", "   ", "\t", "# comment", "#", "  continued", " x: y", "- item", "...", "--- x", "%YAML 1.2", "title:", "title :x",
  "? complex", "[a, b]", "{a: 1}", "  - nested", "key:  'quoted'  ", "key: |", "  block", "key: >-", "<<: *a", "&a key: v",
];

/** Text a field commonly holds, tricky inside but often of the simple shape (plain or quoted). */
const TAME = [
  "Ministers meet in Doha", "Anti-abortion speaker praises Democrat tolerance.", "TENNIS - TUESDAY'S RESULTS FROM U.S. OPEN. (2)",
  "Chile's ENAP buys Oriente", "Pakistan’s envoy", "https://www.afintl.com/en/202505079646", "a-b-c-565", "NEW YORK 1996-08-27",
  "a#b", "C#", "a:b", "x:y:z", "foo  bar", "Ünïcode", "中文 标题", "Москва", "e\u0301", "it's", 'say "hi"', "Smith & Sons", "x]", "x,",
  "a --- b", "Infinity", "NaN", "Yes", "No", "on", "y", "nULL", "tRUE", "Nulls", "trueish", "x\\", "a'b'", "a - b", "a -- b",
  "12", "2025-05-07", "null", "True", "", "#", ": a", "a: b", "a #b", "'", "''", "(ABC)", "<b>x</b>", "😀 emoji", " lead", "trail ",
];

function randomScalar(random: Random, odd: number): string {
  const pool = random.next() < odd * 2 ? SCALARS : TAME;
  if (random.next() < 0.7) return random.pick(pool);
  const parts = 2 + random.int(2);
  let value = random.pick(pool);
  for (let i = 1; i < parts; i++) value += (random.next() < 0.7 ? " " : "") + random.pick(pool);
  return value;
}

function randomValue(random: Random, odd: number): string {
  const scalar = randomScalar(random, odd);
  switch (random.int(6)) {
    case 0:
    case 1:
      return scalar;
    case 2:
    case 3:
      return `'${scalar.replace(/'/g, "''")}'`;
    case 4:
      return `"${scalar}"`;
    default:
      return random.pick([`'${scalar}'`, JSON.stringify(scalar), `"${scalar.replace(/["\\]/g, "")}"`]);
  }
}

function randomArticle(random: Random): { text: string; keys: string[] } {
  const keys: string[] = [];
  const lines: string[] = [];
  // Half the articles are mostly of the simple shape, half are often not.
  const odd = random.next() < 0.5 ? 0.02 : 0.12;
  const count = random.int(8);
  for (let i = 0; i < count; i++) {
    if (random.next() < 0.04) lines.push(random.pick(["", "\r"]));
    if (random.next() < odd) {
      lines.push(random.pick(ODD_LINES));
      continue;
    }
    const common = KEYS.slice(0, 10).filter((key) => !keys.includes(key));
    // A repeated key only now and then: the yaml package refuses it.
    const key = random.next() < 1 - odd && common.length > 0 ? random.pick(common) : random.pick(KEYS);
    keys.push(key);
    const separator = random.next() < 1 - odd ? ": " : random.pick([":  ", ":   ", ":", ":\t", " : ", ": \t"]);
    const trailing = random.next() < 1 - odd ? "" : random.pick(["  ", " ", "\t", " # comment", "#x", " \u00a0"]);
    lines.push(`${key}${separator}${randomValue(random, odd)}${trailing}`);
  }
  const opening = random.next() < 1 - odd ? "---" : random.pick(["---  ", "---\t", "--- ", "----", "--- x"]);
  const closing = random.next() < 1 - odd ? "---" : random.pick(["--- ", "---\t", "...", "---x"]);
  const body = random.pick(["Body text.\n", "", "\n", "Body: text\n---\nmore\n", "x"]);
  let text = [opening, ...lines, closing, body].join("\n");
  const ending = random.int(12);
  if (ending === 0) text = text.replace(/\n/g, "\r\n");
  else if (ending === 1) text = text.replace(/\n/g, () => (random.next() < 0.5 ? "\r\n" : "\n"));
  else if (ending === 2) {
    // A lone CR in place of one line break.
    const breaks = [...text.matchAll(/\n/g)].map((match) => match.index);
    const at = random.pick(breaks);
    text = `${text.slice(0, at)}\r${text.slice(at + 1)}`;
  }
  if (random.next() < 0.1) text = `\ufeff${text}`;
  return { text, keys };
}
