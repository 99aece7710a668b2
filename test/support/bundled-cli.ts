import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { EXTERNAL } from "../../scripts/bundle-externals.js";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The CLI bundled from the sources as `npm run build` bundles it (esbuild, ES modules with
 * shared chunks), in a temporary folder that sees the repository's node_modules: a real
 * `llmteam` process for start-up measurements, without building `dist/`. Returns the entry.
 */
export async function bundleCli(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "llmteam-cli-bundle-"));
  symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
  await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/main.ts"],
    outdir: out,
    outbase: "src",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    chunkNames: "chunks/[name]-[hash]",
    external: EXTERNAL,
    minifySyntax: true,
    logLevel: "warning",
  });
  const entry = join(out, "llmteam.js");
  writeFileSync(
    entry,
    'import { main } from "./cli/main.js";\nprocess.exitCode = await main(process.argv.slice(2));\n',
  );
  return entry;
}
