/**
 * NER benchmark: P/R/F1 per type on conll2003-dev (scored by the shared
 * ner-score.mjs on exactly what loadTagger().tag() returns), throughput in
 * articles/s on one core, and model load time.
 *   npm run bench:ner            (GAZETTE_CORPORA / GAZETTE_TOOLS override ../shared paths)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { MODEL_PATH, loadModelFile, packageRoot } from "../../src/nlp/tagger/model.js";
import { NerTagger } from "../../src/nlp/tagger/index.js";
import { clearWordTypes } from "../../src/nlp/tagger/features.js";

const root = packageRoot();
const shared = path.join(root, "..", "shared");
const corpora = process.env.GAZETTE_CORPORA ?? path.join(shared, "corpora");
const tools = process.env.GAZETTE_TOOLS ?? path.join(shared, "tools");
const devDir = path.join(corpora, process.argv[2] ?? "conll2003-dev");

const t0 = performance.now();
const model = loadModelFile(process.env.GAZETTE_NER_MODEL || undefined);
const tagger = new NerTagger(model);
const loadMs = performance.now() - t0;

const gold = JSON.parse(fs.readFileSync(path.join(devDir, "gold.json"), "utf8")) as Record<string, unknown>;
const files = Object.keys(gold).sort();
const texts = files.map((f) => fs.readFileSync(path.join(devDir, f), "utf8"));

const pred: Record<string, Array<{ type: string; text: string }>> = {};
files.forEach((f, i) => {
  const text = texts[i]!;
  pred[f] = tagger.tag(text).map((s) => ({ type: s.type, text: text.slice(s.start, s.end) }));
});
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gazette-ner-"));
const predFile = path.join(tmp, "pred.json");
fs.writeFileSync(predFile, JSON.stringify(pred));
const env = { ...process.env };
if (process.env.NER_ERRORS) env.NER_ERRORS = process.env.NER_ERRORS;
const score = execFileSync(process.execPath, [path.join(tools, "ner-score.mjs"), path.join(devDir, "gold.json"), predFile], { encoding: "utf8", env });
console.log(`NER on ${path.basename(devDir)} (${files.length} articles), scored by ner-score.mjs:`);
process.stdout.write(score);
if (process.env.NER_PRED) fs.copyFileSync(predFile, process.env.NER_PRED);
fs.rmSync(tmp, { recursive: true, force: true });

// Throughput, after one untimed pass to warm the JIT up, on one core (Node runs this on one thread):
// (1) a stream of every distinct CoNLL article (train + dev), word caches empty at the start, as an
//     archive build sees them; (2) the dev set alone with the word caches emptied before each pass.
const trainDir = path.join(corpora, "conll2003-train");
const stream = texts.concat(
  fs.existsSync(trainDir) ? fs.readdirSync(trainDir).filter((f) => f.endsWith(".txt")).sort().map((f) => fs.readFileSync(path.join(trainDir, f), "utf8")) : [],
);
for (const t of texts) new NerTagger(model).tag(t); // JIT warm-up, not timed
const measure = (run: () => number): { rate: number; cpuRate: number; n: number } => {
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const n = run();
  const secs = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / secs, cpuRate: n / ((cpu.user + cpu.system) / 1e6), n };
};
const streamed = measure(() => {
  clearWordTypes(model.lex);
  const fresh = new NerTagger(model);
  for (const t of stream) fresh.tag(t);
  return stream.length;
});
const passes = 5;
const cold = measure(() => {
  for (let p = 0; p < passes; p++) {
    clearWordTypes(model.lex);
    const fresh = new NerTagger(model); // empty word caches: no help from earlier passes
    for (const t of texts) fresh.tag(t);
  }
  return passes * texts.length;
});
const chars = stream.reduce((a, t) => a + t.length, 0);
console.log(
  `throughput: ${streamed.rate.toFixed(0)} articles/s on one core (stream of ${streamed.n} distinct CoNLL articles, avg ${Math.round(chars / stream.length)} chars, caches empty at start; ` +
    `${streamed.cpuRate.toFixed(0)} per CPU-second)`,
);
console.log(
  `            ${cold.rate.toFixed(0)} articles/s on one core (dev set x${passes}, word caches emptied before each pass; ${cold.cpuRate.toFixed(0)} per CPU-second)` +
    ` [load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores while measuring]`,
);
// Long documents: one CoNLL paragraph repeated to 1, 2 and 4 MB, tagged whole; every document-level
// pass is linear, so the time should grow about as the size (ratios, not absolute times, are the check).
if (fs.existsSync(trainDir) && process.env.NER_SCALING !== "0") {
  const para = fs.readFileSync(path.join(trainDir, "doc-0001.txt"), "utf8").split("\n").slice(1).join(" ");
  const long = (mb: number): string => (para + "\n\n").repeat(Math.ceil((mb * 1e6) / (para.length + 2)));
  const tg = new NerTagger(model);
  tg.tag(long(0.25)); // warm-up
  const times = [1, 2, 4].map((mb) => {
    const text = long(mb);
    const t1 = performance.now();
    tg.tag(text);
    return { mb, ms: performance.now() - t1 };
  });
  console.log(
    `long documents: ${times.map((t) => `${t.mb} MB ${(t.ms / 1000).toFixed(2)} s`).join(", ")}; ` +
      `time ratio 2/1 MB ${(times[1]!.ms / times[0]!.ms).toFixed(2)}, 4/1 MB ${(times[2]!.ms / times[0]!.ms).toFixed(2)} (linear: 2, 4)`,
  );
}
const size = fs.statSync(process.env.GAZETTE_NER_MODEL || MODEL_PATH()).size;
console.log(`model load: ${loadMs.toFixed(0)} ms (${(size / 1e6).toFixed(2)} MB, ${model.features} features)`);
