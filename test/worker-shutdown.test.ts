import { afterAll, describe, expect, it } from "vitest";
import { openRunStore, type RunStore } from "llmteam";
import { enqueueRun, RunQueue, waitForRun } from "llmteam/worker";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";
import { startWorkerProcess, type WorkerProcess } from "./support/worker-process.js";
import {
  countingModel,
  promptOf,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const fixture = workerFixture("shutdown");
const workers: WorkerProcess[] = [];

afterAll(async () => {
  for (const worker of workers) worker.process.kill("SIGKILL");
  await Promise.all(workers.map((worker) => worker.exited));
  await fixture.clean();
});

function start(file: string, name: string, extra: string[] = []): WorkerProcess {
  const worker = startWorkerProcess([
    file,
    ...["--redis", REDIS_URL, "--store", fixture.storeUrl, "--queue-name", fixture.queueName],
    ...["--prefix", fixture.prefix, "--name", name],
    ...["--lock-duration-ms", "1500", "--stalled-interval-ms", "500", ...extra],
  ]);
  workers.push(worker);
  return worker;
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a worker stopping", () => {
  it(
    "on SIGTERM parks its runs at the next step boundary and exits 0; another worker finishes them, no step twice",
    { timeout: 60_000 },
    async () => {
      const model = countingModel(400);
      const server = await startOpenAIWireServer(model.reply);
      const file = fixture.teamFile("press.yaml", threeStepTeam("press", server.baseURL));
      const queue = await RunQueue.open({
        redis: REDIS_URL,
        queueName: fixture.queueName,
        prefix: fixture.prefix,
      });
      let store: RunStore | undefined;
      try {
        const first = start(file, "w1", ["--concurrency", "2"]);
        await first.ready;
        const runIds = [
          await enqueueRun(queue, "press", { query: "alpha" }),
          await enqueueRun(queue, "press", { query: "beta" }),
        ];
        // Both runs are in their second step when the worker is told to stop.
        await until(() => model.calls.has("Draft alpha") && model.calls.has("Draft beta"));
        first.process.kill("SIGTERM");
        expect(await first.exited).toEqual({ code: 0, signal: null });
        expect(first.stderr()).toMatch(/stopping; runs in flight pause at their next step/);
        store = await openRunStore(fixture.storeUrl);
        for (const runId of runIds) expect((await store.getRun(runId))?.status).toBe("paused");

        const second = start(file, "w2");
        await second.ready;
        const results = await Promise.all(
          runIds.map((runId) => waitForRun(queue, runId, { timeoutMs: 20_000 })),
        );
        expect(results.map((result) => result.status)).toEqual(["completed", "completed"]);
        for (const query of ["alpha", "beta"])
          for (const step of ["Research", "Draft", "Edit"])
            expect(model.calls.get(`${step} ${query}`)).toBe(1);
        for (const runId of runIds) expect((await store.getRun(runId))?.status).toBe("completed");
        second.process.kill("SIGTERM");
        expect((await second.exited).code).toBe(0);
      } finally {
        await store?.close();
        await queue.close();
        await server.close();
      }
    },
  );

  it(
    "fails a poison run that kills its worker every time, after --max-stalled losses, with the reason",
    { timeout: 60_000 },
    async () => {
      const model = countingModel(5);
      let poisonCalls = 0;
      const server = await startOpenAIWireServer((request): WireReply => {
        if (promptOf(request) === "Research poison") {
          poisonCalls++;
          return { text: "never", delayMs: 20_000 };
        }
        return model.reply(request);
      });
      const file = fixture.teamFile("poison.yaml", threeStepTeam("poison", server.baseURL));
      const queue = await RunQueue.open({
        redis: REDIS_URL,
        queueName: fixture.queueName,
        prefix: fixture.prefix,
      });
      try {
        const runId = await enqueueRun(queue, "poison", { query: "poison" });
        for (let crash = 1; crash <= 2; crash++) {
          const worker = start(file, `p${crash}`, ["--max-stalled", "1"]);
          await until(() => poisonCalls === crash);
          worker.process.kill("SIGKILL"); // the run "crashes" its worker
          await worker.exited;
        }
        start(file, "p3", ["--max-stalled", "1"]);
        const result = await waitForRun(queue, runId, { timeoutMs: 20_000 });
        expect(result.status).toBe("failed");
        expect(result.error).toMatch(/stalled more than allowable limit/);
        expect(poisonCalls).toBe(2); // not tried a third time
      } finally {
        await queue.close();
        await server.close();
      }
    },
  );
});
