import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./cli-child.ts", import.meta.url));
const built = fileURLToPath(new URL("../../bin/llmteam.js", import.meta.url));

/** An `llmteam worker` in its own process, on the sources. */
export interface WorkerProcess {
  process: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves once it says it is taking runs; rejects if it exits first. */
  ready: Promise<void>;
  /** Its exit code (null when killed) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `llmteam worker <args>` as a child process: on the sources (through tsx), or with
 * `built` the package as users run it (`bin/llmteam.js` on `dist/`, after `npm run build`).
 */
export function startWorkerProcess(
  args: string[],
  env: Record<string, string> = {},
  options: { built?: boolean } = {},
): WorkerProcess {
  const entry = options.built ? [built] : ["--import", "tsx", child];
  const process_ = spawn(process.execPath, [...entry, "worker", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_API_KEY: "", ...env },
  });
  let stderr = "";
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    process_.on("exit", (code) =>
      reject(new Error(`worker exited (code ${code}) before it was ready:\n${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  process_.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (/^llmteam worker .*: \d+ teams? /m.test(stderr)) onReady();
  });
  process_.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    process_.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { process: process_, stderr: () => stderr, ready, exited };
}
