import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRunStore, type RunStore } from "llmteam";
import { RunQueue, waitForRun } from "llmteam/worker";
import { startOpenAIWireServer, type WireRequest } from "./support/openai-wire-server.js";
import { cli } from "./support/run-cli.js";
import { startWorkerProcess, type WorkerProcess } from "./support/worker-process.js";
import {
  CALL_USAGE,
  promptOf,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const CHILD = fileURLToPath(new URL("./support/cli-child.ts", import.meta.url));
const fixture = workerFixture("cliservequeue");
const children: ChildProcess[] = [];
const workers: WorkerProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const worker of workers) worker.process.kill("SIGKILL");
  await Promise.all(workers.map((worker) => worker.exited));
  await fixture.clean();
});

/** `llmteam serve <args>` as a child process: its URL once it listens, or its exit when it fails. */
function serve(args: string[]): Promise<{ url?: string; code?: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, "serve", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_API_KEY: "", LLMTEAM_RUN_STORE: "" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found) resolve({ url: found[1]!, stderr });
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("llmteam serve --queue: refusals", () => {
  it("refuses --queue without a shared store (exit 2), naming what is valid", async () => {
    const file = fixture.teamFile("press.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const none = await cli(["serve", file, "--queue", REDIS_URL], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--queue needs a run store the workers share");
    expect(none.stderr).toContain("--store postgres://");
    const sqlite = await cli(["serve", file, "--queue", REDIS_URL, "--store", "runs.db"], {});
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain('"runs.db" is this machine\'s only');
    const notRedis = await cli(["serve", file, "--queue", "llmteam-runs"], {});
    expect(notRedis.code).toBe(2);
    expect(notRedis.stderr).toContain("--queue takes the Redis URL of the run queue");
  });

  it("exits 1 with a clear error when the queue's Redis cannot be reached", async () => {
    const file = fixture.teamFile("press.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const down = await serve([
      file,
      ...["--queue", "redis://127.0.0.1:9", "--store", fixture.storeUrl, "--port", "0"],
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("Cannot reach Redis at redis://127.0.0.1:9");
    expect(down.stderr).toContain("--queue");
  }, 30_000);
});

describe("llmteam serve --queue with a worker process", () => {
  const calls = new Map<string, number>();
  const failOnce = new Set(["Draft flaky"]);
  let wire: Awaited<ReturnType<typeof startOpenAIWireServer>>;
  let url: string;
  let queue: RunQueue;
  let store: RunStore;
  const where = ["--redis", REDIS_URL, "--queue", fixture.queueName, "--prefix", fixture.prefix];

  beforeAll(async () => {
    wire = await startOpenAIWireServer((request: WireRequest) => {
      const prompt = promptOf(request);
      calls.set(prompt, (calls.get(prompt) ?? 0) + 1);
      if (failOnce.delete(prompt)) return { status: 400, error: `refused: ${prompt}` };
      return { text: `done(${prompt})`, usage: CALL_USAGE };
    });
    const file = fixture.teamFile("press.yaml", threeStepTeam("press", wire.baseURL));
    workers.push(startWorkerProcess([file, ...where, "--store", fixture.storeUrl]));
    const served = await serve([
      file,
      ...["--queue", REDIS_URL, "--queue-name", fixture.queueName, "--prefix", fixture.prefix],
      ...["--store", fixture.storeUrl, "--port", "0"],
    ]);
    if (!served.url) throw new Error(`serve did not start: ${served.stderr}`);
    url = served.url;
    queue = await RunQueue.open({
      redis: REDIS_URL,
      queueName: fixture.queueName,
      prefix: fixture.prefix,
    });
    store = await openRunStore(fixture.storeUrl);
    await workers[0]!.ready;
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await store?.close();
    await wire?.close();
  });

  it("runs a team through llmteam run --server: the run executes on the worker", async () => {
    const run = await cli(["run", "--server", url, "press", "--query", "kelp", "--json"]);
    expect(run.code).toBe(0);
    // --json prints every event of the run, one per line, as the worker emitted them, in order.
    const events = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { seq: number; type: string; data: unknown });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)).toMatchObject({
      type: "run_completed",
      data: { output: "done(Edit kelp)" },
    });
    const text = await cli(["run", "--server", url, "press", "--query", "reef"]);
    expect(text.stdout).toContain("done(Edit reef)");
    expect(text.stdout).toMatch(new RegExp(`Run run_\\S+ is kept by the server: ${url}/runs/`));
    expect(calls.get("Research kelp")).toBe(1);
  }, 30_000);

  it("lists a failed run with its reason in queue status, and llmteam queue retry runs it again from its last step", async () => {
    const response = await fetch(`${url}/teams/press/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "flaky" }),
    });
    const { runId } = (await response.json()) as { runId: string };
    expect((await waitForRun(queue, runId, { timeoutMs: 15_000 })).status).toBe("failed");

    const status = await cli(["queue", "status", ...where]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`${runId}\\s+press\\s+.*refused: Draft flaky`));

    const retried = await cli(["queue", "retry", runId, ...where, "--store", fixture.storeUrl]);
    expect(retried.stdout).toContain(`${runId}: back in queue "${fixture.queueName}"`);
    expect(retried.code).toBe(0);
    const result = await waitForRun(queue, runId, { timeoutMs: 15_000 });
    expect(result).toMatchObject({ status: "completed", output: "done(Edit flaky)" });
    expect(calls.get("Research flaky")).toBe(1);
    expect(calls.get("Draft flaky")).toBe(2);

    const nothing = await cli([
      "queue",
      "retry",
      "--all-failed",
      ...where,
      "--store",
      fixture.storeUrl,
    ]);
    expect(nothing.stdout).toContain("has no failed runs");
    const unknown = await cli([
      "queue",
      "retry",
      "run_nope",
      ...where,
      "--store",
      fixture.storeUrl,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("run_nope: not retried: the queue");
  }, 40_000);
});
