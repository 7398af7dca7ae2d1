// Issue 5's differential test: seeded random sequences of edits to a small archive (articles, registry,
// taxonomy, templates, public files, settings), each followed by `build --incremental` on the same output
// folder, which must then hold exactly the bytes of a clean build into an empty folder.
import { cp, mkdir, readdir, readFile, rename, rm, stat, symlink, unlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gazette, scratch } from "../support/cli.js";
import { rng } from "../support/random.js";
import { articleMarkdown, corpusTexts, dateOf, differences, makeProject, slugOf, snapshot, writeArticle } from "./support.js";

interface Story {
  file: string;
  title: string;
  date: string;
  slug: string;
  paragraphs: string[];
}

const SEEDS = (process.env.GAZETTE_DIFF_SEEDS ?? "1,2").split(",").map(Number);
const STEPS = Number(process.env.GAZETTE_DIFF_STEPS ?? 6);

let work: Awaited<ReturnType<typeof scratch>>;

/**
 * A project of the given stories (article i is `story(i)`), with its build: `build --incremental` of it into
 * one folder, checked against a clean build into an empty folder from an empty cache; it returns the
 * incremental build's messages.
 */
async function editedProject(name: string, texts: { title: string; paragraphs: string[] }[], env: Record<string, string> = {}) {
  const project = path.join(work.dir, name);
  await makeProject(project, texts);
  const out = path.join(work.dir, `${name}-out`);
  const clean = path.join(work.dir, `${name}-clean`);
  const cache = path.join(work.dir, `${name}-cache`);
  const build = async (what: string): Promise<string> => {
    const inc = await gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env: { GAZETTE_CACHE: cache, ...env } });
    expect(inc.code, `${what}\n${inc.stderr}`).toBe(0);
    await rm(clean, { recursive: true, force: true });
    const full = await gazette(["build", "--content", "content", "--out", clean], { cwd: project, env: { GAZETTE_CACHE: `${cache}-clean` } });
    expect(full.code, full.stderr).toBe(0);
    expect(differences(await snapshot(out), await snapshot(clean)), what).toEqual([]);
    return inc.stderr;
  };
  const story = (i: number) => path.join(project, "content", "articles", "1996", dateOf(i).slice(5, 7), `${slugOf(texts[i]!.title)}.md`);
  return { project, out, cache, build, story };
}

/** Changes a file's text. */
async function edit(file: string, change: (text: string) => string): Promise<void> {
  await writeFile(file, change(await readFile(file, "utf8")));
}
beforeAll(async () => {
  work = await scratch("gazette-diff-");
});
afterAll(async () => {
  await work?.cleanup();
});

describe("build --incremental equals a clean build", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random edits`, { timeout: 900_000 }, async () => {
      const random = rng(seed);
      const texts = await corpusTexts(24);
      const project = path.join(work.dir, `project-${seed}`);
      await makeProject(project, texts.slice(0, 8));
      const pool = texts.slice(8);
      const stories: Story[] = texts.slice(0, 8).map((text, i) => {
        const date = dateOf(i);
        const slug = slugOf(text.title);
        return { file: path.join(project, "content", "articles", "1996", date.slice(5, 7), `${slug}.md`), title: text.title, date, slug, ...text };
      });
      const incremental = path.join(work.dir, `inc-${seed}`);
      // Odd seeds make every page whose inputs' key is unchanged anyway, and the build fails if one came out
      // different (a page input left out of its key); even seeds reuse them, as editors' builds do.
      const env = { GAZETTE_CACHE: path.join(work.dir, `cache-inc-${seed}`), ...(seed % 2 === 1 ? { GAZETTE_VERIFY_REUSE: "1" } : {}) };
      const run = (args: string[], environment = env) => gazette(args, { cwd: project, env: environment });

      const first = await run(["build", "--incremental", "--content", "content", "--out", incremental]);
      expect(first.code, first.stderr).toBe(0);

      const names = () => {
        const found = new Set<string>();
        for (const story of stories) for (const match of story.paragraphs.join(" ").matchAll(/\b[A-Z][a-z]{3,}(?: [A-Z][a-z]{3,})?\b/g)) found.add(match[0]);
        return [...found].sort();
      };
      const registry: string[] = [];
      const topics: string[] = [];
      let templateEdits = 0;
      const log: string[] = [];

      const edits: Record<string, () => Promise<string | null>> = {
        async editBody() {
          const story = random.pick(stories);
          const other = random.pick(texts);
          if (random.next() < 0.5) story.paragraphs[random.int(story.paragraphs.length)] = random.pick(other.paragraphs);
          else story.paragraphs.push(`Officials in ${random.pick(names())} said on ${random.pick(["Monday", "Friday"])} that talks with ${random.pick(names())} would go on.`);
          await writeFile(story.file, articleMarkdown(story.title, story.date, story.slug, story.paragraphs));
          return `edit body of ${story.slug}`;
        },
        // A sentence that names no one: most often the edited article's own page alone changes (own-pages-edit.ts).
        async addPlainSentence() {
          const story = random.pick(stories);
          story.paragraphs.push(random.pick(["It was the third such meeting this year.", "The meeting ended late in the evening.", "No date was set for the next one."]));
          await writeFile(story.file, articleMarkdown(story.title, story.date, story.slug, story.paragraphs));
          return `add a plain sentence to ${story.slug}`;
        },
        async editTitle() {
          const story = random.pick(stories);
          story.title = `${random.pick(["UPDATE 1", "Analysis", "Exclusive"])}: ${story.title}`;
          await writeFile(story.file, articleMarkdown(story.title, story.date, story.slug, story.paragraphs));
          return `retitle ${story.slug}`;
        },
        async add() {
          const text = pool.shift();
          if (!text) return null;
          const date = `1996-0${1 + random.int(4)}-${String(1 + random.int(28)).padStart(2, "0")}`;
          const slug = slugOf(text.title);
          if (stories.some((s) => s.slug === slug && s.date.slice(0, 7) === date.slice(0, 7))) return null;
          const file = await writeArticle(project, date, slug, articleMarkdown(text.title, date, slug, text.paragraphs));
          stories.push({ file, date, slug, ...text });
          return `add ${slug}`;
        },
        async delete() {
          if (stories.length < 3) return null;
          const [story] = stories.splice(random.int(stories.length), 1);
          await unlink(story!.file);
          return `delete ${story!.slug}`;
        },
        async rename() {
          const story = random.pick(stories);
          // (A cut that ends in a hyphen would make a double hyphen, which is no slug.)
          story.slug = `${story.slug.slice(0, 40).replace(/-+$/, "")}-${random.int(1000)}`;
          const date = random.next() < 0.5 ? story.date : `1996-0${1 + random.int(4)}-0${1 + random.int(9)}`;
          story.date = date;
          const file = await writeArticle(project, date, story.slug, articleMarkdown(story.title, story.date, story.slug, story.paragraphs));
          await unlink(story.file);
          story.file = file;
          return `rename to ${date} ${story.slug}`;
        },
        async registry() {
          const file = path.join(project, "content", "entities.yml");
          if (registry.length > 0 && random.next() < 0.3) registry.pop();
          else {
            const [name, alias] = [random.pick(names()), random.pick(names())];
            // A name belongs to one entry (as its name or an alias): a clash is a content error, not an edit.
            if (name === alias || registry.some((entry) => entry.includes(name) || entry.includes(alias))) return null;
            const hidden = random.next() < 0.25 ? "\n  hidden: true" : "";
            registry.push(`- name: ${name}\n  type: ${random.pick(["person", "organization", "place"])}\n  aliases: [${alias}]\n  description: Entry ${registry.length}.${hidden}\n`);
          }
          await writeFile(file, `# registry\n${registry.join("")}`);
          return `registry now ${registry.length} entries`;
        },
        async taxonomy() {
          const file = path.join(project, "content", "topics.yml");
          const base = (await readFile(file, "utf8")).split("\n# added by the test\n")[0]!;
          if (topics.length > 0 && random.next() < 0.4) topics.pop();
          else {
            const word = random.pick(["said", "minister", "police", "market", "shares", "government"]);
            topics.push(`- code: medtop:9900000${topics.length}\n  label: test topic ${topics.length} on ${word}\n  keywords: [${word}]\n  min_score: 1\n`);
          }
          await writeFile(file, `${base}\n# added by the test\n${topics.join("")}`);
          return `taxonomy now +${topics.length} topics`;
        },
        async template() {
          const choice = random.pick(["article.njk", "entity.njk", "_includes/base.njk", "extra"]);
          templateEdits++;
          if (choice === "extra") {
            // A newsroom's own template, of its own shape: Eleventy renders it.
            const file = path.join(project, "templates", "latest-titles.njk");
            if (random.next() < 0.3) {
              await rm(file, { force: true });
              return "remove the newsroom template";
            }
            await writeFile(file, `---\npermalink: /latest-titles.txt\n---\n${templateEdits}{% for p in pages.home %}{% for c in p.cards %}{{ c.title }}\n{% endfor %}{% endfor %}`);
            return "write a newsroom template";
          }
          const file = path.join(project, "templates", choice);
          await writeFile(file, (await readFile(file, "utf8")).replace(/\n*$/, `\n{# edit ${templateEdits} #}\n`));
          return `edit template ${choice}`;
        },
        async publicFiles() {
          const choice = random.int(3);
          if (choice === 0) {
            const file = path.join(project, "public", "assets", "gazette.css");
            await writeFile(file, `${await readFile(file, "utf8")}\n/* edit ${random.int(1e6)} */\n`);
            return "edit public css";
          }
          const extra = path.join(project, "public", "extra", "note.txt");
          if (choice === 1) {
            await writeFile(extra, `note ${random.int(1e6)}\n`).catch(async () => {
              await import("node:fs/promises").then((fs) => fs.mkdir(path.dirname(extra), { recursive: true }));
              await writeFile(extra, `note ${random.int(1e6)}\n`);
            });
            return "write public note";
          }
          await rm(path.dirname(extra), { recursive: true, force: true });
          return "remove public note";
        },
        async settings() {
          const file = path.join(project, "content", "site.yml");
          const text = await readFile(file, "utf8");
          const size = 2 + random.int(3);
          await writeFile(file, text.replace(/page_size: \d+/, `page_size: ${size}`));
          return `page size ${size}`;
        },
        async broken() {
          // A content error: the build fails and the output folder stays as the last good build left it.
          const before = await snapshot(incremental);
          const file = path.join(project, "content", "articles", "1996", "01", "broken.md");
          await writeFile(file, "---\ntitle: [unclosed\n---\nBody.\n");
          const failed = await run(["build", "--incremental", "--content", "content", "--out", incremental]);
          expect(failed.code).toBe(1);
          expect(differences(await snapshot(incremental), before)).toEqual([]);
          await unlink(file);
          return "a broken article, then fixed";
        },
      };
      const kinds = Object.keys(edits);

      for (let step = 0; step < STEPS; step++) {
        // One to three edits between builds, as an editor saving several files.
        const done: string[] = [];
        for (let n = 1 + random.int(3); n > 0; n--) {
          const what = await edits[random.pick(kinds)]!();
          if (what) done.push(what);
        }
        log.push(`step ${step}: ${done.join("; ")}`);

        const inc = await run(["build", "--incremental", "--content", "content", "--out", incremental]);
        expect(inc.code, `${log.join("\n")}\n${inc.stderr}`).toBe(0);
        const clean = path.join(work.dir, `clean-${seed}`);
        await rm(clean, { recursive: true, force: true });
        // The clean build also starts from an empty cache: the cache must never change output.
        const cleanCache = path.join(work.dir, `cache-clean-${seed}-${step}`);
        const full = await run(["build", "--content", "content", "--out", clean], { GAZETTE_CACHE: cleanCache });
        expect(full.code, full.stderr).toBe(0);
        const problems = differences(await snapshot(incremental), await snapshot(clean));
        expect(problems, `after:\n${log.join("\n")}`).toEqual([]);
        await rm(cleanCache, { recursive: true, force: true });
      }
    });
  }

  it("a page whose inputs' key is unchanged is the page that would be made: every kind of edit, each such page checked", { timeout: 600_000 }, async () => {
    const texts = await corpusTexts(8);
    // The build makes the pages it would reuse, and fails if one of them came out different.
    const { project, out, build, story } = await editedProject("keys", texts, { GAZETTE_VERIFY_REUSE: "1" });
    await build("first build");
    const content = (file: string) => path.join(project, "content", file);

    await edit(content("topics.yml"), (text) => `${text}\n- code: medtop:99000001\n  label: test topic on said\n  keywords: [said]\n  min_score: 1\n`);
    await build("a topic most articles join");
    // The entity in most articles.
    const entities = JSON.parse(await readFile(path.join(out, "api", "entities.json"), "utf8")) as { name: string; articles: string[] }[];
    const name = entities.reduce((best, entity) => (entity.articles.length > best.articles.length ? entity : best)).name;
    // Renamed (a new page), on the pages of every entity it appears beside.
    await writeFile(content("entities.yml"), `- name: ${JSON.stringify(`Greater ${name}`)}\n  type: place\n  aliases: [${JSON.stringify(name)}]\n  description: Curated.\n  wikidata: Q1\n`);
    await build(`a registry entry renaming ${name}`);
    await edit(story(3), (text) => text.replace(/^title: (.*)$/m, (_line, title: string) => `title: "UPDATE 1: ${title.replace(/^"|"$/g, "")}"`));
    await build("a title, on its neighbours' and related pages");
    await edit(story(5), (text) => `${text.trimEnd()}\n\nOfficials in ${name} said on Friday the talks would resume.\n`);
    await build("a sentence naming an entity");
    await edit(content("site.yml"), (text) => text.replace("title: Diff Gazette", "title: Diff Gazette Weekly"));
    await build("the site's title");
    await edit(content("site.yml"), (text) => text.replace(/page_size: \d+/, "page_size: 3"));
    await build("the page size");
    await unlink(story(1));
    await build("an article deleted");
  });

  it("an edit that changes an article's own page alone is built from the record of its page, and comes out as a clean build", { timeout: 600_000 }, async () => {
    const texts = await corpusTexts(8);
    const { project, cache, build: buildAndCompare, story } = await editedProject("own-pages", texts);
    const build = async (what: string, editedPagesOnly: boolean) => {
      const stderr = await buildAndCompare(what);
      expect(stderr.includes("edited articles' pages only"), `${what}: ${stderr}`).toBe(editedPagesOnly);
    };
    const addSentence = (sentence: string) => (text: string) => `${text.trimEnd()}\n\n${sentence}\n`;
    // A story that names one person twice: named a third time, he joins its JSON-LD's `about`.
    const envoy = await writeArticle(
      project,
      "1996-02-11",
      "envoy-prepares-talks",
      articleMarkdown("Envoy prepares talks", "1996-02-11", "envoy-prepares-talks", [
        "GENEVA 1996-02-11",
        "United Nations envoy Lakhdar Brahimi met officials in Geneva on Thursday to prepare the talks.",
        "Brahimi said the talks with Iran would resume next week.",
      ]),
    );

    await build("first build", false);
    await edit(envoy, addSentence("Brahimi added that no date had been set."));
    await build("a sentence naming a third time someone the story names", true);
    await edit(envoy, addSentence("Brahimi left on Friday."));
    await build("a sentence naming him a fourth time", true);
    // A file saved unchanged: nothing to make, and its new identity noted for the next build.
    await utimes(story(3), new Date(), new Date(Date.now() - 60_000));
    await build("an article file touched", false);
    await edit(story(3), addSentence("No further details were given."));
    await build("a sentence added to the touched file", true);
    await edit(story(2), addSentence("It was the third such meeting this year."));
    await build("a sentence naming no one", true);
    await edit(story(2), (text) => text.replace("third such meeting", "fourth such meeting"));
    await build("a word of it changed", true);
    await edit(story(4), addSentence("It was the first such meeting this year."));
    await edit(story(6), addSentence("The meeting ended late in the evening."));
    await build("two articles at once", true);
    // Another page shows what this changes (a new entity's page, at least): every page is planned.
    await edit(story(2), addSentence("Officials in Reykjavik welcomed it."));
    await build("a sentence naming a new place", false);
    await edit(story(2), (text) => text.replace("fourth such meeting", "fifth such meeting"));
    await build("a word changed after a build of every page", true);
    await edit(story(1), (text) => text.replace(/^title: (.*)$/m, (_line, title: string) => `title: "UPDATE 1: ${title.replace(/^"|"$/g, "")}"`));
    await build("a title, on other pages too", false);
    await writeFile(path.join(project, "public", "assets", "extra.css"), "body { margin: 0 }\n");
    await build("a public file added", false);
    await edit(story(1), addSentence("The meeting ended early."));
    await build("a sentence after a public file was added", true);
    await unlink(story(7));
    await edit(story(4), addSentence("It was a long day."));
    await build("a sentence and an article deleted", false);
    // The record's store lost (a cache folder cleaned by hand): the build plans every page instead.
    for (const name of await readdir(path.join(cache, "outputs"))) if (name.includes(".pages-")) await unlink(path.join(cache, "outputs", name));
    await edit(story(4), addSentence("It was a longer day."));
    await build("a sentence with the record's store gone", false);
  });

  it("an article kept elsewhere behind a symbolic link: an edit to it is seen by the next build", { timeout: 180_000 }, async () => {
    const texts = await corpusTexts(2);
    const project = path.join(work.dir, "linked");
    await makeProject(project, texts);
    const story = path.join(project, "content", "articles", "1996", dateOf(1).slice(5, 7), `${slugOf(texts[1]!.title)}.md`);
    const elsewhere = path.join(work.dir, "linked-story.md");
    await rename(story, elsewhere);
    await symlink(elsewhere, story);
    const out = path.join(work.dir, "linked-out");
    const env = { GAZETTE_CACHE: path.join(work.dir, "linked-cache") };
    const build = () => gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env });
    // Each build past the window in which a file just changed is never trusted anyway.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));
    await settle();
    expect((await build()).code).toBe(0);
    await writeFile(elsewhere, (await readFile(elsewhere, "utf8")).trimEnd() + "\n\nA sentence added where the link points.\n");
    await settle();
    const again = await build();
    expect(again.code, again.stderr).toBe(0);
    const page = await readFile(path.join(out, "articles", "1996", dateOf(1).slice(5, 7), slugOf(texts[1]!.title), "index.html"), "utf8");
    expect(page).toContain("A sentence added where the link points.");
  });

  // Four builds each, through the CLI: far past vitest's default five seconds on a busy machine.
  it("a full build over its own site patches it to a clean build's bytes: lost files written, stray files removed", { timeout: 180_000 }, async () => {
    const texts = await corpusTexts(4);
    const project = path.join(work.dir, "audit");
    await makeProject(project, texts);
    const out = path.join(work.dir, "audit-out");
    const clean = path.join(work.dir, "audit-clean");
    const env = { GAZETTE_CACHE: path.join(work.dir, "audit-cache") };
    expect((await gazette(["build", "--content", "content", "--out", out], { cwd: project, env })).code).toBe(0);
    expect((await gazette(["build", "--content", "content", "--out", clean], { cwd: project, env })).code).toBe(0);
    await unlink(path.join(out, "index.html"));
    await writeFile(path.join(out, "stray.txt"), "not Gazette's\n");
    await cp(path.join(out, "entities"), path.join(out, "stray-folder"), { recursive: true });
    const again = await gazette(["build", "--content", "content", "--out", out], { cwd: project, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/\(incremental: 1 written, [1-9]\d* deleted\)/);
    expect(differences(await snapshot(out), await snapshot(clean))).toEqual([]);
  });

  it("a newsroom template that may read any page follows an edit to a page Gazette renders itself", { timeout: 180_000 }, async () => {
    const texts = await corpusTexts(4);
    const project = path.join(work.dir, "reads-all");
    await makeProject(project, texts);
    // Of its own shape (Eleventy renders it), reading the home pages' cards: its output depends on every page.
    await writeFile(path.join(project, "templates", "latest-titles.njk"), `---\npermalink: /latest-titles.txt\n---\n{% for p in pages.home %}{% for c in p.cards %}{{ c.title }}\n{% endfor %}{% endfor %}`);
    const out = path.join(work.dir, "reads-all-out");
    const clean = path.join(work.dir, "reads-all-clean");
    const env = { GAZETTE_CACHE: path.join(work.dir, "reads-all-cache") };
    expect((await gazette(["build", "--content", "content", "--out", out], { cwd: project, env })).code).toBe(0);
    const story = path.join(project, "content", "articles", "1996", dateOf(0).slice(5, 7), `${slugOf(texts[0]!.title)}.md`);
    await writeFile(story, (await readFile(story, "utf8")).replace(/^title: .*$/m, "title: A Headline Written Again"));
    const inc = await gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env });
    expect(inc.code, inc.stderr).toBe(0);
    expect(await readFile(path.join(out, "latest-titles.txt"), "utf8")).toContain("A Headline Written Again");
    const full = await gazette(["build", "--content", "content", "--out", clean], { cwd: project, env: { GAZETTE_CACHE: path.join(work.dir, "reads-all-cache-clean") } });
    expect(full.code, full.stderr).toBe(0);
    expect(differences(await snapshot(out), await snapshot(clean))).toEqual([]);
  });

  it("a no-op incremental build writes nothing", { timeout: 180_000 }, async () => {
    const texts = await corpusTexts(4);
    const project = path.join(work.dir, "noop");
    await makeProject(project, texts);
    const out = path.join(work.dir, "noop-out");
    const env = { GAZETTE_CACHE: path.join(work.dir, "noop-cache") };
    expect((await gazette(["build", "--content", "content", "--out", out], { cwd: project, env })).code).toBe(0);
    const again = await gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("(incremental: 0 written, 0 deleted)");
    // A replaced output folder is not trusted (its inode differs): the next incremental build renders it all.
    await rename(out, `${out}-old`);
    await cp(`${out}-old`, out, { recursive: true });
    await writeFile(path.join(out, "stray.txt"), "not Gazette's\n");
    const replaced = await gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env });
    expect(replaced.code).toBe(0);
    expect(replaced.stderr).not.toContain("incremental:");
    expect(await readFile(path.join(out, "stray.txt")).catch(() => null)).toBeNull();
    // Nor is one deleted and made again empty, though on ext4 it gets its inode back: every file is written.
    const files = (await snapshot(out)).size;
    const inode = (await stat(out)).ino;
    await rm(out, { recursive: true });
    await mkdir(out);
    console.log(`remade output folder: inode ${(await stat(out)).ino === inode ? "reused" : "new"}`);
    const remade = await gazette(["build", "--incremental", "--content", "content", "--out", out], { cwd: project, env });
    expect(remade.code, remade.stderr).toBe(0);
    expect(remade.stderr).not.toContain("incremental:");
    expect((await snapshot(out)).size).toBe(files);
  });
});
