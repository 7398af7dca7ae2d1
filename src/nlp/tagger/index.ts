/**
 * Gazette's named-entity tagger: an averaged-perceptron BIO sequence tagger
 * trained on CoNLL-2003 (see train.ts), with the model committed under
 * src/nlp/tagger/model/. `loadTagger()` loads it once (synchronously) and
 * returns a tagger whose spans are sorted, non-overlapping, name-only
 * (no possessive, no trailing punctuation) UTF-16 offsets into the text given.
 */
import type { EntityTagger, EntityType, TaggedSpan } from "../types.js";
import { EVENT_WORDS, applyRules, isAdjectivalWord, type RuleContext } from "./rules.js";
import { loadModelFile, type ConllType, type Model } from "./model.js";
import { LinearTagger, type RawSpan } from "./tagger.js";

export { tokenize, type Token } from "./tokenize.js";

const TYPE_MAP: Record<ConllType, EntityType> = { PER: "person", ORG: "organization", LOC: "place", MISC: "other" };

const CALENDAR = new Set(
  "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december".split(" "),
);

export interface TaggerOptions {
  /** keep MISC spans that look like demonyms/adjectives ("Afghan"); default false */
  keepDemonyms?: boolean;
}

export class NerTagger implements EntityTagger {
  readonly core: LinearTagger;
  private readonly ctx: RuleContext;
  constructor(
    readonly model: Model,
    private readonly opts: TaggerOptions = {},
  ) {
    this.core = new LinearTagger(model);
    const adj = Array.isArray(model.meta.adjectives) ? (model.meta.adjectives as string[]) : [];
    this.ctx = { lex: model.lex, adjectives: new Set(adj) };
  }

  /** Spans with CoNLL types (PER/ORG/LOC/MISC), before mapping and MISC filtering. */
  conllSpans(text: string): RawSpan[] {
    const { doc, spans } = this.core.analyse(text);
    return applyRules(doc, spans, this.ctx);
  }

  tag(text: string): TaggedSpan[] {
    const out: TaggedSpan[] = [];
    for (const s of this.conllSpans(text)) {
      const surface = text.slice(s.start, s.end);
      const words = surface.toLowerCase().split(/\s+/);
      if (words.every((w) => CALENDAR.has(w.replace(/[.,]$/, "")))) continue;
      let type = TYPE_MAP[s.type];
      if (s.type === "MISC") {
        if (!this.opts.keepDemonyms && !/\s/.test(surface) && isAdjectivalWord(surface, this.ctx)) continue;
        if (EVENT_WORDS.test(surface)) type = "event";
      }
      out.push({ start: s.start, end: s.end, type });
    }
    return out;
  }
}

let cached: NerTagger | undefined;

/** The NER tagger, loaded once from the committed model and cached. */
export function loadTagger(): EntityTagger {
  cached ??= new NerTagger(loadModelFile());
  return cached;
}

/** The concrete tagger (for benchmarks and diagnostics); a given model file is loaded afresh. */
export function loadNerTagger(file?: string): NerTagger {
  if (file) return new NerTagger(loadModelFile(file));
  cached ??= new NerTagger(loadModelFile());
  return cached;
}
