// Debian's Chromium, driven through playwright-core: never a downloaded browser.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "../support/cli.js";

export const CHROMIUM = process.env.GAZETTE_CHROMIUM ?? "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set GAZETTE_CHROMIUM)`;

if (!HAS_CHROMIUM) {
  // Said by every suite that needs the browser, so a skip is never silent.
  console.warn(`browser tests skipped: ${SKIP_REASON}`);
}

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Screenshots are test artefacts (gitignored), for a person to look at; nothing compares pixels. */
export const SCREENSHOTS = path.join(ROOT, "test-results", "screenshots");

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}
