import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../errors/config-error.js";
import { ToolExecutor, builtinTools } from "../index.js";

let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "llmteam-file-tools-"));
  root = path.join(base, "root");
  await mkdir(path.join(root, "docs", "deep"), { recursive: true });
  await mkdir(path.join(root, ".git"));
  await writeFile(path.join(root, "docs", "intro.md"), "# Intro\nHello.\n");
  await writeFile(path.join(root, "docs", "deep", "note.txt"), "deep note");
  await writeFile(path.join(root, "docs", "long.txt"), "0123456789".repeat(100));
  await writeFile(path.join(root, "image.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]));
  await writeFile(path.join(root, ".env"), "SECRET=1");
  await writeFile(path.join(base, "outside.txt"), "secret outside");
  await symlink(path.join(base, "outside.txt"), path.join(root, "escape.txt"));
  await symlink(base, path.join(root, "escape-dir"));
  await symlink(path.join(root, "docs", "intro.md"), path.join(root, "inside-link.md"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function readTool(options: Parameters<typeof builtinTools.readFile>[0] = {}): ToolExecutor {
  return new ToolExecutor({ tools: [builtinTools.readFile({ root, ...options })] });
}

describe("read_file", () => {
  it("reads a text file under the root", async () => {
    expect((await readTool().execute("read_file", { path: "docs/intro.md" })).output).toEqual({
      path: "docs/intro.md",
      content: "# Intro\nHello.\n",
      sizeBytes: 15,
      truncated: false,
    });
    expect(
      (await readTool().execute("read_file", { path: "./docs/../docs/deep/note.txt" })).output,
    ).toMatchObject({ content: "deep note" });
  });

  it.each([
    ["../outside.txt", 'Path "../outside.txt" is outside the allowed directory.'],
    ["docs/../../outside.txt", 'Path "docs/../../outside.txt" is outside the allowed directory.'],
    ["/etc/passwd", 'Path "/etc/passwd" is outside the allowed directory.'],
    [
      "escape.txt",
      'Path "escape.txt" leads outside the allowed directory (through a symbolic link).',
    ],
    [
      "escape-dir/outside.txt",
      'Path "escape-dir/outside.txt" leads outside the allowed directory (through a symbolic link).',
    ],
    [".env", 'Path ".env" names a hidden file or directory'],
    [".git/config", 'Path ".git/config" names a hidden file or directory'],
    ["docs/none.md", 'No such file or directory: "docs/none.md".'],
    ["docs", '"docs" is a directory (use list_files); this tool opens regular files only.'],
    ["image.bin", '"image.bin" is a binary file (5 bytes); read_file returns text only.'],
    ["docs/intro.md\0.txt", "The path contains a NUL character."],
  ])("refuses %s", async (requested, message) => {
    const result = await readTool().execute("read_file", { path: requested });
    expect(result.success).toBe(false);
    expect(result.error).toContain(message);
    expect(JSON.stringify(result)).not.toContain("secret outside");
  });

  it("follows a symlink that stays inside the root", async () => {
    expect(
      (await readTool().execute("read_file", { path: "inside-link.md" })).output,
    ).toMatchObject({ path: "docs/intro.md", content: "# Intro\nHello.\n" });
  });

  it("reads hidden files only when allowed, and cuts long files at maxBytes", async () => {
    expect(
      (await readTool({ allowHidden: true }).execute("read_file", { path: ".env" })).output,
    ).toMatchObject({ content: "SECRET=1" });
    expect(
      (await readTool({ maxBytes: 25 }).execute("read_file", { path: "docs/long.txt" })).output,
    ).toEqual({
      path: "docs/long.txt",
      content: "0123456789012345678901234",
      sizeBytes: 1_000,
      truncated: true,
    });
  });

  it("refuses a root that is not a directory when configured", () => {
    expect(() => builtinTools.readFile({ root: path.join(base, "missing") })).toThrow(ConfigError);
    expect(() => builtinTools.listFiles({ root: path.join(base, "outside.txt") })).toThrow(
      /is not an existing directory/,
    );
  });
});

describe("list_files", () => {
  const executor = (options: Parameters<typeof builtinTools.listFiles>[0] = {}) =>
    new ToolExecutor({ tools: [builtinTools.listFiles({ root, ...options })] });

  it("lists a directory without hidden entries, showing symlinks without following them", async () => {
    expect((await executor().execute("list_files", {})).output).toEqual({
      path: ".",
      entries: [
        { path: "docs", type: "directory" },
        { path: "escape-dir", type: "symlink" },
        { path: "escape.txt", type: "symlink" },
        { path: "image.bin", type: "file", sizeBytes: 5 },
        { path: "inside-link.md", type: "symlink" },
      ],
      truncated: false,
    });
  });

  it("lists recursively, never descending through a symlink", async () => {
    const result = (await executor().execute("list_files", { path: ".", recursive: true }))
      .output as { entries: { path: string }[] };
    expect(result.entries.map((entry) => entry.path)).toEqual([
      "docs",
      "docs/deep",
      "docs/deep/note.txt",
      "docs/intro.md",
      "docs/long.txt",
      "escape-dir",
      "escape.txt",
      "image.bin",
      "inside-link.md",
    ]);
  });

  it("refuses to list outside the root, through a symlink, or a file", async () => {
    expect((await executor().execute("list_files", { path: ".." })).error).toContain(
      'Path ".." is outside the allowed directory.',
    );
    expect((await executor().execute("list_files", { path: "escape-dir" })).error).toContain(
      "leads outside the allowed directory (through a symbolic link)",
    );
    expect((await executor().execute("list_files", { path: "image.bin" })).error).toContain(
      '"image.bin" is a file; this tool opens directories only.',
    );
  });

  it("stops at maxEntries and says so", async () => {
    const result = (await executor({ maxEntries: 3 }).execute("list_files", { recursive: true }))
      .output as { entries: unknown[]; truncated: boolean };
    expect(result.entries).toHaveLength(3);
    expect(result.truncated).toBe(true);
  });
});
