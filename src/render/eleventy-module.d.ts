// Eleventy ships no type declarations; render/eleventy.ts types the part of its API Gazette uses.
declare module "@11ty/eleventy";
