import { readFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blankMarkdownSyntax } from "../../src/nlp/analysis-text.js";
import { ROOT, SEED } from "../support/cli.js";

const blank = (match: string) => match.replace(/[^\n]/g, " ");

/** Every pass run on every text (blankMarkdownSyntax skips a pass when the text lacks what each of its matches contains). */
function reference(markdown: string): string {
  let from = 0;
  let out = "";
  for (let open = markdown.indexOf("<!--"); open !== -1; open = markdown.indexOf("<!--", from)) {
    const close = markdown.indexOf("-->", open + 4);
    if (close === -1) break;
    out += markdown.slice(from, open) + blank(markdown.slice(open, close + 3));
    from = close + 3;
  }
  return (from === 0 ? markdown : out + markdown.slice(from))
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/<\/?[A-Za-z][^<>\n]*>/g, blank)
    .replace(/\]\([^()\n]*\)/g, blank)
    .replace(/\]\[[^\]\n]*\]/g, blank)
    .replace(/^[ \t]*\[[^\]\n]+\]:[^\n]*$/gm, blank)
    .replace(/https?:\/\/[^\s)>\]]+/g, blank)
    .replace(/\\(?=[\\`*_[\]<>#+\-=|~.!(){}])/g, " ")
    .replace(/[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}/g, blank)
    .replace(/!?\[/g, blank)
    .replace(/^(\s{0,3})(#{1,6}|>+|[-+*]|\d+[.)])(?=\s)/gm, (_m, space: string, marker: string) => space + blank(marker));
}

const PIECES = ["`", "``", "```", "~~~", "~", "<", ">", "<b>", "</i>", "<!--", "-->", "[", "]", "(", ")", "](", "][", "]:", "!", "![", ":", "/", "://", "http://", "https://x.org/a_b", "\\", "\\*", "*", "**", "_", "__", "#", "## ", "-", "+", "1.", "2)", ">", " ", " ", "   ", "\n", "\n\n", "\t", "a", "Word", "Kabul", "x_y", "é"];

describe("blankMarkdownSyntax", () => {
  it("blanks what every pass run on every text blanks", async () => {
    const texts = [await readFile(SEED, "utf8"), await readFile(path.join(ROOT, "content/articles/2025/05/taliban-fighters-have-defected-to-isis-ttp-says-pakistani-envoy.md"), "utf8")];
    for (const text of texts) expect(blankMarkdownSyntax(text)).toBe(reference(text));
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }), (pieces) => {
        const text = pieces.join("");
        expect(blankMarkdownSyntax(text)).toBe(reference(text));
      }),
      { numRuns: 3000, seed: 20250501 },
    );
  });
});
