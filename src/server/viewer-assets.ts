import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpProblem } from "./http-problem.js";

/** The files of the run viewer's bundle (`npm run build` writes them to `dist/viewer/`), by name. */
export const VIEWER_FILES: Readonly<Record<string, string>> = {
  "viewer.js": "text/javascript; charset=utf-8",
  "viewer.css": "text/css; charset=utf-8",
};

/** One file of the bundle, read: its bytes, media type and strong ETag (a hash of its bytes). */
export interface ViewerAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** `"<16 hex digits>"`, quotes included. */
  etag: string;
}

interface CachedAsset {
  mtimeMs: number;
  size: number;
  asset: ViewerAsset;
}

/**
 * The run viewer's bundle on disk. Files are read on first use and kept; a file that changes
 * on disk (a rebuild) is read again, so a running server serves the new bundle with a new ETag.
 */
export class ViewerAssets {
  private readonly cache = new Map<string, CachedAsset>();

  /** @param directory where the bundle is (default: `dist/viewer/` of this llmteam package). */
  constructor(readonly directory: string | undefined = defaultViewerDirectory()) {}

  /**
   * A file of the bundle.
   * @throws HttpProblem 404 for a name that is not one of {@link VIEWER_FILES}; 503 when the
   * bundle has not been built.
   */
  async asset(name: string): Promise<ViewerAsset> {
    const contentType = VIEWER_FILES[name];
    if (contentType === undefined) {
      throw new HttpProblem(
        404,
        `The run viewer has no file "${name}". Its files: ${Object.keys(VIEWER_FILES).join(", ")}.`,
      );
    }
    const path = join(this.directory ?? "", name);
    const found =
      this.directory === undefined ? undefined : await stat(path).catch(() => undefined);
    if (!found) throw this.notBuilt(name);
    const cached = this.cache.get(name);
    if (cached && cached.mtimeMs === found.mtimeMs && cached.size === found.size)
      return cached.asset;
    const body = new Uint8Array(
      await readFile(path).catch(() => Promise.reject(this.notBuilt(name))),
    );
    const asset = {
      body,
      contentType,
      etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`,
    };
    this.cache.set(name, { mtimeMs: found.mtimeMs, size: found.size, asset });
    return asset;
  }

  /** Every file of the bundle, by name. @throws HttpProblem 503 when the bundle has not been built. */
  async all(): Promise<Record<string, ViewerAsset>> {
    const names = Object.keys(VIEWER_FILES);
    const assets = await Promise.all(names.map((name) => this.asset(name)));
    return Object.fromEntries(names.map((name, index) => [name, assets[index]!]));
  }

  private notBuilt(name: string): HttpProblem {
    const where =
      this.directory === undefined
        ? "the llmteam package's root (a package.json named llmteam) was not found above the server's module"
        : `${join(this.directory, name)} is missing`;
    return new HttpProblem(
      503,
      `The run viewer is not built: ${where}. Run \`npm run build\` in the llmteam package (it bundles the viewer into dist/viewer/); the API works without it.`,
    );
  }
}

let packageRoot: string | null | undefined;

/**
 * `dist/viewer/` of the llmteam package this module belongs to: the first folder above it
 * with a `package.json` named `llmteam` (the same from `src/` in tests and from `dist/` when
 * installed). `undefined` when there is none.
 */
export function defaultViewerDirectory(): string | undefined {
  packageRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url))) ?? null;
  return packageRoot === null ? undefined : join(packageRoot, "dist", "viewer");
}

function findPackageRoot(from: string): string | undefined {
  for (let directory = from; ; directory = dirname(directory)) {
    const manifest = join(directory, "package.json");
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
      if (name === "llmteam") return directory;
    }
    if (dirname(directory) === directory) return undefined;
  }
}
