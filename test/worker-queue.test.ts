import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followRunEvents, openRunStore, verifyRunLog, type RunStore } from "llmteam";
import {
  createWorker,
  enqueueRun,
  RunQueue,
  serveWorkerHealth,
  waitForRun,
  type LLMTeamWorker,
} from "llmteam/worker";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";
import {
  countingModel,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const fixture = workerFixture("queue");
const model = countingModel(5);
let server: Awaited<ReturnType<typeof startOpenAIWireServer>>;
let worker: LLMTeamWorker;
let queue: RunQueue;
let store: RunStore;

beforeAll(async () => {
  server = await startOpenAIWireServer(model.reply);
  const file = fixture.teamFile("press.yaml", threeStepTeam("press", server.baseURL));
  worker = await createWorker({
    teams: [file],
    redis: REDIS_URL,
    runStore: fixture.storeUrl,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
    concurrency: 4,
    missingTeamGraceMs: 1_500,
    env: { OPENAI_API_KEY: "" },
    log: () => undefined,
  });
  queue = await RunQueue.open({
    redis: REDIS_URL,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
  });
  store = await openRunStore(fixture.storeUrl);
});

afterAll(async () => {
  await queue?.close();
  await worker?.close();
  await store?.close();
  await server?.close();
  await fixture.clean();
});

describe("enqueueRun and a worker", () => {
  it("runs a queued run on the worker, stores it, and hands its result to waitForRun", async () => {
    const runId = await enqueueRun(queue, "press", { query: "solar" });
    const result = await waitForRun(queue, runId, { timeoutMs: 15_000 });
    expect(result).toMatchObject({
      runId,
      teamId: "press",
      status: "completed",
      output: "done(Edit solar)",
    });
    expect(result.costUsd).toBeGreaterThan(0);
    const stored = await store.getRun(runId);
    expect(stored?.status).toBe("completed");
    expect((await verifyRunLog(store, runId)).ok).toBe(true);
    for (const step of ["Research solar", "Draft solar", "Edit solar"])
      expect(model.calls.get(step)).toBe(1);
  });

  it("reads a queued run's events from the run store as the worker commits them, to its end", async () => {
    const runId = await enqueueRun(queue, "press", { query: "follow" });
    const seen: { seq: number; type: string }[] = [];
    for await (const { seq, event } of followRunEvents(store, runId, { pollMs: 20 }))
      seen.push({ seq, type: event.type });
    expect(seen.map((event) => event.seq)).toEqual(seen.map((_, index) => index + 1));
    expect(seen[0]?.type).toBe("run_started");
    expect(seen.at(-1)?.type).toBe("run_completed");
    expect(seen.filter((event) => event.type === "agent_completed")).toHaveLength(3);
    // From the middle on, as a reconnecting client would (Last-Event-ID).
    const rest = [];
    for await (const stored of followRunEvents(store, runId, { afterSeq: 5 }))
      rest.push(stored.seq);
    expect(rest[0]).toBe(6);
    expect(rest.at(-1)).toBe(seen.length);
  });

  it("serves its health and metrics over HTTP", async () => {
    const health = await serveWorkerHealth(worker, { port: 0 });
    try {
      const ok = await fetch(`${health.url}/health`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        status: "ok",
        redis: "ready",
        concurrency: 4,
        teams: ["press"],
      });
      const metrics = await (await fetch(`${health.url}/metrics`)).text();
      expect(metrics).toMatch(/^llmteam_worker_runs_completed_total\{worker="[^"]+"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^llmteam_worker_runs_per_second\{worker="[^"]+"\} [\d.]+$/m);
      expect(metrics).toMatch(/^llmteam_worker_queue_lag_ms\{/m);
      expect(metrics).toMatch(
        new RegExp(
          `^llmteam_queue_jobs\\{queue="${fixture.queueName}",state="waiting"\\} \\d+$`,
          "m",
        ),
      );
      expect((await fetch(`${health.url}/nope`)).status).toBe(404);
    } finally {
      await health.close();
    }
  });

  it("queues one run for one idempotency key, and refuses the key with other input", async () => {
    const first = await enqueueRun(
      queue,
      "press",
      { query: "wind" },
      { idempotencyKey: "order-7" },
    );
    const again = await enqueueRun(
      queue,
      "press",
      { query: "wind" },
      { idempotencyKey: "order-7" },
    );
    expect(again).toBe(first);
    await expect(
      enqueueRun(queue, "press", { query: "tides" }, { idempotencyKey: "order-7" }),
    ).rejects.toThrow(/queued already with other input/);
    expect((await waitForRun(queue, first, { timeoutMs: 15_000 })).status).toBe("completed");
    expect(model.calls.get("Research wind")).toBe(1);
  });

  it("hands a run of a team it lacks back to the queue for a while, then fails it, naming its teams", async () => {
    const runId = await enqueueRun(queue, "ghost", { query: "boo" });
    const result = await waitForRun(queue, runId, { timeoutMs: 15_000 });
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/Team "ghost" is not loaded on worker .*; it runs press/);
    const job = await queue.queue.getJob(runId);
    expect(job?.attemptsMade).toBe(1); // handed back, not retried as an attempt
    expect(Date.now() - job!.timestamp).toBeGreaterThanOrEqual(1_500);
    expect(await store.getRun(runId)).toBeUndefined();
  });
});
