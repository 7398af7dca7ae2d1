import { createRequire } from "node:module";

type YamlPackage = typeof import("yaml");
let loaded: YamlPackage | undefined;

/**
 * The yaml package, loaded the first time a file needs it. Most builds parse no YAML at all (settings files
 * come from their cache, and most front matter from its fast path), and loading and compiling the package
 * took ~40-65 ms of every build's start, a tenth of a build with nothing to do.
 */
export function yamlPackage(): YamlPackage {
  return (loaded ??= createRequire(import.meta.url)("yaml") as YamlPackage);
}
