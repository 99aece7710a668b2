import * as z from "zod";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";
import { FileRoot, type FileRootOptions } from "./file-root.js";

/** Options of the `read_file` built-in. */
export interface ReadFileOptions extends FileRootOptions {
  /** Tool name (default `read_file`). */
  name?: string;
  /** Most bytes returned from one file; longer files are cut and flagged `truncated` (default 100,000). */
  maxBytes?: number;
}

/** What `read_file` returns. */
export interface ReadFileResult {
  /** The path relative to the root. */
  path: string;
  content: string;
  /** Size of the whole file. */
  sizeBytes: number;
  /** True when the file is longer than `maxBytes` and `content` holds only its start. */
  truncated: boolean;
}

/**
 * The `read_file` built-in: reads a UTF-8 text file under a root directory. Paths that leave the
 * root (`../`, absolute paths, symlinks pointing outside, a symlink swapped in while the file is
 * opened) and hidden files are refused; FIFOs, devices and sockets are refused without being
 * opened for reading; binary files are refused; long files are cut at `maxBytes`. The file is
 * opened once and what was opened is checked, so the check and the read are the same file.
 *
 * @throws ConfigError (from the factory) when `root` is not an existing directory.
 * @example
 * builtinTools.readFile({ root: "./docs", maxBytes: 50_000 });
 */
export function readFile(
  options: ReadFileOptions = {},
): ToolDefinition<{ path: string }, ReadFileResult> {
  const name = options.name ?? "read_file";
  const root = new FileRoot(options, name);
  const maxBytes = options.maxBytes ?? 100_000;
  return tool({
    name,
    description: `Read a text file. Paths are relative to the project directory; at most ${maxBytes} bytes are returned.`,
    parameters: z.object({
      path: z
        .string()
        .describe('Path of the file, relative to the project directory, e.g. "docs/intro.md"'),
    }),
    execute: async ({ path }, { signal }) => {
      const target = await root.open(path, "file");
      const { handle, stats } = target;
      try {
        signal.throwIfAborted();
        const length = Math.min(stats.size, maxBytes);
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        const bytes = buffer.subarray(0, read);
        if (bytes.subarray(0, 8_000).includes(0))
          throw new Error(
            `"${path}" is a binary file (${stats.size} bytes); read_file returns text only.`,
          );
        return {
          path: target.relative,
          content: bytes.toString("utf8"),
          sizeBytes: stats.size,
          truncated: stats.size > read,
        };
      } finally {
        await handle.close();
      }
    },
  });
}
