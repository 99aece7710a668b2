import { glob, readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";

/** Folders ingest never walks into. */
const IGNORED_DIRECTORIES = new Set(["node_modules", ".git", ".llmteam"]);

/** A file to ingest: the path it is stored under, and where it is on disk. */
export interface FileToIngest {
  /** Relative to the working directory when inside it, with `/` separators. */
  path: string;
  absolutePath: string;
}

/** `path` relative to `cwd` with `/` separators, or absolute when outside it. */
export function storedPath(absolutePath: string, cwd: string): string {
  const relativePath = relative(cwd, absolutePath);
  if (relativePath.startsWith("..") || resolve(cwd, relativePath) !== absolutePath)
    return absolutePath.split(sep).join("/");
  return relativePath.split(sep).join("/");
}

async function walk(directory: string, found: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || IGNORED_DIRECTORIES.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile()) found.push(path);
  }
}

/**
 * The files named by `inputs`: files, folders (walked; hidden entries and `node_modules`
 * skipped) and globs (`docs/**\/*.md`). Inputs that match nothing are returned in `missing`.
 */
export async function collectFiles(
  inputs: readonly string[],
  cwd: string,
): Promise<{ files: FileToIngest[]; missing: string[] }> {
  const seen = new Set<string>();
  const files: FileToIngest[] = [];
  const missing: string[] = [];
  const add = (absolutePath: string): void => {
    if (seen.has(absolutePath)) return;
    seen.add(absolutePath);
    files.push({ path: storedPath(absolutePath, cwd), absolutePath });
  };
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory()) {
      const found: string[] = [];
      await walk(absolute, found);
      found.forEach(add);
    } else if (info?.isFile()) add(absolute);
    else if (/[*?[{]/.test(input)) {
      const before = files.length;
      const matches: string[] = [];
      for await (const match of glob(input, { cwd })) matches.push(resolve(cwd, match));
      for (const match of matches.sort()) {
        if ((await stat(match)).isFile()) add(match);
      }
      if (files.length === before) missing.push(input);
    } else missing.push(input);
  }
  return { files, missing };
}
