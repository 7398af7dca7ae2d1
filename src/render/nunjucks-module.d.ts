// Nunjucks ships no type declarations; render/page-renderer.ts types the part of its API Gazette uses.
declare module "nunjucks";
