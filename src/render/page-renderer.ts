import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import { MarkdownRenderer, type BodyLink } from "./markdown.js";
import type { TemplateSpec } from "./templates.js";

/** Template globals, as Eleventy receives them (`gazette`), JSON-safe. */
export type Globals = Record<string, unknown>;

/** The Markdown of an article body a page shows, rendered where the page is. */
export interface BodyJob {
  markdown: string;
  links: BodyLink[];
}

/**
 * One page to render: a template, the page object `p` (or its JSON, which
 * crosses to a worker as one flat string instead of a cloned object graph),
 * and where to write it (relative to the output root).
 */
export interface PageJob {
  template: string;
  path: string;
  page?: Record<string, unknown>;
  json?: string;
  /** When set, `p.article.html` is this body rendered (article pages). */
  body?: BodyJob;
}

interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

/**
 * Renders page templates with Nunjucks directly, with the environment
 * Eleventy's Nunjucks engine uses (the same loader search path: the
 * includes folder, then the working folder; default options; autoescape on),
 * so a page is byte for byte what Eleventy writes. Templates are compiled
 * once; each page is one synchronous render.
 */
export class PageRenderer {
  private readonly env: { addGlobal(name: string, value: unknown): void };
  private readonly compiled = new Map<string, CompiledTemplate>();
  private readonly markdown = new MarkdownRenderer();
  private readonly madeDirs = new Set<string>();

  constructor(
    templatesDir: string,
    private readonly globals: Globals,
  ) {
    const loader = new nunjucks.FileSystemLoader([path.join(templatesDir, "_includes"), process.cwd()]);
    this.env = new nunjucks.Environment(loader, { dev: true });
  }

  /**
   * Compiles, for each page list, the first of its templates that compiles without Eleventy's additions
   * (filters, shortcodes), and returns their names: Gazette renders those pages itself, and Eleventy the
   * rest. Compiling them all before any page is rendered, a template with an unknown filter or tag goes
   * to Eleventy whole instead of failing half way through a build.
   */
  addFirstPerList(templates: Pick<TemplateSpec, "name" | "file" | "body" | "list">[]): string[] {
    const claimed = new Set<string>();
    const added: string[] = [];
    for (const template of templates) {
      if (template.list === null || claimed.has(template.list)) continue;
      try {
        this.add(template);
      } catch {
        continue;
      }
      claimed.add(template.list);
      added.push(template.name);
    }
    return added;
  }

  private add(template: Pick<TemplateSpec, "name" | "file" | "body">): void {
    this.compiled.set(template.name, new nunjucks.Template(template.body, this.env, template.file, true) as CompiledTemplate);
  }

  /** The HTML of one page. */
  render(job: PageJob): string {
    const template = this.compiled.get(job.template);
    if (!template) throw new Error(`no compiled template ${job.template}`);
    let page = job.page ?? (JSON.parse(job.json!) as Record<string, unknown>);
    if (job.body) {
      const article = page.article as Record<string, unknown>;
      page = { ...page, article: { ...article, html: this.markdown.render(job.body.markdown, job.body.links) } };
    }
    return template.render({ ...this.globals, p: page });
  }

  /**
   * Renders jobs and writes each under root. Writes are synchronous: a worker
   * has nothing else to do meanwhile, and a promise per file (mkdir, open,
   * write, close on the thread pool) cost more than the writes themselves.
   * Each folder is made once per worker.
   */
  renderToFiles(root: string, jobs: PageJob[]): number {
    let bytes = 0;
    for (const job of jobs) {
      const html = this.render(job);
      bytes += html.length;
      const file = path.join(root, job.path);
      const dir = path.dirname(file);
      if (!this.madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      writeFileSync(file, html);
    }
    return bytes;
  }
}
