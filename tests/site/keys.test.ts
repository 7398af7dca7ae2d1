import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestWords, hexWords, KeyWriter } from "../../src/site/keys.js";

describe("page and feed keys", () => {
  it("differ when the numbers, their count or the text differ, and not otherwise", () => {
    const writer = new KeyWriter("site");
    const key = (numbers: number[], text?: string) => {
      writer.start();
      for (const n of numbers) writer.number(n);
      return writer.finish(text);
    };
    const base = key([1, 2, 3], "a");
    expect(key([1, 2, 3], "a")).toBe(base);
    expect(key([1, 2, 4], "a")).not.toBe(base);
    expect(key([1, 2, 3], "b")).not.toBe(base);
    // The count goes in first: numbers cannot pass for text, nor the other way round.
    expect(key([1, 2], "\u0003\u0000\u0000\u0000a")).not.toBe(base);
    expect(new KeyWriter("other").start().number(1).number(2).number(3).finish("a")).not.toBe(base);
  });

  it("keep every number past the writer's first allocation, added one at a time or as a list", () => {
    const values = Int32Array.from({ length: 5000 }, (_, i) => i * 7919);
    const oneByOne = new KeyWriter("");
    oneByOne.start();
    for (const value of values) oneByOne.number(value);
    const asList = new KeyWriter("").start().number(values[0]!).numbers(values.subarray(1)).finish();
    expect(oneByOne.finish()).toBe(asList);
    const changed = values.slice();
    changed[4999] = 1;
    expect(new KeyWriter("").start().numbers(changed).finish()).not.toBe(asList);
  });

  it("are the SHA-256 of the prefix, the count, the numbers and the text, whatever the prefix's length and however long the text", () => {
    // (The writer keeps them in one buffer, its numbers aligned behind the prefix, and grows it for a long key.)
    const numbers = Int32Array.from({ length: 1500 }, (_, i) => i * -7919);
    for (const prefix of ["", "a", "ab", "abc", "abcd", "préfixe"]) {
      const writer = new KeyWriter(prefix);
      for (const [count, text] of [[3, ""], [1500, "entities/kabul/"], [2, "é€😀".repeat(2000)], [0, "a"]] as const) {
        const expected = createHash("sha256").update(prefix).update(Int32Array.of(count)).update(numbers.subarray(0, count)).update(text).digest("base64url").slice(0, 22);
        expect(writer.start().numbers(numbers.subarray(0, count)).finish(text)).toBe(expected);
      }
    }
  });

  it("take 64 bits of a hexadecimal hash, and of a text's SHA-256", () => {
    const words = new Int32Array(4);
    hexWords("ffffffff00000001abcdef", words, 2);
    expect([...words]).toEqual([0, 0, -1, 1]);
    const digest = createHash("sha256").update("Kabul").digest();
    expect([...digestWords("Kabul")]).toEqual([digest.readInt32LE(0), digest.readInt32LE(4)]);
  });
});
