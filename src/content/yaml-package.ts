import { lazyPackage } from "../lazy-package.js";

/**
 * The yaml package, loaded the first time a file needs it. Most builds parse no YAML at all (settings files
 * come from their cache, and most front matter from its fast path), and loading and compiling the package
 * took ~40-65 ms of every build's start, a tenth of a build with nothing to do.
 */
export const yamlPackage = lazyPackage<typeof import("yaml")>("yaml");
