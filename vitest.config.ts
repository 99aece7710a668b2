import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^llmteam\/testing$/, replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)) },
      { find: /^llmteam\/worker$/, replacement: fileURLToPath(new URL("./src/worker/index.ts", import.meta.url)) },
      { find: /^llmteam\/server$/, replacement: fileURLToPath(new URL("./src/server/index.ts", import.meta.url)) },
      { find: /^llmteam$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
