/**
 * Gazette's Eleventy settings, loaded by render/eleventy.ts as Eleventy's
 * config file (the programmatic API reads these only from a config file).
 * Only Nunjucks page templates are rendered; Markdown and HTML files are never
 * run through a template engine (Eleventy's default pre-processes Markdown
 * with Liquid), since article bodies reach templates as finished HTML.
 */
export const config = {
  templateFormats: ["njk"],
  markdownTemplateEngine: false,
  htmlTemplateEngine: false,
  dir: { includes: "_includes" },
};

export default function configure(): void {
  // Everything per-build (data, output) is set by render/eleventy.ts.
}
