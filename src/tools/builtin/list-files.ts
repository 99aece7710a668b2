import { lstat, readdir } from "node:fs/promises";
import nodePath from "node:path";
import * as z from "zod";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";
import { FileRoot, type FileRootOptions, type OpenedPath } from "./file-root.js";

/** Options of the `list_files` built-in. */
export interface ListFilesOptions extends FileRootOptions {
  /** Tool name (default `list_files`). */
  name?: string;
  /** Most entries returned; the rest are cut and flagged `truncated` (default 1,000). */
  maxEntries?: number;
  /** Deepest level a recursive listing descends (default 10). */
  maxDepth?: number;
}

/** One entry of a listing. */
export interface FileEntry {
  /** Path relative to the root, `/`-separated. */
  path: string;
  type: "file" | "directory" | "symlink" | "other";
  /** Size, for files. */
  sizeBytes?: number;
}

/** What `list_files` returns. */
export interface ListFilesResult {
  /** The listed directory, relative to the root. */
  path: string;
  entries: FileEntry[];
  /** True when there were more than `maxEntries` entries. */
  truncated: boolean;
}

/**
 * The `list_files` built-in: lists a directory under a root, optionally recursively. Paths that
 * leave the root are refused; symlinks are listed but never followed (the listed directory and
 * each directory descended into are opened once, without following a symlink swapped in since
 * the check); hidden entries are left out unless `allowHidden`.
 *
 * @throws ConfigError (from the factory) when `root` is not an existing directory.
 * @example
 * builtinTools.listFiles({ root: "./docs", maxEntries: 200 });
 */
export function listFiles(
  options: ListFilesOptions = {},
): ToolDefinition<{ path?: string | undefined; recursive?: boolean | undefined }, ListFilesResult> {
  const name = options.name ?? "list_files";
  const root = new FileRoot(options, name);
  const maxEntries = options.maxEntries ?? 1_000;
  const maxDepth = options.maxDepth ?? 10;
  return tool({
    name,
    description:
      'List the files and directories in a directory of the project (relative path; "." is the top).',
    parameters: z.object({
      path: z
        .string()
        .optional()
        .describe('Directory to list, relative to the project directory (default ".")'),
      recursive: z.boolean().optional().describe("Also list everything below it (default false)"),
    }),
    execute: async ({ path = ".", recursive = false }, { signal }) => {
      const target = await root.open(path, "directory");
      const entries: FileEntry[] = [];
      let truncated = false;
      const walk = async (directory: OpenedPath, depth: number): Promise<void> => {
        signal.throwIfAborted();
        const children = (await readdir(directory.pinned, { withFileTypes: true })).sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        for (const child of children) {
          if (!root.shows(child.name)) continue;
          if (entries.length >= maxEntries) {
            truncated = true;
            return;
          }
          const relative =
            directory.relative === "." ? child.name : `${directory.relative}/${child.name}`;
          if (child.isSymbolicLink()) entries.push({ path: relative, type: "symlink" });
          else if (child.isDirectory()) {
            entries.push({ path: relative, type: "directory" });
            if (recursive && depth < maxDepth)
              await walkChild(directory, child.name, relative, depth);
          } else if (child.isFile()) {
            const { size } = await lstat(nodePath.join(directory.pinned, child.name));
            entries.push({ path: relative, type: "file", sizeBytes: size });
          } else entries.push({ path: relative, type: "other" });
        }
      };
      const walkChild = async (
        parent: OpenedPath,
        name: string,
        relative: string,
        depth: number,
      ): Promise<void> => {
        const child = await root.openChild(parent, name, relative);
        try {
          await walk(child, depth + 1);
        } finally {
          await child.handle.close();
        }
      };
      try {
        await walk(target, 1);
      } finally {
        await target.handle.close();
      }
      return { path: target.relative, entries, truncated };
    },
  });
}
