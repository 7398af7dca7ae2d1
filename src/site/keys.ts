import { createHash, hash } from "node:crypto";
import type { SiteConfig } from "../content/site-config.js";
import type { SiteLocation } from "./urls.js";

/** A digest of the site's settings and address, part of every page's and feed's key: all of them show both. */
export function settingsKey(site: SiteConfig, location: SiteLocation): string {
  return createHash("sha256").update(JSON.stringify([site, location])).digest("base64url").slice(0, 16);
}

const UTF8 = new TextEncoder();

/**
 * A key as numbers, then hashed (with a text, when the file shows one no digest stands for), after `prefix`:
 * one list of numbers every page or feed reuses, so keying 18,000 pages and 6,600 feeds joins and encodes no
 * text. What a file shows of an article, entity or topic goes in as a 64-bit digest of it (two numbers).
 * The prefix, the count, the numbers and the text sit in one buffer, hashed in one call: a hash object fed
 * four times cost twice as much, ~25 ms a build at 10,000 articles.
 */
export class KeyWriter {
  /** [alignment padding][prefix][count][numbers][text]: the padding puts the count on a multiple of 4 bytes. */
  private bytes: Uint8Array;
  /** Where the prefix starts, and where the count does. */
  private readonly from: number;
  private readonly head: number;
  /** The count and the numbers, over `bytes`. */
  private list: Int32Array;
  private length = 0;

  constructor(prefix: string) {
    const encoded = UTF8.encode(prefix);
    this.from = (4 - (encoded.length % 4)) % 4;
    this.head = this.from + encoded.length;
    this.bytes = new Uint8Array(this.head + 4 * 1025 + 1024);
    this.bytes.set(encoded, this.from);
    this.list = new Int32Array(this.bytes.buffer, this.head);
  }

  start(): this {
    this.length = 0;
    return this;
  }

  number(value: number): this {
    if (4 * (this.length + 2) > this.list.byteLength) this.grow(4);
    this.list[1 + this.length++] = value;
    return this;
  }

  /** The two numbers of a digest, from `at`. */
  words(from: Int32Array, at: number): this {
    return this.number(from[at]!).number(from[at + 1]!);
  }

  numbers(values: Int32Array): this {
    if (4 * (this.length + 1 + values.length) > this.list.byteLength) this.grow(4 * values.length);
    this.list.set(values, 1 + this.length);
    this.length += values.length;
    return this;
  }

  /** The key: the prefix, how many numbers, the numbers, and the text (last, so nothing follows its end). */
  finish(text = ""): string {
    this.list[0] = this.length;
    const at = this.head + 4 * (1 + this.length);
    // (UTF-8 takes at most 3 bytes for each UTF-16 unit.)
    if (this.bytes.length - at < 3 * text.length) this.grow(3 * text.length);
    const { written } = UTF8.encodeInto(text, this.bytes.subarray(at));
    return hash("sha256", this.bytes.subarray(this.from, at + written), "base64url").slice(0, 22);
  }

  /** Room for `more` bytes beyond the numbers so far (the buffer's length, aligned, as the list's view needs). */
  private grow(more: number): void {
    const grown = new Uint8Array(this.head + ((2 * (4 * (1 + this.length) + more) + 3) & ~3));
    grown.set(this.bytes.subarray(0, this.head + 4 * (1 + this.length)));
    this.bytes = grown;
    this.list = new Int32Array(grown.buffer, this.head);
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
