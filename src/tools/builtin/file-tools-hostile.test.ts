import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolExecutor, builtinTools } from "../index.js";

let base: string;
let root: string;
let socketServer: Server;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), "llmteam-file-hostile-"));
  root = path.join(base, "root");
  await mkdir(path.join(root, "d"), { recursive: true });
  await mkdir(path.join(base, "outside", "d"), { recursive: true });
  await writeFile(path.join(root, "d", "f.txt"), "inside");
  await writeFile(path.join(root, "plain.txt"), "plain");
  await writeFile(path.join(base, "outside", "d", "f.txt"), "OUTSIDE SECRET");
  await writeFile(path.join(base, "outside", "d", "outside-only.txt"), "OUTSIDE SECRET");
  await symlink(path.join(base, "outside", "d"), path.join(root, "d-link"));
  execFileSync("mkfifo", [path.join(root, "pipe")]);
  await mkdir(path.join(root, "pipe-dir"));
  execFileSync("mkfifo", [path.join(root, "pipe-dir", "inner")]);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(root, "sock"), resolve));
});

afterAll(async () => {
  await new Promise((resolve) => socketServer.close(resolve));
  await rm(base, { recursive: true, force: true });
});

const tools = (toolRoot: string) =>
  new ToolExecutor({
    tools: [builtinTools.readFile({ root: toolRoot }), builtinTools.listFiles({ root: toolRoot })],
  });

describe("file tools on non-regular files", () => {
  it("refuse a FIFO at once, and many such reads leave the fs thread pool free", async () => {
    const executor = tools(root);
    // Eight blocking opens would take all four libuv threads and hang every later fs call.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => executor.execute("read_file", { path: "pipe" })),
    );
    for (const result of results) {
      expect(result.success).toBe(false);
      expect(result.error).toContain(
        '"pipe" is a named pipe (FIFO); this tool opens regular files',
      );
    }
    expect((await executor.execute("read_file", { path: "plain.txt" })).output).toMatchObject({
      content: "plain",
    });
    expect((await executor.execute("list_files", { path: "pipe" })).error).toContain(
      '"pipe" is a named pipe (FIFO); this tool opens directories only.',
    );
    expect((await executor.execute("list_files", { path: "pipe-dir" })).output).toEqual({
      path: "pipe-dir",
      entries: [{ path: "pipe-dir/inner", type: "other" }],
      truncated: false,
    });
  }, 10_000);

  it("refuse a socket and a character device", async () => {
    expect((await tools(root).execute("read_file", { path: "sock" })).error).toContain(
      '"sock" is a socket; this tool opens regular files only.',
    );
    const devices = tools("/dev");
    for (const device of ["null", "zero", "urandom"]) {
      const result = await devices.execute("read_file", { path: device });
      expect(result.error).toContain(`"${device}" is a character device;`);
    }
  });
});

/** Swaps `root/d` between the real directory and a symlink to outside, in another process. */
function startSwapper(durationMs: number) {
  const script = `
    const { renameSync } = require("node:fs");
    const [d, real, link] = ["d", "d-real", "d-link"].map((name) => require("node:path").join(${JSON.stringify(root)}, name));
    const end = Date.now() + ${durationMs};
    let swaps = 0;
    while (Date.now() < end) {
      renameSync(d, real); renameSync(link, d); renameSync(d, link); renameSync(real, d); swaps++;
    }
    process.stdout.write(String(swaps));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<number>((resolve) => child.on("exit", () => resolve(Number(output))));
  return { child, done };
}

describe("file tools under a symlink swapped in during the call", () => {
  it("never return or list what is outside the root", async () => {
    const swapper = startSwapper(2_500);
    const executor = tools(root);
    let read = 0;
    let listed = 0;
    let escapes = 0;
    const endMs = Date.now() + 2_000;
    try {
      for (let round = 0; round < 1_500 && Date.now() < endMs; round++) {
        const results = await Promise.all([
          executor.execute("read_file", { path: "d/f.txt" }),
          executor.execute("read_file", { path: "d/f.txt" }),
          executor.execute("list_files", { path: "d" }),
          executor.execute("list_files", { path: ".", recursive: true }),
        ]);
        for (const result of results) {
          if (JSON.stringify(result).match(/OUTSIDE SECRET|outside-only/)) escapes++;
          if (result.success && result.toolName === "read_file") read++;
          if (result.success && result.toolName === "list_files") listed++;
        }
      }
    } finally {
      swapper.child.kill();
    }
    await swapper.done;
    expect(escapes).toBe(0);
    expect(read).toBeGreaterThan(0);
    expect(listed).toBeGreaterThan(0);
  }, 15_000);
});
