/**
 * A build worker: analyses articles (the tagger is the costliest step of a
 * cold build) and renders pages, so both spread over every core. It holds
 * the tagger and the compiled templates for the life of a build.
 */
import { parentPort } from "node:worker_threads";
import type { Article } from "../content/article.js";
import { ContentError, type ContentIssue } from "../content/issues.js";
import type { RegistryEntity } from "../content/registry.js";
import type { Taxonomy } from "../content/taxonomy.js";
import { indexRegistry, type RegistryIndex } from "../nlp/canonical.js";
import { analyseArticle, type SpanCache } from "../nlp/extract.js";
import { loadTagger } from "../nlp/tagger/index.js";
import { compileTaxonomy, type CompiledTaxonomy } from "../nlp/topics.js";
import type { EntityTagger, TaggedSpan } from "../nlp/types.js";
import { PageRenderer, type Globals, type PageJob } from "./page-renderer.js";
import type { TemplateSpec } from "./templates.js";

export type WorkerRequest =
  | { type: "setup-analysis"; registry: RegistryEntity[]; taxonomy: Taxonomy }
  | { type: "analyse"; id: number; articles: Article[]; cachedSpans: (TaggedSpan[] | null)[] }
  /** Compiles the first template of each list that compiles (PageRenderer.addFirstPerList): the worker renders those. */
  | { type: "setup-render"; templatesDir: string; templates: TemplateSpec[]; globals: Globals }
  /** The names of the templates setup-render compiled. */
  | { type: "rendered-templates"; id: number }
  | { type: "render"; id: number; root: string; jobs: PageJob[] };

/** A task's result, or its failure: problems the user can fix (a template that fails on a page) as issues, anything else as a stack. */
export type WorkerReply = { id: number; error: string } | { id: number; issues: ContentIssue[] } | { id: number; result: unknown };

let analysis: { tagger: EntityTagger; registry: RegistryIndex; taxonomy: CompiledTaxonomy } | undefined;
let renderer: { pages: PageRenderer; templates: string[] } | undefined;

parentPort!.on("message", (message: WorkerRequest) => {
  if (message.type === "setup-analysis") {
    analysis = { tagger: loadTagger(), registry: indexRegistry(message.registry), taxonomy: compileTaxonomy(message.taxonomy) };
    return;
  }
  if (message.type === "setup-render") {
    const pages = new PageRenderer(message.templatesDir, message.globals);
    renderer = { pages, templates: pages.addFirstPerList(message.templates) };
    return;
  }
  void handle(message).then(
    (result) => parentPort!.postMessage({ id: message.id, result } satisfies WorkerReply),
    (error: unknown) =>
      parentPort!.postMessage(
        (error instanceof ContentError
          ? { id: message.id, issues: error.issues }
          : { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }) satisfies WorkerReply,
      ),
  );
});

async function handle(message: Extract<WorkerRequest, { id: number }>): Promise<unknown> {
  if (message.type === "analyse") {
    if (!analysis) throw new Error("analysis not set up");
    return message.articles.map((article, i) => {
      const tagged: { hash: string; spans: TaggedSpan[] }[] = [];
      const given = message.cachedSpans[i];
      const cache: SpanCache = {
        get: () => given ?? undefined,
        set: (hash, spans) => void tagged.push({ hash, spans }),
      };
      return { analysis: analyseArticle(article, analysis!.tagger, analysis!.registry, analysis!.taxonomy, cache), tagged };
    });
  }
  if (!renderer) throw new Error("renderer not set up");
  if (message.type === "rendered-templates") return renderer.templates;
  return renderer.pages.renderToFiles(message.root, message.jobs);
}

