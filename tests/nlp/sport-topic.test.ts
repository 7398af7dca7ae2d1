import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTaxonomy } from "../../src/content/taxonomy.js";
import { assignTopics, compileTaxonomy } from "../../src/nlp/topics.js";
import { ROOT, SHARED } from "../support/cli.js";

/**
 * Issue 3's measure: a Reuters sports report (its headline starts with the
 * sport, "SOCCER - ...") gets the sport topic, and other reports do not.
 * The headline-prefix list below is the gold standard, kept apart from the
 * rules in content/topics.yml that are being measured.
 */
const SPORT_PREFIX = /^(SOCCER|CRICKET|TENNIS|GOLF|BOXING|RUGBY UNION|RUGBY LEAGUE|BASEBALL|SQUASH|BASKETBALL|ATHLETICS|CYCLING|MOTOR RACING|HORSE RACING|NFL AMERICAN FOOTBALL|NHL ICE HOCKEY|ALPINE SKIING|SWIMMING|ROWING|YACHTING|BADMINTON)\s*-/i;

describe("sport topic on conll2003-dev", () => {
  it("reaches F1 >= 0.9 with the rules in content/topics.yml", async () => {
    const { taxonomy, issues } = parseTaxonomy("topics.yml", await readFile(path.join(ROOT, "content/topics.yml"), "utf8"));
    expect(issues).toEqual([]);
    const compiled = compileTaxonomy(taxonomy);
    const dir = path.join(SHARED, "corpora/conll2003-dev");
    let tp = 0, fp = 0, fn = 0;
    for (const name of (await readdir(dir)).filter((f) => f.endsWith(".txt"))) {
      const text = await readFile(path.join(dir, name), "utf8");
      const [headline = "", ...body] = text.split("\n");
      const gold = SPORT_PREFIX.test(headline);
      const predicted = assignTopics(compiled, headline, body.join("\n"), []).includes("medtop:15000000");
      if (gold && predicted) tp++;
      else if (predicted) fp++;
      else if (gold) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    console.log(`sport topic on conll2003-dev: P=${precision.toFixed(3)} R=${recall.toFixed(3)} F1=${f1.toFixed(3)} (tp ${tp} fp ${fp} fn ${fn})`);
    expect(tp + fn).toBeGreaterThan(80);
    expect(f1).toBeGreaterThanOrEqual(0.9);
  });
});
