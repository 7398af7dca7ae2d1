import { stat } from "node:fs/promises";

/** How many file operations run at once: enough to overlap the file system's latency, few enough to stay polite. */
const PARALLEL_FILES = 64;

/** Runs an operation over items a bounded number at a time; results come back in input order. */
export async function inBatches<T, R>(items: T[], operation: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_FILES) results.push(...(await Promise.all(items.slice(i, i + PARALLEL_FILES).map(operation))));
  return results;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
