import { createRequire } from "node:module";

/**
 * A CommonJS package, required the first time it is asked for: a command that never needs it (a build with
 * nothing to do needs neither YAML nor template front matter) does not pay for loading and compiling it.
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(name) as T);
}
