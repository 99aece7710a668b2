import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openRunStore, verifyRunLog } from "llmteam";
import { createWorker, enqueueRun, RunQueue, waitForRun, type LLMTeamWorker } from "llmteam/worker";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";
import { cli } from "./support/run-cli.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";
import {
  countingModel,
  POSTGRES_URL,
  REDIS_URL,
  RUN_USD,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const fixture = workerFixture("outage");
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(() => fixture.clean());

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A worker of the `press` team whose Redis or Postgres link goes through a proxy that can be cut. */
async function setup(through: "redis" | "postgres") {
  const model = countingModel(300);
  const server = await startOpenAIWireServer(model.reply);
  cleanups.push(() => server.close());
  const proxy: TcpProxy = await startTcpProxy(through === "redis" ? 6379 : 5432);
  cleanups.push(() => proxy.close());
  const file = fixture.teamFile(
    `press-${through}.yaml`,
    threeStepTeam(`press_${through}`, server.baseURL),
  );
  const storeUrl =
    through === "postgres"
      ? `postgres://postgres@127.0.0.1:${proxy.port}/test?schema=${fixture.schema}`
      : fixture.storeUrl;
  const worker: LLMTeamWorker = await createWorker({
    teams: [file],
    redis: through === "redis" ? `redis://127.0.0.1:${proxy.port}` : REDIS_URL,
    runStore: storeUrl,
    queueName: `${fixture.queueName}-${through}`,
    prefix: fixture.prefix,
    park: { firstMs: 200, maxMs: 500 },
    env: { OPENAI_API_KEY: "" },
    log: () => undefined,
  });
  cleanups.push(() => worker.close({ timeoutMs: 1_000 }));
  const queue = await RunQueue.open({
    redis: REDIS_URL,
    queueName: `${fixture.queueName}-${through}`,
    prefix: fixture.prefix,
  });
  cleanups.push(() => queue.close());
  return { model, proxy, worker, queue };
}

describe("a worker when a store is unreachable", () => {
  it("exits 1 at start when Redis cannot be reached, naming the server", async () => {
    const file = fixture.teamFile("start.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const { code, stderr } = await cli([
      "worker",
      file,
      "--redis",
      "redis://:secret@127.0.0.1:1",
      "--store",
      fixture.storeUrl,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(connect\): .*ECONNREFUSED/,
    );
    expect(stderr).not.toContain("secret");
  });

  it("exits 1 at start when the run store cannot be reached", async () => {
    const file = fixture.teamFile("start.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const { code, stderr } = await cli([
      "worker",
      file,
      "--redis",
      REDIS_URL,
      "--store",
      "postgres://postgres@127.0.0.1:1/test",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /Cannot reach the Postgres run store at postgres:\/\/postgres@127\.0\.0\.1:1\/test/,
    );
  });

  it(
    "parks a run while Postgres is down and resumes it from its last stored step when it is back",
    { timeout: 40_000 },
    async () => {
      const { model, proxy, worker, queue } = await setup("postgres");
      const runId = await enqueueRun(queue, "press_postgres", { query: "pg" });
      await until(() => model.calls.has("Research pg"));
      proxy.cut("reset");
      await until(() => worker.metrics().parked >= 2);
      expect(model.calls.has("Draft pg")).toBe(false); // no step ran without its store
      proxy.restore();
      const result = await waitForRun(queue, runId, { timeoutMs: 20_000 });
      expect(result.status).toBe("completed");
      // The step in flight at the outage was never stored: it runs again (at-least-once).
      expect(model.calls.get("Research pg")).toBeLessThanOrEqual(2);
      for (const step of ["Draft", "Edit"]) expect(model.calls.get(`${step} pg`)).toBe(1);
      const store = await openRunStore(`${POSTGRES_URL}?schema=${fixture.schema}`);
      cleanups.push(() => store.close());
      expect((await store.getRun(runId))?.status).toBe("completed");
      expect((await verifyRunLog(store, runId)).ok).toBe(true);
    },
  );

  it(
    "pauses while Redis is down (budgets fail closed, the run parks) and goes on when it is back",
    { timeout: 40_000 },
    async () => {
      const { model, proxy, worker, queue } = await setup("redis");
      const runId = await enqueueRun(queue, "press_redis", { query: "redis" });
      await until(() => model.calls.has("Research redis"));
      proxy.cut("reset");
      await until(() => worker.health().redis !== "ready");
      expect(worker.health().ok).toBe(false);
      // The first step's spend cannot be recorded (kept for later); the next step cannot reserve
      // its budget, so no call is made: the run is stored interrupted and its job parked.
      await until(() => worker.metrics().parked >= 1);
      expect(model.calls.has("Draft redis")).toBe(false);
      proxy.restore();
      const result = await waitForRun(queue, runId, { timeoutMs: 25_000 });
      expect(result.status).toBe("completed");
      for (const step of ["Research", "Draft", "Edit"])
        expect(model.calls.get(`${step} redis`)).toBe(1);
      await until(() => worker.health().ok);
      // The day budget holds each call once: the settlement kept through the outage included.
      const redis = new Redis(REDIS_URL);
      cleanups.push(() => redis.quit());
      const spentKey = `${fixture.prefix}:budget:{press_redis:day:calendar}:spent`;
      const spentUsd = async () =>
        (await redis.hvals(spentKey)).reduce((sum, nano) => sum + Number(nano), 0) / 1e9;
      const deadline = Date.now() + 15_000;
      while ((await spentUsd()) < RUN_USD - 1e-9 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await spentUsd()).toBeCloseTo(RUN_USD, 9);
    },
  );
});
