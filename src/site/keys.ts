import { createHash } from "node:crypto";
import type { SiteConfig } from "../content/site-config.js";
import type { SiteLocation } from "./urls.js";

/** A digest of the site's settings and address, part of every page's and feed's key: all of them show both. */
export function settingsKey(site: SiteConfig, location: SiteLocation): string {
  return createHash("sha256").update(JSON.stringify([site, location])).digest("base64url").slice(0, 16);
}

/**
 * A key as numbers, then hashed (with a text, when the file shows one no digest stands for), after `prefix`:
 * one list of numbers every page or feed reuses, so keying 18,000 pages and 6,600 feeds joins and encodes no
 * text. What a file shows of an article, entity or topic goes in as a 64-bit digest of it (two numbers).
 */
export class KeyWriter {
  private list = new Int32Array(1024);
  private length = 0;

  constructor(private readonly prefix: string) {}

  start(): this {
    this.length = 0;
    return this;
  }

  number(value: number): this {
    if (this.length === this.list.length) this.grow(1);
    this.list[this.length++] = value;
    return this;
  }

  /** The two numbers of a digest, from `at`. */
  words(from: Int32Array, at: number): this {
    return this.number(from[at]!).number(from[at + 1]!);
  }

  numbers(values: Int32Array): this {
    if (this.length + values.length > this.list.length) this.grow(values.length);
    this.list.set(values, this.length);
    this.length += values.length;
    return this;
  }

  /** The key: the prefix, how many numbers, the numbers, and the text (last, so nothing follows its end). */
  finish(text = ""): string {
    return createHash("sha256").update(this.prefix).update(Int32Array.of(this.length)).update(this.list.subarray(0, this.length)).update(text).digest("base64url").slice(0, 22);
  }

  private grow(more: number): void {
    const grown = new Int32Array(2 * (this.length + more));
    grown.set(this.list.subarray(0, this.length));
    this.list = grown;
  }
}

/** Each article's file hash as two numbers (its first 64 bits), article after article: how keys name an article. */
export function articleWords(articles: readonly { article: { hash: string } }[]): Int32Array {
  const words = new Int32Array(2 * articles.length);
  articles.forEach(({ article }, position) => hexWords(article.hash, words, 2 * position));
  return words;
}

/** The first 64 bits of a hexadecimal digest, as two numbers into `into` at `at`. */
export function hexWords(hex: string, into: Int32Array, at: number): void {
  into[at] = Number.parseInt(hex.slice(0, 8), 16) | 0;
  into[at + 1] = Number.parseInt(hex.slice(8, 16), 16) | 0;
}

/** The first 64 bits of a text's SHA-256, as two numbers. */
export function digestWords(text: string): Int32Array {
  const digest = createHash("sha256").update(text).digest();
  return Int32Array.of(digest.readInt32LE(0), digest.readInt32LE(4));
}
