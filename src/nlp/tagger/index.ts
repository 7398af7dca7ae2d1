/**
 * Gazette's named-entity tagger: an averaged-perceptron BIO sequence tagger
 * trained on CoNLL-2003 (see train.ts), with the model committed under
 * src/nlp/tagger/model/. `loadTagger()` loads it once (synchronously) and
 * returns a tagger whose spans are sorted, non-overlapping, name-only
 * (no possessive, no trailing punctuation) UTF-16 offsets into the text given.
 */
import type { EntityTagger, EntityType, TaggedSpan } from "../types.js";
import { GAZ } from "./features.js";
import { loadModelFile, type ConllType, type Model } from "./model.js";
import { LinearTagger, type RawSpan } from "./tagger.js";

export { tokenize, type Token } from "./tokenize.js";

const TYPE_MAP: Record<ConllType, EntityType> = { PER: "person", ORG: "organization", LOC: "place", MISC: "other" };

const EVENT_WORDS =
  /\b(?:war|wars|operation|games|olympics?|cup|championships?|open|summit|conference|festival|elections?|crisis|revolution|battle|uprising|tournament|grand prix|tour|massacre|offensive|intifada|rally|marathon|talks|accords?)\b/i;
const DEMONYM_SUFFIX = /(?:an|ians?|ese|ish|i|ic|ch|sh|ean|ine)$/;
const CALENDAR = new Set(
  "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december".split(" "),
);

export interface TaggerOptions {
  /** keep MISC spans that look like demonyms/adjectives ("Afghan"); default false */
  keepDemonyms?: boolean;
}

export class NerTagger implements EntityTagger {
  readonly core: LinearTagger;
  constructor(
    readonly model: Model,
    private readonly opts: TaggerOptions = {},
  ) {
    this.core = new LinearTagger(model);
  }

  /** Spans with CoNLL types (PER/ORG/LOC/MISC), before mapping and MISC filtering. */
  conllSpans(text: string): RawSpan[] {
    return this.core.spans(text);
  }

  tag(text: string): TaggedSpan[] {
    const out: TaggedSpan[] = [];
    for (const s of this.core.spans(text)) {
      const surface = text.slice(s.start, s.end);
      const words = surface.toLowerCase().split(/\s+/);
      if (words.every((w) => CALENDAR.has(w.replace(/[.,]$/, "")))) continue;
      let type = TYPE_MAP[s.type];
      if (s.type === "MISC") {
        if (!this.opts.keepDemonyms && this.isAdjectival(surface)) continue;
        if (EVENT_WORDS.test(surface)) type = "event";
      }
      out.push({ start: s.start, end: s.end, type });
    }
    return out;
  }

  /** A one-word MISC that is a nationality, language or X-based / X-led style adjective. */
  private isAdjectival(surface: string): boolean {
    if (/\s/.test(surface)) return false;
    const l = surface.toLowerCase().replace(/[’‘]/g, "'");
    if (this.model.lex.gazMask(l) & GAZ.DEMONYM) return true;
    if (/-(?:based|led|born|backed|wide|owned|run|made|style|era|type|controlled|linked|bound|made|speaking)$/.test(l)) return true;
    if (l.includes("-")) {
      // "US-Taliban", "Anglo-Irish": adjective compounds
      return l.split("-").every((p) => p.length > 0);
    }
    return /^\p{Lu}/u.test(surface) && DEMONYM_SUFFIX.test(l);
  }
}

let cached: NerTagger | undefined;

/** The NER tagger, loaded once from the committed model and cached. */
export function loadTagger(): EntityTagger {
  cached ??= new NerTagger(loadModelFile());
  return cached;
}

/** The concrete tagger (for benchmarks and diagnostics). */
export function loadNerTagger(file?: string): NerTagger {
  if (file) return new NerTagger(loadModelFile(file));
  cached ??= new NerTagger(loadModelFile());
  return cached;
}
