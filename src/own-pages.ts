import path from "node:path";
import type { Article } from "./content/article.js";
import type { ArticleAnalysis } from "./nlp/extract.js";
import type { EntityVotes } from "./index/archive-index.js";
import type { OwnPagesRecord } from "./output-state.js";
import { PageStore, type StoredAt } from "./page-store.js";
import type { BodyLink } from "./render/plain-markdown.js";
import { firstBodyMentions, linkEntities, shownDigest, type MentionTally } from "./site/own-page.js";

/** An article as its page's entry names it besides its page: its file, that file's identity ("" unknown), its search bundle. */
export interface ArticleSource {
  article: Article;
  source: string;
  identity: string;
  bundle: string;
}

/** What is stored with an article page besides its object: its body links' entities (linkEntities), and its article's mention tally. */
export interface StoredFacts {
  links: number[];
  tally: MentionTally;
}

/** A store is started again when it is more than this many times the bytes its entries take, and more than STORE_SLACK over. */
const STORE_GROWTH = 2;
const STORE_SLACK = 32 << 20;
const NEWLINE = Uint8Array.of(10);

/**
 * Makes the record of a build's article pages (output-state.ts, OwnPagesRecord) as the build plans them:
 * each page it makes is stored with the article's shown digest and the places of its body links; each page
 * it keeps keeps its entry, whatever else changed (a page kept is the page stored). A record lacking any
 * article page is not kept: a build after an edit then makes no use of it.
 */
export class OwnPagesRecorder {
  private readonly articles: OwnPagesRecord["articles"] = {};
  private readonly previous: OwnPagesRecord | undefined = undefined;
  private readonly store: PageStore | null;
  /** The previous store, when its entries are copied to a new one. */
  private readonly copyFrom: PageStore | null = null;
  private complete: boolean;

  /** `fingerprint` and `analyses`: see OwnPagesRecord. */
  constructor(
    manifestFile: string,
    private readonly fingerprint: string,
    private readonly analyses: string,
    previous: OwnPagesRecord | undefined,
  ) {
    let store = previous ? PageStore.open(manifestFile, previous.store) : null;
    if (store) {
      let live = 0;
      let end = 0;
      for (const entry of Object.values(previous!.articles)) {
        live += entry[3];
        end = Math.max(end, entry[2] + entry[3]);
      }
      // A store that lost entries (a cache folder cleaned by hand) is not trusted for any.
      if (store.bytes >= end) this.previous = previous;
      if (!this.previous || store.bytes > STORE_GROWTH * live + STORE_SLACK) {
        if (this.previous) this.copyFrom = store;
        else store.close();
        store = null;
      }
    }
    this.store = store ?? PageStore.create(manifestFile);
    this.complete = this.store !== null;
  }

  /** An article page the build made: its page object as JSON, its body's links, and its article's mention tally. */
  made(file: string, { article, source, identity, bundle }: ArticleSource, analysis: ArticleAnalysis, links: readonly BodyLink[], tally: MentionTally, json: Uint8Array): void {
    if (!this.complete) return;
    const firsts = firstBodyMentions(article, analysis);
    const facts: StoredFacts = { links: linkEntities(article, analysis, links, firsts), tally };
    this.articles[file] = [article.hash, this.digestOf(file, article, analysis, firsts), ...storePage(this.store!, facts, json), source, identity, bundle];
  }

  /** An article page the build kept as the folder has it: the page stored for it still holds. */
  kept(file: string, { article, source, identity, bundle }: ArticleSource, analysis: ArticleAnalysis): void {
    if (!this.complete) return;
    const before = this.previous?.articles[file];
    if (!before || before[0] !== article.hash) return void (this.complete = false);
    const digest = this.digestOf(file, article, analysis);
    let at: StoredAt = [before[2], before[3]];
    if (this.copyFrom) {
      const bytes = this.copyFrom.read(at);
      if (!bytes) return void (this.complete = false);
      at = this.store!.append(bytes);
    }
    this.articles[file] = [article.hash, digest, ...at, source, identity, bundle];
  }

  /** The record, with every article page's entry written and the archive's entity votes; undefined when there is none to keep. */
  finish(summary: OwnPagesRecord["summary"], votes: ReadonlyMap<string, EntityVotes | null>): OwnPagesRecord | undefined {
    this.copyFrom?.close();
    this.store?.close();
    if (!this.complete) return undefined;
    return { fingerprint: this.fingerprint, analyses: this.analyses, store: path.basename(this.store!.file), summary, articles: this.articles, votes: Object.fromEntries(votes) };
  }

  /** The article's shown digest: the one recorded when the article and what its analysis depends on are as they were. */
  private digestOf(file: string, article: Article, analysis: ArticleAnalysis, firsts?: Int32Array): string {
    const before = this.previous?.articles[file];
    return before?.[0] === article.hash && this.previous!.analyses === this.analyses ? before[1] : shownDigest(article, analysis, firsts);
  }
}

/** Stores an article page: its facts (one line of JSON), then its page object as JSON. */
export function storePage(store: PageStore, facts: StoredFacts, json: Uint8Array): StoredAt {
  return store.append(Buffer.from(JSON.stringify(facts)), NEWLINE, json);
}

/** An article page as stored: its facts and its page object (plain JSON data). */
export function storedPage(store: PageStore, at: StoredAt): { facts: StoredFacts; page: Record<string, unknown> } | null {
  const bytes = store.read(at);
  if (!bytes) return null;
  const split = bytes.indexOf(10);
  try {
    return { facts: JSON.parse(bytes.toString("utf8", 0, split)) as StoredFacts, page: JSON.parse(bytes.toString("utf8", split + 1)) as Record<string, unknown> };
  } catch {
    return null;
  }
}
