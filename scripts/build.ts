/**
 * Builds `dist/`: esbuild bundles the three entry points (`llmteam`, `llmteam/testing`, the CLI)
 * into a few ES modules with shared chunks, and `tsc` emits the type declarations.
 *
 * Run: `npm run build` (also runs on `npm ci` / `npm install` through `prepare`).
 *
 * Why bundle: a cold `import("llmteam")` of ~150 separate tsc output files plus zod's ~100
 * modules spent most of its time resolving and compiling modules (see docs/performance.md).
 * zod is bundled too (zod 4 keeps its global registry and config on `globalThis`, and llmteam
 * recognises schemas from any zod 4 copy by their `_zod` property). Packages only some paths
 * need stay external and are loaded lazily: the provider SDKs, ioredis, yaml, node-llama-cpp.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const EXTERNAL = ["@ai-sdk/openai", "@ai-sdk/anthropic", "@ai-sdk/openai-compatible", "ioredis", "yaml", "node-llama-cpp"];

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["src/index.ts", "src/testing/index.ts", "src/cli/main.ts"],
  outdir: "dist",
  outbase: "src",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  chunkNames: "chunks/[name]-[hash]",
  external: EXTERNAL,
  sourcemap: true,
  minifySyntax: true,
  legalComments: "linked",
  logLevel: "warning",
});
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json", "--emitDeclarationOnly"], { cwd: root, stdio: "inherit" });
