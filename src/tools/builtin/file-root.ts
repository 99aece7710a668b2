import { statSync } from "node:fs";
import { realpath } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../errors/config-error.js";

/** Options shared by the file built-ins. */
export interface FileRootOptions {
  /** The directory the tool is confined to (default: the current working directory). */
  root?: string;
  /** Allow names starting with "." (`.env`, `.git/`) (default false). */
  allowHidden?: boolean;
}

/** A path inside the root, after every symlink was resolved. */
export interface ConfinedPath {
  /** The real absolute path. */
  absolute: string;
  /** The path relative to the root, with `/` separators (`.` for the root itself). */
  relative: string;
}

/**
 * A directory the file tools may not leave: paths are resolved against it, `..` that climbs
 * out is refused, and the real path (every symlink resolved) must still be inside, so a
 * symlink pointing outside is refused too. Hidden names are refused unless allowed.
 */
export class FileRoot {
  readonly root: string;
  readonly allowHidden: boolean;
  private realRoot: Promise<string> | undefined;

  /** @throws ConfigError when the root is not an existing directory. */
  constructor(options: FileRootOptions, toolName: string) {
    this.root = path.resolve(options.root ?? process.cwd());
    this.allowHidden = options.allowHidden ?? false;
    let isDirectory = false;
    try {
      isDirectory = statSync(this.root).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory)
      throw new ConfigError(`${toolName}: root "${this.root}" is not an existing directory.`);
  }

  /**
   * Resolves a path the model gave to a real path inside the root.
   *
   * @throws Error when the path leaves the root (by `..`, an absolute path or a symlink), names a
   *   hidden file while hidden files are not allowed, or does not exist.
   */
  async resolve(requested: string): Promise<ConfinedPath> {
    if (requested.includes("\0")) throw new Error("The path contains a NUL character.");
    const root = await (this.realRoot ??= realpath(this.root));
    const candidate = path.resolve(root, requested === "" ? "." : requested);
    if (!isInside(root, candidate))
      throw new Error(`Path "${requested}" is outside the allowed directory.`);
    this.checkHidden(requested, path.relative(root, candidate));
    let real: string;
    try {
      real = await realpath(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new Error(`No such file or directory: "${requested}".`);
      throw error;
    }
    if (!isInside(root, real))
      throw new Error(
        `Path "${requested}" leads outside the allowed directory (through a symbolic link).`,
      );
    const relative = path.relative(root, real);
    this.checkHidden(requested, relative);
    return { absolute: real, relative: relative === "" ? "." : relative.split(path.sep).join("/") };
  }

  /** Whether a directory entry's name may be shown. */
  shows(name: string): boolean {
    return this.allowHidden || !name.startsWith(".");
  }

  private checkHidden(requested: string, relative: string): void {
    if (this.allowHidden) return;
    if (
      relative
        .split(path.sep)
        .some((segment) => segment.startsWith(".") && segment !== "." && segment !== "..")
    ) {
      throw new Error(
        `Path "${requested}" names a hidden file or directory, which this tool may not read.`,
      );
    }
  }
}

function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
  return candidate.startsWith(prefix);
}
