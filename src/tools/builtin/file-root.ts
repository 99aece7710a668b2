import { constants, statSync, type Stats } from "node:fs";
import { lstat, open, readlink, realpath, type FileHandle } from "node:fs/promises";
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

/** A file or directory inside the root, opened once and checked after opening. */
export interface OpenedPath extends ConfinedPath {
  /** The open descriptor; the caller closes it. */
  handle: FileHandle;
  /** `fstat` of the descriptor. */
  stats: Stats;
  /**
   * A path naming exactly the opened object (`/proc/self/fd/N` on Linux), for `readdir` and for
   * opening children without following a symlink swapped in since the check.
   */
  pinned: string;
}

const OPEN_FLAGS =
  constants.O_RDONLY |
  (constants.O_NONBLOCK ?? 0) |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NOCTTY ?? 0);

/**
 * A directory the file tools may not leave: paths are resolved against it, `..` that climbs
 * out is refused, and the real path (every symlink resolved) must still be inside, so a
 * symlink pointing outside is refused too. Hidden names are refused unless allowed.
 */
export class FileRoot {
  readonly root: string;
  readonly allowHidden: boolean;
  private realRoot: Promise<string> | undefined;
  private realRootSync: string | undefined;

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
    this.realRootSync = root;
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

  /**
   * Resolves `requested` (see {@link resolve}), refuses anything but a regular file or a
   * directory (as `expected`) before opening it, opens it once without following a final
   * symlink and without blocking (a FIFO cannot hang the thread pool), then checks the opened
   * descriptor itself: its type, and that the path the kernel reports for it is still inside
   * the root. A symlink swapped in between the check and the open is refused.
   *
   * @throws Error when the path is refused (see {@link resolve}), is not of the expected type
   *   (FIFO, device, socket, or a file where a directory is wanted), or changed while opened.
   */
  async open(requested: string, expected: "file" | "directory"): Promise<OpenedPath> {
    const target = await this.resolve(requested);
    refuseType(requested, await lstat(target.absolute), expected);
    const directory = expected === "directory" ? (constants.O_DIRECTORY ?? 0) : 0;
    let handle: FileHandle;
    try {
      handle = await open(target.absolute, OPEN_FLAGS | directory);
    } catch (error) {
      throw changedOr(requested, error);
    }
    try {
      const stats = await handle.stat();
      refuseType(requested, stats, expected);
      const { absolute, pinned } = await this.locate(handle, stats, target, requested);
      return { handle, stats, pinned, ...this.confine(requested, absolute) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Opens the entry `name` of an opened directory without following a symlink (on Linux through
   * the directory's descriptor, so a swapped parent cannot redirect it).
   * @throws Error when the entry is no longer a directory.
   */
  async openChild(parent: OpenedPath, name: string, relative: string): Promise<OpenedPath> {
    let handle: FileHandle;
    try {
      handle = await open(
        path.join(parent.pinned, name),
        OPEN_FLAGS | (constants.O_DIRECTORY ?? 0),
      );
    } catch (error) {
      throw changedOr(relative, error);
    }
    const stats = await handle.stat();
    const pinned = (await procPathOf(handle)) ?? path.join(parent.absolute, name);
    return { handle, stats, pinned, absolute: path.join(parent.absolute, name), relative };
  }

  /** Where the kernel says an opened descriptor is; else (no /proc) a re-check by identity. */
  private async locate(
    handle: FileHandle,
    stats: Stats,
    target: ConfinedPath,
    requested: string,
  ): Promise<{ absolute: string; pinned: string }> {
    const proc = await procPathOf(handle);
    if (proc !== undefined) return { absolute: await readlink(proc), pinned: proc };
    const again = await realpath(target.absolute).catch(() => "");
    const now = again === "" ? undefined : await lstat(again).catch(() => undefined);
    if (now?.dev !== stats.dev || now.ino !== stats.ino) throw changed(requested);
    return { absolute: again, pinned: again };
  }

  private confine(requested: string, absolute: string): ConfinedPath {
    const root = this.realRootSync;
    if (root === undefined || !isInside(root, absolute)) throw changed(requested);
    const relative = path.relative(root, absolute);
    this.checkHidden(requested, relative);
    return { absolute, relative: relative === "" ? "." : relative.split(path.sep).join("/") };
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

/** Refuses FIFOs, devices and sockets (reading them can block or never end), and the wrong kind. */
function refuseType(requested: string, stats: Stats, expected: "file" | "directory"): void {
  if (expected === "file" ? stats.isFile() : stats.isDirectory()) return;
  const kind = stats.isDirectory()
    ? "a directory (use list_files)"
    : stats.isFile()
      ? "a file"
      : stats.isFIFO()
        ? "a named pipe (FIFO)"
        : stats.isCharacterDevice()
          ? "a character device"
          : stats.isBlockDevice()
            ? "a block device"
            : stats.isSocket()
              ? "a socket"
              : stats.isSymbolicLink()
                ? "a symbolic link"
                : "not a regular file";
  const valid = expected === "file" ? "regular files" : "directories";
  throw new Error(`"${requested}" is ${kind}; this tool opens ${valid} only.`);
}

function changed(requested: string): Error {
  return new Error(
    `Path "${requested}" changed while it was opened (a symbolic link was swapped in) and leads outside the allowed directory; refused.`,
  );
}

/** A symlink met where none was (`ELOOP`/`ENOTDIR` under `O_NOFOLLOW`) means the path changed. */
function changedOr(requested: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ELOOP" || code === "ENOTDIR" || code === "EMLINK") return changed(requested);
  if (code === "ENOENT") return new Error(`No such file or directory: "${requested}".`);
  return error;
}

let procAvailable: boolean | undefined;

/** `/proc/self/fd/N` for an open descriptor, when this system has it (Linux). */
async function procPathOf(handle: FileHandle): Promise<string | undefined> {
  if (procAvailable === false) return undefined;
  const proc = `/proc/self/fd/${handle.fd}`;
  if (procAvailable === undefined) {
    procAvailable = await readlink(proc).then(
      () => true,
      () => false,
    );
    if (!procAvailable) return undefined;
  }
  return proc;
}
