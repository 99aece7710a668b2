import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import {
  BreakerStoreError,
  CircuitOpenError,
  LLMTeam,
  RedisBreakerStore,
  type BreakerStore,
} from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { admitCall, recordOutcome } from "../src/resilience/circuit-breaker-state.js";
import { resolveCircuitBreakerPolicy } from "../src/resilience/circuit-breaker-policy.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `llmteam-test:${process.pid}:${Date.now()}:breaker:`;
const clients: Redis[] = [];

/** A store on its own connection, as another process would have. */
function processStore(): RedisBreakerStore {
  const client = new Redis(REDIS_URL);
  clients.push(client);
  return new RedisBreakerStore({ client, prefix });
}

afterAll(async () => {
  const admin = new Redis(REDIS_URL);
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
  await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
});

const MODEL = "openai/gpt-4o-mini";

/** A worker's copy of the team: same id, same breaker settings, its own model and store. */
function workerTeam(model: ScriptedModel, breakerStore: BreakerStore, clock: FakeClock): LLMTeam {
  const team = new LLMTeam({
    teamId: "support",
    model: MODEL,
    models: { [MODEL]: model },
    clock,
    breakerStore,
    retryPolicy: false,
    circuitBreaker: { scope: "model", failureThreshold: 3, recoveryTimeoutSeconds: 30 },
  });
  team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query}" });
  return team;
}

describe("RedisBreakerStore", () => {
  it("opens the breaker for every worker when one worker sees the outage", async () => {
    const clock = new FakeClock(1_000_000);
    const failing = new ScriptedModel({
      responses: Array.from({ length: 3 }, () => ({ httpError: { status: 503 } })),
      clock,
    });
    const healthy = new ScriptedModel({ responses: ["fine"], clock });
    const first = workerTeam(failing, processStore(), clock);
    const second = workerTeam(healthy, processStore(), clock);
    for (let index = 0; index < 3; index++) {
      expect((await first.run({ query: `q${index}` })).success).toBe(false);
    }
    const result = await second.run({ query: "hello" });
    expect(result.success).toBe(false);
    expect(CircuitOpenError.isInstance(result.error)).toBe(true);
    expect(healthy.callsMade).toBe(0); // the second worker never called its model
    expect(await processStore().get(`support:model:${MODEL}`)).toMatchObject({ state: "open" });
  });

  it("admits exactly one half-open probe across many processes racing for it", async () => {
    const policy = resolveCircuitBreakerPolicy({ recoveryTimeoutSeconds: 30 })!;
    const key = "probe-race";
    const stores = Array.from({ length: 8 }, () => processStore());
    await stores[0]!.update(key, () => ({
      state: { state: "open", failureTimesMs: [], openedAtMs: 0, halfOpenSuccesses: 0 },
      result: undefined,
    }));
    let probeNumber = 0;
    const admissions = await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: 5 }, () =>
          store.update(key, (current) =>
            admitCall(current, policy, 31_000, () => `probe-${++probeNumber}`),
          ),
        ),
      ),
    );
    expect(admissions.filter((admission) => admission.admitted)).toHaveLength(1);
    expect((await stores[0]!.get(key))?.state).toBe("half_open");
  });

  it("loses no update when many processes record failures at once", async () => {
    const policy = resolveCircuitBreakerPolicy({ failureThreshold: 1_000 })!;
    const key = "failure-count";
    const stores = Array.from({ length: 5 }, () => processStore());
    await Promise.all(
      stores.flatMap((store, storeIndex) =>
        Array.from({ length: 10 }, (_, index) =>
          store.update(key, (current) =>
            recordOutcome(current, policy, 1_000 + storeIndex * 10 + index, "failure", undefined),
          ),
        ),
      ),
    );
    expect((await stores[0]!.get(key))?.failureTimesMs).toHaveLength(50);
  });

  it("keeps no key for a healthy breaker", async () => {
    const policy = resolveCircuitBreakerPolicy({})!;
    const store = processStore();
    const admission = await store.update("healthy", (current) =>
      admitCall(current, policy, 0, () => "p"),
    );
    await store.update("healthy", (current) =>
      recordOutcome(current, policy, 1, "success", admission.probeId),
    );
    const admin = clients[clients.length - 1]!;
    expect(await admin.exists(`${prefix}healthy`)).toBe(0);
  });

  it("fails closed with BreakerStoreError when Redis does not answer", async () => {
    const client = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
    });
    client.on("error", () => undefined);
    const store = new RedisBreakerStore({ client, prefix, commandTimeoutMs: 200 });
    const failure = await store.get("any").catch((error: unknown) => error);
    expect(BreakerStoreError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ operation: "get", timeoutMs: 200 });
    client.disconnect();
  });
});
