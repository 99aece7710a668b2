import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { openRunStore, verifyRunLog, type RunStore, type StoredEvent } from "llmteam";
import { enqueueRun, RunQueue, waitForRun } from "llmteam/worker";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";
import { startWorkerProcess, type WorkerProcess } from "./support/worker-process.js";
import {
  CALL_USD,
  countingModel,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const fixture = workerFixture("crash");
const workers: WorkerProcess[] = [];

afterAll(async () => {
  for (const worker of workers) worker.process.kill("SIGKILL");
  await Promise.all(workers.map((worker) => worker.exited));
  await fixture.clean();
});

const STEPS = ["Research", "Draft", "Edit"];

function workerArgs(file: string, name: string): string[] {
  return [
    file,
    ...["--redis", REDIS_URL, "--store", fixture.storeUrl, "--queue-name", fixture.queueName],
    ...["--prefix", fixture.prefix, "--concurrency", "5", "--name", name],
    ...["--lock-duration-ms", "1500", "--stalled-interval-ms", "500"],
  ];
}

/** Steps whose `agent_completed` is in the log before the run was resumed (done before the kill). */
function completedBeforeResume(events: StoredEvent[]): Set<string> {
  const done = new Set<string>();
  for (const { event } of events) {
    if (event.type === "run_resumed") break;
    if (event.type === "agent_completed") done.add(String(event.agentId));
  }
  return done;
}

describe("a worker killed with SIGKILL mid-run", () => {
  it(
    "hands its runs to another worker, which resumes each from its last stored step",
    { timeout: 90_000 },
    async () => {
      const model = countingModel(150);
      const server = await startOpenAIWireServer(model.reply);
      const file = fixture.teamFile("press.yaml", threeStepTeam("press", server.baseURL, 100));
      const queue = await RunQueue.open({
        redis: REDIS_URL,
        queueName: fixture.queueName,
        prefix: fixture.prefix,
      });
      let store: RunStore | undefined;
      try {
        const first = startWorkerProcess(workerArgs(file, "w1"));
        const second = startWorkerProcess(workerArgs(file, "w2"));
        workers.push(first, second);
        await Promise.all([first.ready, second.ready]);
        const queries = Array.from({ length: 20 }, (_, index) => `topic-${index}`);
        const runIds = await Promise.all(
          queries.map((query) => enqueueRun(queue, "press", { query })),
        );

        // Kill w1 once both workers are mid-run (each holds 5 runs, 150 ms per step).
        await until(() => totalCalls(model.calls) >= 14);
        const killedAt = totalCalls(model.calls);
        first.process.kill("SIGKILL");
        expect((await first.exited).signal).toBe("SIGKILL");

        const results = await Promise.all(
          runIds.map((runId) => waitForRun(queue, runId, { timeoutMs: 60_000 })),
        );
        expect(results.map((result) => result.status)).toEqual(runIds.map(() => "completed"));
        expect(killedAt).toBeLessThan(60); // the kill came mid-way

        store = await openRunStore(fixture.storeUrl);
        let resumedRuns = 0;
        let repeatedCalls = 0;
        let storedCostUsd = 0;
        for (const [index, runId] of runIds.entries()) {
          const run = await store.getRun(runId);
          expect(run?.status).toBe("completed");
          expect((await verifyRunLog(store, runId)).ok).toBe(true);
          const events = await store.readEvents(runId);
          const completed = events.filter(({ event }) => event.type === "agent_completed");
          expect(completed.map(({ event }) => event.agentId)).toEqual([
            "research",
            "draft",
            "edit",
          ]);
          storedCostUsd += run!.costUsd;
          expect(run!.costUsd).toBeCloseTo(3 * CALL_USD, 9); // no step charged twice
          const resumed = events.some(({ event }) => event.type === "run_resumed");
          if (resumed) resumedRuns++;
          const doneBefore = completedBeforeResume(events);
          for (const step of STEPS) {
            const calls = model.calls.get(`${step} ${queries[index]}`) ?? 0;
            // A completed step never runs again; only the step in flight at the kill may.
            if (!resumed || doneBefore.has(step.toLowerCase())) expect(calls).toBe(1);
            else expect(calls).toBeGreaterThanOrEqual(1);
            expect(calls).toBeLessThanOrEqual(2);
            repeatedCalls += calls - 1;
          }
        }
        expect(resumedRuns).toBeGreaterThan(0);
        expect(repeatedCalls).toBeLessThanOrEqual(resumedRuns);
        // The shared day budget in Redis holds every settled call: the stored ones, plus at most
        // the calls in flight at the kill that settled before their step was stored.
        const spentUsd = await budgetSpentUsd(
          `${fixture.prefix}:budget:{press:day:calendar}:spent`,
        );
        expect(spentUsd).toBeGreaterThanOrEqual(storedCostUsd - 1e-9);
        expect(spentUsd).toBeLessThanOrEqual(storedCostUsd + repeatedCalls * CALL_USD + 1e-9);
        expect(second.stderr()).not.toMatch(/Error|error/);
      } finally {
        await store?.close();
        await queue.close();
        await server.close();
      }
    },
  );
});

function totalCalls(calls: Map<string, number>): number {
  let total = 0;
  for (const count of calls.values()) total += count;
  return total;
}

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function budgetSpentUsd(key: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    const buckets = await redis.hvals(key);
    return buckets.reduce((sum, nano) => sum + Number(nano), 0) / 1e9;
  } finally {
    await redis.quit();
  }
}
