/**
 * Builds `dist/`: esbuild bundles the entry points (`llmteam`, `llmteam/testing`,
 * `llmteam/server`, `llmteam/worker`, the CLI) into a few ES modules with shared chunks, and
 * `tsc` emits the type declarations; the run viewer's browser bundle goes to `dist/viewer/`
 * (scripts/build-viewer.ts).
 *
 * Run: `npm run build` (also runs on `npm ci` / `npm install` through `prepare`).
 *
 * Why bundle: a cold `import("llmteam")` of ~150 separate tsc output files plus zod's ~100
 * modules spent most of its time resolving and compiling modules (see docs/performance.md).
 * zod is bundled too (zod 4 keeps its global registry and config on `globalThis`, and llmteam
 * recognises schemas from any zod 4 copy by their `_zod` property). Packages only some paths
 * need stay external and are loaded lazily: the provider SDKs, ioredis, pg, yaml, node-llama-cpp,
 * gpt-tokenizer (its encodings are megabytes, read only when a cost estimate is made or a
 * knowledge base is ingested), unpdf (knowledge's PDF reader), the MCP
 * SDK; and `@opentelemetry/api`, which must be the application's copy.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildViewer } from "./build-viewer.js";
import { EXTERNAL } from "./bundle-externals.js";

const root = fileURLToPath(new URL("..", import.meta.url));

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: [
    "src/index.ts",
    "src/testing/index.ts",
    "src/server/index.ts",
    "src/worker/index.ts",
    "src/cli/main.ts",
  ],
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
asciiOnly(`${root}dist`);
// The run viewer's browser bundle (dist/viewer/), served by `llmteam serve` at `/`.
await buildViewer(root);
execFileSync(
  process.execPath,
  [`${root}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json", "--emitDeclarationOnly"],
  { cwd: root, stdio: "inherit" },
);

/**
 * Makes the bundle pure ASCII. esbuild escapes non-ASCII characters in code (`charset:
 * "ascii"`, its default) but keeps them in comments, and one "—" in a comment makes V8 decode
 * the whole file on its slow path and keep its source as two bytes a character: measured, an
 * all-ASCII bundle imports ~8% faster. Each character of a comment is replaced by one ASCII
 * stand-in (one per UTF-16 unit, so source-map columns stay right); the `.d.ts` files, where
 * editors read the documentation, are untouched.
 */
function asciiOnly(directory: string): void {
  const standIns: Record<string, string> = {
    "—": "-",
    "–": "-",
    "→": ">",
    "←": "<",
    "…": ".",
    "×": "x",
    "±": "+",
    µ: "u",
    "≤": "<",
    "≥": ">",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "·": ".",
  };
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    if (!/[^\x00-\x7f]/.test(text)) continue;
    let ascii = "";
    for (const character of text) {
      if (character.charCodeAt(0) < 0x80) ascii += character;
      else ascii += (standIns[character] ?? "?").padEnd(character.length, "?");
    }
    writeFileSync(file, ascii);
  }
}
