import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["tests/**/*.test.ts"],
    // End-to-end tests spawn the real CLI and build real sites.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
