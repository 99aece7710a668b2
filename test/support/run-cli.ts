import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

/** Runs the CLI in process with captured output. */
export async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
  });
  return { code, stdout, stderr };
}

/** Writes `text` to a new temporary directory; returns the file's path. */
export async function tempFile(text: string, name = "team.yaml"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmteam-cli-"));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** `line:column` of `needle` on the 1-based `line` of `text`. */
export function at(text: string, line: number, needle: string): string {
  return `${line}:${text.split("\n")[line - 1]!.indexOf(needle) + 1}`;
}
