/**
 * Builds the run viewer's browser bundle: `src/server/viewer/main.ts` (preact + htm) and
 * `viewer.css`, minified, into `dist/viewer/viewer.js` and `dist/viewer/viewer.css`, which the
 * server serves at `/viewer/` (docs/server.md, "Run viewer"). Part of `npm run build`; the
 * viewer's browser test calls it when the bundle is missing or older than its sources.
 */
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";

/** Where the viewer's sources are, under the package root. */
export const VIEWER_SOURCE = "src/server/viewer";
/** Where its bundle goes, under the package root. */
export const VIEWER_OUT = "dist/viewer";

/**
 * Bundles the viewer into `<root>/dist/viewer/`. Each file is written to a temporary name and
 * renamed, so a server reading the folder meanwhile sees the old file or the new one.
 * @returns the files written, with their sizes in bytes.
 */
export async function buildViewer(root: string): Promise<Record<string, number>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [
      { in: `${VIEWER_SOURCE}/main.ts`, out: "viewer" },
      { in: `${VIEWER_SOURCE}/viewer.css`, out: "viewer" },
    ],
    outdir: VIEWER_OUT,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    minify: true,
    legalComments: "none",
    charset: "ascii",
    write: false,
    logLevel: "warning",
  });
  const out = join(root, VIEWER_OUT);
  mkdirSync(out, { recursive: true });
  const sizes: Record<string, number> = {};
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const temporary = join(out, `.${name}.${process.pid}.tmp`);
    writeFileSync(temporary, file.contents);
    renameSync(temporary, join(out, name));
    sizes[name] = file.contents.byteLength;
  }
  return sizes;
}

/** True when the bundle is missing or a source file is newer than it. */
export function viewerBuildIsStale(root: string): boolean {
  const built = [join(root, VIEWER_OUT, "viewer.js"), join(root, VIEWER_OUT, "viewer.css")].map(
    (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0,
  );
  const oldest = Math.min(...built);
  if (oldest === 0) return true;
  const sources = readdirSync(join(root, VIEWER_SOURCE), { recursive: true, withFileTypes: true });
  return sources.some(
    (entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mtimeMs > oldest,
  );
}
