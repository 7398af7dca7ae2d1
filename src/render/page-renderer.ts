import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import nunjucks from "nunjucks";
import type { MarkdownRenderer } from "./markdown.js";
import { renderPlainParagraphs, type BodyLink } from "./plain-markdown.js";
import { ContentError, type ContentIssue } from "../content/issues.js";
import type { TemplateSpec } from "./templates.js";

/** Template globals, as Eleventy receives them (`gazette`), JSON-safe. */
export type Globals = Record<string, unknown>;

/** The Markdown of an article body a page shows, rendered where the page is. */
export interface BodyJob {
  markdown: string;
  links: BodyLink[];
}

/**
 * One page to render: a template, the page object `p` as JSON in UTF-8 (which
 * crosses to a worker as one buffer, moved rather than copied, instead of a
 * cloned object graph), and where to write it (relative to the output root).
 */
export interface PageJob {
  template: string;
  path: string;
  json: Uint8Array;
  /** When set, `p.article.html` is this body rendered (article pages). */
  body?: BodyJob;
}

const UTF8 = new TextDecoder();

interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

/**
 * Renders page templates with Nunjucks directly, with the environment
 * Eleventy's Nunjucks engine uses (the same loader search path: the
 * includes folder, then the working folder; default options; autoescape on),
 * so a page is byte for byte what Eleventy writes. Templates are compiled
 * once; each page is one synchronous render, but for an article body that is
 * not plain paragraphs, which waits for remark the first time.
 */
export class PageRenderer {
  private readonly env: { addGlobal(name: string, value: unknown): void };
  private readonly compiled = new Map<string, { template: CompiledTemplate; spec: TemplateSpec }>();
  /** Remark, loaded for the first body that is not plain paragraphs (loading it took a worker ~0.2 s). */
  private markdown: Promise<MarkdownRenderer> | null = null;
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
  addFirstPerList(templates: TemplateSpec[]): string[] {
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

  private remark(): Promise<MarkdownRenderer> {
    return (this.markdown ??= import("./markdown.js").then(({ MarkdownRenderer }) => new MarkdownRenderer()));
  }

  private add(spec: TemplateSpec): void {
    this.compiled.set(spec.name, { template: new nunjucks.Template(spec.body, this.env, spec.file, true) as CompiledTemplate, spec });
  }

  /** The HTML of one page. */
  async render(job: PageJob): Promise<string> {
    const compiled = this.compiled.get(job.template);
    if (!compiled) throw new Error(`no compiled template ${job.template}`);
    let page = JSON.parse(UTF8.decode(job.json)) as Record<string, unknown>;
    if (job.body) {
      const article = page.article as Record<string, unknown>;
      const { markdown, links } = job.body;
      page = { ...page, article: { ...article, html: renderPlainParagraphs(markdown, links) ?? (await this.remark()).renderWithRemark(markdown, links) } };
    }
    try {
      return compiled.template.render({ ...this.globals, p: page });
    } catch (error) {
      throw new ContentError([templateIssue(error as Error, compiled.spec, job.path)]);
    }
  }

  /**
   * Renders jobs and writes each under root. Writes are synchronous: a worker
   * has nothing else to do meanwhile, and a promise per file (mkdir, open,
   * write, close on the thread pool) cost more than the writes themselves.
   * Each folder is made once per worker.
   */
  async renderToFiles(root: string, jobs: PageJob[]): Promise<number> {
    let bytes = 0;
    for (const job of jobs) {
      const html = await this.render(job);
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

/**
 * A template that fails on a page, as a problem with a place: the template file (or the include it
 * failed in), line and column, what Nunjucks said, and the page. Nunjucks counts lines from 0 in the
 * text after the front matter, and starts its message with the files it passed through, the innermost
 * (where it failed) last; the issue gives that place in the file's own lines.
 */
export function templateIssue(error: Error & { lineno?: number; colno?: number }, spec: Pick<TemplateSpec, "file" | "bodyLine">, page: string): ContentIssue {
  let rest = error.message;
  let file = spec.file;
  for (let place = NUNJUCKS_PLACE.exec(rest); place; place = NUNJUCKS_PLACE.exec(rest)) {
    file = place[1] || file;
    rest = rest.slice(place[0].length);
  }
  return {
    file: path.relative(process.cwd(), file) || file,
    line: (file === spec.file ? spec.bodyLine : 1) + (error.lineno ?? 0),
    column: (error.colno ?? 0) + 1,
    // (Nunjucks places an error in a template this one extends at this one's name, so the fix may be there.)
    message: `${rest.replace(/^Error: /, "")} (rendering ${page}): fix this template, or one it extends or includes (a page's data is its object p, typed in src/site/pages.ts)`,
  };
}

/** One file Nunjucks names at the start of an error message: "(path)", perhaps " [Line l, Column c]", then a line break. */
const NUNJUCKS_PLACE = /^\(([^)\n]*)\)(?: \[Line \d+, Column \d+\])?\n\s*/;
