import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: { root: string; version: string } | undefined;

/**
 * The llmteam package's folder and version, found by walking up from this module to the
 * `package.json` named "llmteam". Works from `src/` (tests, tsx) and from the bundled `dist/`
 * alike, whatever chunk this code ends up in.
 * @throws Error when no such package.json is above this module.
 * @example
 * const models = join(llmteamPackage().root, "models");
 */
export function llmteamPackage(): { root: string; version: string } {
  if (cached) return cached;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "llmteam") {
        cached = { root: folder, version: pkg.version ?? "0.0.0" };
        return cached;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error("Cannot find llmteam's package.json above its modules.");
    folder = parent;
  }
}
