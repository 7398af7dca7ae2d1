import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleFile, gazette, scratch, writeTree } from "../support/cli.js";

/**
 * Issue 7, broken input: every kind of file an editor or a script can get
 * wrong, in one archive. `check` and `build` must stop with exit 1 and list
 * every problem at once as path:line:col: message, each naming the fix.
 */
const A = "content/articles/2025/05";
const BROKEN: Record<string, string | Uint8Array> = {
  // malformed YAML: an unclosed flow sequence on line 4
  [`${A}/malformed-yaml.md`]: '---\ntitle: "Ministers meet"\ndate: 2025-05-07\ntopics: [politics, war\n---\nBody.\n',
  // front matter that is a list, not a mapping
  [`${A}/not-a-mapping.md`]: "---\n- title\n- date\n---\nBody.\n",
  // front matter that is a bare string
  [`${A}/scalar-front-matter.md`]: "---\njust a sentence\n---\nBody.\n",
  // no closing delimiter
  [`${A}/unclosed.md`]: '---\ntitle: "Never closed"\ndate: 2025-05-07\nBody without the closing line.\n',
  // missing and empty titles
  [`${A}/missing-title.md`]: "---\ndate: 2025-05-07\n---\nBody.\n",
  [`${A}/empty-title.md`]: '---\ntitle: "   "\ndate: 2025-05-07\n---\nBody.\n',
  // impossible dates
  [`${A}/february-30.md`]: "---\ntitle: Leap\ndate: 2025-02-30\n---\nBody.\n",
  [`${A}/month-13.md`]: "---\ntitle: Thirteenth\ndate: 2025-13-01\n---\nBody.\n",
  [`${A}/not-leap.md`]: "---\ntitle: Not leap\ndate: 2023-02-29\n---\nBody.\n",
  // two articles resolving to one URL (one by its title, one by an explicit slug; a third only differs in case)
  [`${A}/first.md`]: articleFile({ title: "Same story", date: "2025-05-07" }, "One."),
  [`${A}/second.md`]: articleFile({ title: "Another title", date: "2025-05-20", slug: "same-story" }, "Two."),
  [`${A}/third.md`]: articleFile({ title: "Third", date: "2025-05-21", slug: "Same-Story" }, "Three."),
  // slugs that try to leave their folder
  [`${A}/dot-dot.md`]: articleFile({ title: "Escape", date: "2025-05-07", slug: "../../../../etc/passwd" }, "x"),
  [`${A}/absolute.md`]: articleFile({ title: "Escape", date: "2025-05-07", slug: "/tmp/owned" }, "x"),
  [`${A}/backslash.md`]: articleFile({ title: "Escape", date: "2025-05-07", slug: "..\\..\\win" }, "x"),
  [`${A}/encoded.md`]: articleFile({ title: "Escape", date: "2025-05-07", slug: "%2e%2e%2fetc" }, "x"),
  [`${A}/dot.md`]: articleFile({ title: "Escape", date: "2025-05-07", slug: "." }, "x"),
  // not UTF-8 (Latin-1 "é" on line 2) and binary (a PNG header with NUL bytes)
  [`${A}/latin1.md`]: Uint8Array.from([...Buffer.from('---\ntitle: "Caf'), 0xe9, ...Buffer.from('"\ndate: 2025-05-07\n---\nBody.\n')]),
  [`${A}/picture.md`]: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
  // wrong-typed value and a near-miss field name
  [`${A}/typed.md`]: "---\ntitle: true\ndate: 2025-05-07\nsumary: x\n---\nBody.\n",
};

/** The expected line per file: path:line:col: and a phrase of the message. */
const EXPECTED: [file: string, line: number, column: number | null, phrase: RegExp][] = [
  ["malformed-yaml.md", 4, null, /front matter is not valid YAML.*(quotes|brackets|indentation)/],
  ["not-a-mapping.md", 2, 1, /front matter must be a mapping of fields.*found a list/],
  ["scalar-front-matter.md", 2, 1, /must be a mapping of fields.*found the text "just a sentence"/],
  ["unclosed.md", 1, 1, /no closing line: end the fields with a line of exactly '---'/],
  ["missing-title.md", 2, 1, /missing title: add a line such as title:/],
  ["empty-title.md", 2, 8, /missing title: add a line such as title:/],
  ["february-30.md", 3, 7, /'2025-02-30' is not a real date: write it as YYYY-MM-DD/],
  ["month-13.md", 3, 7, /'2025-13-01' is not a real date/],
  ["not-leap.md", 3, 7, /'2023-02-29' is not a real date/],
  ["second.md", 4, 1, /\/articles\/2025\/05\/same-story\/ is the same URL as content\/articles\/2025\/05\/first\.md: .*give one of them a different 'slug'/],
  ["third.md", 4, 1, /differs only in case .* as content\/articles\/2025\/05\/first\.md/],
  ["dot-dot.md", 4, 7, /slug '\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' must be one URL segment.*such as etc-passwd/],
  ["absolute.md", 4, 7, /slug '\/tmp\/owned' must be one URL segment/],
  ["backslash.md", 4, 7, /must be one URL segment/],
  ["encoded.md", 4, 7, /slug '%2e%2e%2fetc' must be one URL segment/],
  ["dot.md", 4, 7, /slug '\.' must be one URL segment/],
  ["latin1.md", 2, 12, /not UTF-8 text \(byte 0xE9 here.*save the file as UTF-8/],
  ["picture.md", 3, 1, /binary file, not text.*remove it from the content folder/],
  ["typed.md", 2, 8, /'title' must be text, found boolean: put the value in double quotes, such as title: "true"/],
  ["typed.md", 4, 1, /unknown field 'sumary': did you mean 'summary'\?/],
];

describe("broken input stops the build with every problem listed (issue 7)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await scratch("gazette-broken-"));
    await writeTree(dir, BROKEN);
  });
  afterAll(() => cleanup());

  it("check: exit 1, one path:line:col: line per problem, naming file, line, column and fix, all in one run", async () => {
    const result = await gazette(["check"], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    for (const [file, line, column, phrase] of EXPECTED) {
      const prefix = `${A}/${file}:${line}:${column ?? ""}`;
      const hit = lines.find((l) => l.startsWith(prefix) && phrase.test(l));
      expect(hit, `expected a line ${prefix}… matching ${phrase}\n${result.stderr}`).toBeDefined();
    }
    // Every problem line has the fixed form; the summary counts them all.
    const problems = lines.filter((l) => !/problems? found/.test(l));
    for (const l of problems) expect(l).toMatch(/^content\/articles\/2025\/05\/[\w-]+\.md:\d+:\d+: \S/);
    expect(problems).toHaveLength(EXPECTED.length);
    expect(lines.at(-1)).toBe(`${EXPECTED.length} problems found; nothing was written`);
    // The valid first.md is not blamed, and the duplicates name both files.
    expect(problems.some((l) => l.startsWith(`${A}/first.md`))).toBe(false);
  });

  it("build: same problems, exit 1, and no output folder appears", async () => {
    const result = await gazette(["build", "--out", "_site"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${EXPECTED.length} problems found`);
    expect((await readdir(dir)).filter((name) => name.startsWith("_site"))).toEqual([]);
  });

  it("the offending files are left exactly as they were", async () => {
    for (const [name, content] of Object.entries(BROKEN)) {
      expect(Buffer.compare(await readFile(path.join(dir, name)), Buffer.from(content))).toBe(0);
    }
  });
});

describe("BOM and CRLF files read correctly (issue 7)", () => {
  it("a UTF-8 BOM, CRLF line ends and a CRLF front matter give the same article as LF, with exact offsets", async () => {
    const { dir, cleanup } = await scratch("gazette-crlf-");
    try {
      const lf = '---\ntitle: "Kabul talks resume"\ndate: 2025-05-07\nslug: kabul-talks\nsource: Reuters\n---\nMohammad Sadiq met officials in Kabul on Tuesday.\n\nTalks will resume in Doha.\n';
      const crlf = "\ufeff" + lf.replace(/\n/g, "\r\n").replace("kabul-talks", "kabul-talks-crlf");
      await writeTree(dir, { [`${A}/lf.md`]: lf, [`${A}/crlf.md`]: crlf });
      const check = await gazette(["check"], { cwd: dir });
      expect(check.stderr).toMatch(/^2 articles/);
      expect(check.code).toBe(0);

      const extract = await gazette(["extract", "--json", `${A}/lf.md`, `${A}/crlf.md`], { cwd: dir });
      expect(extract.code).toBe(0);
      const [fromLf, fromCrlf] = extract.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const names = (r: { entities: { name: string }[] }) => r.entities.map((e) => e.name).sort();
      expect(names(fromCrlf)).toEqual(names(fromLf));
      expect(names(fromLf)).toEqual(expect.arrayContaining(["Kabul", "Mohammad Sadiq"]));
      // Offsets are UTF-16 offsets into the text as read: the BOM and every '\r' count.
      for (const [file, result] of [[lf, fromLf], [crlf, fromCrlf]] as const) {
        for (const entity of result.entities) {
          for (const m of entity.mentions) expect(file.slice(m.start, m.end)).toBe(m.text);
        }
      }

      const build = await gazette(["build", "--out", "_site"], { cwd: dir });
      expect(build.code, build.stderr).toBe(0);
      const page = await readFile(path.join(dir, "_site/articles/2025/05/kabul-talks-crlf/index.html"), "utf8");
      expect(page).toContain("<h1>Kabul talks resume</h1>");
      expect(page).toMatch(/<p>.*Sadiq.*Kabul.* on Tuesday\.<\/p>\s*<p>Talks will resume in .*Doha.*\.<\/p>/s);
      expect(page).not.toMatch(/\r|\ufeff|---/);
    } finally {
      await cleanup();
    }
  });
});
