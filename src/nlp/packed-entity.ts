import type { Article } from "../content/article.js";
import type { ArticleEntity, Mention } from "./canonical.js";
import type { EntityType } from "./types.js";

/** Where an entity's mentions lie in the file: what the index and the pages need of them. */
export interface MentionFacts {
  count: number;
  /** File offsets of the first mention at or after the offset asked for; -1, -1 when there is none. */
  start: number;
  end: number;
}

/**
 * An article entity read back from the analysis cache with its mentions still packed: pairs of numbers
 * (start, end) in the cached array, or (start, text) where the text is not the article's own there.
 * Mention objects were two thirds of a decoded 10,000-article cache (53 of 84 MB, most of the decoding time
 * and of the garbage collector's work after it), while a build reads them only for the articles whose
 * analysis it shows in full; the index needs only their number and the first in the body (mentionFacts).
 * They are made on first read, equal to those the analysis was cached with (tests/build/cache-files.test.ts).
 */
export class PackedEntity implements ArticleEntity {
  #mentions: Mention[] | null = null;
  /** Null until first read when it is the key with hyphens for spaces (most are): a build reads no article entity's slug. */
  #slug: string | null;
  readonly #packed: readonly (string | number)[];
  readonly #at: number;
  readonly #count: number;
  readonly #source: MentionSource;

  constructor(
    public key: string,
    public name: string,
    public type: EntityType,
    /** Null for the key with hyphens for spaces. */
    slug: string | null,
    public aliases: string[],
    public acronyms: string[],
    public registered: boolean,
    /** The mentions: `count` pairs from `at` in `packed`, in the article `source`. */
    packed: readonly (string | number)[],
    at: number,
    count: number,
    source: MentionSource,
  ) {
    this.#slug = slug;
    this.#packed = packed;
    this.#at = at;
    this.#count = count;
    this.#source = source;
  }

  get slug(): string {
    return (this.#slug ??= hyphenated(this.key));
  }

  set slug(slug: string) {
    this.#slug = slug;
  }

  get mentions(): Mention[] {
    if (this.#mentions) return this.#mentions;
    const mentions: Mention[] = [];
    for (let m = 0, at = this.#at; m < this.#count; m++, at += 2) {
      const start = this.#packed[at] as number;
      const next = this.#packed[at + 1]!;
      if (typeof next === "number") mentions.push({ text: articleText(this.#source, start, next)!, start, end: next });
      else mentions.push({ text: next, start, end: start + next.length });
    }
    return (this.#mentions = mentions);
  }

  set mentions(mentions: Mention[]) {
    this.#mentions = mentions;
  }

  /** See mentionFacts. */
  factsFrom(offset: number): MentionFacts {
    if (this.#mentions) return factsOf(this.#mentions, offset);
    for (let m = 0, at = this.#at; m < this.#count; m++, at += 2) {
      const start = this.#packed[at] as number;
      if (start < offset) continue;
      const next = this.#packed[at + 1]!;
      return { count: this.#count, start, end: typeof next === "number" ? next : start + next.length };
    }
    return { count: this.#count, start: -1, end: -1 };
  }

  /** As plain data, like any other article entity. */
  toJSON(): ArticleEntity {
    const { key, name, type, slug, aliases, mentions, acronyms, registered } = this;
    return { key, name, type, slug, aliases, mentions, acronyms, registered };
  }
}

/** The parts of an article its entities' mentions point into. */
export type MentionSource = Pick<Article, "title" | "titleOffset" | "body" | "bodyOffset">;

/** The file's text between two offsets, where the article holds it verbatim (its body, or its title when it stands as written). */
export function articleText(article: MentionSource, start: number, end: number): string | undefined {
  if (start >= article.bodyOffset) return article.body.slice(start - article.bodyOffset, end - article.bodyOffset);
  if (article.titleOffset !== null && start >= article.titleOffset) return article.title.slice(start - article.titleOffset, end - article.titleOffset);
  return undefined;
}

/** How many times an article names an entity, and its first mention at or after a file offset (the body's start, say). */
export function mentionFacts(entity: ArticleEntity, offset: number): MentionFacts {
  return entity instanceof PackedEntity ? entity.factsFrom(offset) : factsOf(entity.mentions, offset);
}

function factsOf(mentions: readonly Mention[], offset: number): MentionFacts {
  for (let i = 0; i < mentions.length; i++) {
    if (mentions[i]!.start >= offset) return { count: mentions.length, start: mentions[i]!.start, end: mentions[i]!.end };
  }
  return { count: mentions.length, start: -1, end: -1 };
}

/** An entity key with hyphens for its spaces: the slug most entities have, which the analysis cache leaves out. */
export function hyphenated(key: string): string {
  // (A pattern: replaceAll with a string took half again as long, over 150,000 keys an edit build.)
  return key.replace(/ /g, "-");
}
