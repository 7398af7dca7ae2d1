import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SiteConfig } from "../content/site-config.js";
import type { SitePages } from "../site/pages.js";
import type { SiteLocation } from "../site/urls.js";

export interface EleventyRenderInput {
  templatesDir: string;
  outDir: string;
  pages: SitePages;
  site: SiteConfig;
  location: SiteLocation;
  /** Page templates (absolute paths) rendered elsewhere: Eleventy skips them. */
  ignore?: string[];
}

/**
 * Renders every page with Eleventy's programmatic API. Each template
 * paginates over one list of plain page objects built beforehand, so no
 * template looks anything up in collections; Eleventy's collections are
 * skipped altogether, and Markdown never reaches a template engine.
 */
export async function renderWithEleventy(input: EleventyRenderInput): Promise<number> {
  const { default: Eleventy } = (await import("@11ty/eleventy")) as unknown as { default: EleventyClass };
  const eleventy = new Eleventy(input.templatesDir, input.outDir, {
    quietMode: true,
    configPath: fileURLToPath(new URL("./eleventy.config.js", import.meta.url)),
    config(config: EleventyUserConfig) {
      config.setUseGitIgnore(false);
      for (const file of input.ignore ?? []) config.ignores.add(path.relative(process.cwd(), file).split(path.sep).join("/"));
      config.setQuietMode(true);
      config.addGlobalData("pages", input.pages);
      config.addGlobalData("gazette", { site: input.site, prefix: input.location.pathPrefix, baseUrl: input.location.baseUrl });
    },
  });
  // Gazette prints its own one-line summary; Eleventy's would repeat it.
  eleventy.disableLogger();
  const written = (await eleventy.write()) as unknown;
  return Array.isArray(written) ? (written as unknown[]).flat(2).length : 0;
}

interface EleventyUserConfig {
  ignores: Set<string>;
  setUseGitIgnore(use: boolean): void;
  setQuietMode(quiet: boolean): void;
  addGlobalData(name: string, data: unknown): void;
}

type EleventyClass = new (
  input: string,
  output: string,
  options: { quietMode?: boolean; configPath?: string; config?: (config: EleventyUserConfig) => void },
) => { write(): Promise<unknown>; disableLogger(): void };
