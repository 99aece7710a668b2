import type { LanguageModelV4 } from "@ai-sdk/provider";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import type { CallContext, ModelCall, ModelRequest } from "../providers/model-call.js";
import {
  MemoryBudgetStore,
  RedisBudgetStore,
  SqliteBudgetStore,
  type BudgetStore,
} from "../store/index.js";
import {
  Budget,
  BudgetExceededError,
  CostTracker,
  createCostMiddleware,
  estimateInputTokens,
  getBudgetStatus,
  ModelPricing,
  PricingRegistry,
} from "./index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `llmteam-test:${process.pid}:${Date.now()}:`;
const admin = new Redis(REDIS_URL);
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

const STORES: [string, () => BudgetStore][] = [
  ["memory", () => new MemoryBudgetStore()],
  ["SQLite", () => new SqliteBudgetStore({ path: ":memory:" })],
  ["Redis", () => new RedisBudgetStore({ client: admin, prefix })],
];

let teamCounter = 0;

/** $1 per 1M input and $2 per 1M output: 1 token in = 1 µ$, 1 token out = 2 µ$. */
function pricing(): PricingRegistry {
  return new PricingRegistry({ catalog: false }).register(
    "test/model",
    ModelPricing.per1M({ input: 1, output: 2 }),
  );
}

function request(text: string, maxOutputTokens: number): ModelRequest {
  return {
    model: { name: "test/model", model: {} as LanguageModelV4 },
    prompt: [{ role: "user", content: [{ type: "text", text }] }],
    stream: false,
    maxOutputTokens,
  };
}

function context(clock: FakeClock, runId: string, events: string[] = []): CallContext {
  return {
    signal: new AbortController().signal,
    clock,
    runId,
    agentId: "agent",
    events: { emit: (type) => void events.push(type) },
  };
}

/** A provider that answers with the given usage after `ticks` turns of the event loop. */
function provider(
  answer: (request: ModelRequest) => { inputTokens: number; outputTokens: number; ticks: number },
): ModelCall {
  return async (call) => {
    const { inputTokens, outputTokens, ticks } = answer(call);
    for (let tick = 0; tick < ticks; tick++) await new Promise((resolve) => setImmediate(resolve));
    return {
      text: "",
      toolCalls: [],
      finishReason: "stop",
      model: call.model.name,
      latencyMs: 0,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    };
  };
}

describe.each(STORES)("period budgets with the %s store", (_name, createStore) => {
  /** One fixed-cost call: ~13 input tokens, 100 output tokens reserved; really 300 µ$. */
  function team(budget: Budget, clock: FakeClock, store: BudgetStore) {
    const tracker = new CostTracker({ pricing: pricing(), clock });
    const teamId = `team-${teamCounter++}`;
    const call = createCostMiddleware({ tracker, budgets: [budget], store, teamId })(
      provider(() => ({ inputTokens: 100, outputTokens: 100, ticks: 0 })),
    );
    return {
      call,
      teamId,
      run: (runId: string) => call(request("hi", 100), context(clock, runId)),
    };
  }

  it("is shared by the runs of a team and resets at the next UTC day (calendar)", async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 22));
    const store = createStore();
    const budget = new Budget({ maxCost: 0.001, period: "day" });
    const { run, teamId } = team(budget, clock, store);
    await run("run-1");
    await run("run-2");
    await run("run-3"); // 900 µ$ spent by three runs
    await expect(run("run-4")).rejects.toThrow(BudgetExceededError);
    const [status] = await getBudgetStatus({ budgets: [budget], store, teamId, clock });
    expect(status).toMatchObject({
      period: "day",
      spentUsd: 0.0009,
      reservedUsd: 0,
      maxUsd: 0.001,
      status: "alert",
    });
    await clock.advance(2 * 3_600_000 - 1); // 23:59:59.999
    await expect(run("run-5")).rejects.toThrow(BudgetExceededError);
    await clock.advance(1); // 00:00 UTC: a new day
    await run("run-6");
    await store.close();
  });

  it("lets spend leave a rolling window only after a full period", async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 22, 30));
    const store = createStore();
    const { run } = team(
      new Budget({ maxCost: 0.001, period: "hour", window: "rolling" }),
      clock,
      store,
    );
    for (const runId of ["a", "b", "c"]) await run(runId);
    await clock.advance(30 * 60_000); // 23:00, a calendar hour would have reset
    await expect(run("d")).rejects.toThrow(BudgetExceededError);
    await clock.advance(30 * 60_000 - 1); // just under an hour after the spend
    await expect(run("e")).rejects.toThrow(BudgetExceededError);
    await clock.advance(60_000 + 1); // a full hour and one slice later
    await run("f");
    await store.close();
  });

  it("never lets concurrent callers pass a hard limit (property)", async () => {
    const store = createStore();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 8_000 }),
        fc.array(
          fc.record({
            text: fc.string({ maxLength: 200 }),
            maxOutputTokens: fc.integer({ min: 1, max: 2_000 }),
            // Real usage, as a percentage of the worst case: mostly close to it, so an
            // enforcement bug shows as an overshoot.
            inputPercent: fc.integer({ min: 50, max: 100 }),
            outputPercent: fc.integer({ min: 50, max: 100 }),
            ticks: fc.integer({ min: 0, max: 3 }),
            runIndex: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 5, maxLength: 40 },
        ),
        async (maxMicroUsd, calls) => {
          const clock = new FakeClock();
          const tracker = new CostTracker({ pricing: pricing(), clock });
          const maxCost = maxMicroUsd / 1e6;
          const budgets = [
            new Budget({ maxCost }),
            new Budget({ maxCost: maxCost * 2, period: "day" }),
          ];
          const teamId = `team-${teamCounter++}`;
          let made = 0;
          const requests = calls.map((plan) => request(plan.text, plan.maxOutputTokens));
          const plans = new Map(requests.map((sent, index) => [sent.prompt, calls[index]!]));
          const call = createCostMiddleware({ tracker, budgets, store, teamId })(
            provider((sent) => {
              made++;
              // Real usage never above the worst case: input ≤ the estimate, output ≤ maxOutputTokens.
              const original = plans.get(sent.prompt)!;
              return {
                inputTokens: Math.floor((estimateInputTokens(sent) * original.inputPercent) / 100),
                outputTokens: Math.floor((original.maxOutputTokens * original.outputPercent) / 100),
                ticks: original.ticks,
              };
            }),
          );
          const runIds = ["run-0", "run-1", "run-2"];
          for (const runId of runIds) tracker.startRun(runId, teamId);
          const results = await Promise.allSettled(
            requests.map((sent, index) =>
              call(sent, context(clock, runIds[calls[index]!.runIndex]!)),
            ),
          );
          for (const result of results) {
            if (result.status === "rejected")
              expect(BudgetExceededError.isInstance(result.reason)).toBe(true);
          }
          const fulfilled = results.filter((result) => result.status === "fulfilled").length;
          expect(fulfilled).toBe(made);
          const [day] = await getBudgetStatus({ budgets: budgets.slice(1), store, teamId, clock });
          expect(day!.reservedUsd).toBe(0);
          expect(day!.spentUsd).toBeLessThanOrEqual(maxCost * 2);
          let total = 0;
          for (const runId of runIds) {
            expect(tracker.spentNano(runId)).toBeLessThanOrEqual(budgets[0]!.maxCostNano);
            total += tracker.spentNano(runId);
          }
          expect(Math.round(day!.spentUsd * 1e9)).toBe(total);
        },
      ),
      { numRuns: 60 },
    );
    await store.close();
  });
});
