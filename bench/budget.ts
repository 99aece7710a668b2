import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { Redis } from "ioredis";
import type { CallContext, ModelCall, ModelRequest } from "llmteam";
import {
  Budget,
  CostTracker,
  createCostMiddleware,
  ModelPricing,
  PricingRegistry,
} from "../src/cost/index.js";
import {
  MemoryBudgetStore,
  RedisBudgetStore,
  SqliteBudgetStore,
  type BudgetStore,
} from "../src/store/index.js";
import { timeAsync, type BenchRow } from "./harness.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Cost of the cost layer per model call (µs): price lookup, worst-case estimate, budget check
 * and reservation, settlement, tracker update and `cost_update` event, on a zero-latency model.
 * One row per budget store; the first row (no budget) is tracking alone.
 */
export async function benchBudget(): Promise<BenchRow[]> {
  const pricing = new PricingRegistry();
  pricing.register("bench/model", ModelPricing.per1M({ input: 1, output: 2 }));
  const request: ModelRequest = {
    model: { name: "bench/model", model: {} as LanguageModelV4 },
    prompt: [
      { role: "user", content: [{ type: "text", text: "Summarise the ticket in one line." }] },
    ],
    maxOutputTokens: 100,
    stream: false,
  };
  const provider: ModelCall = async () => ({
    text: "ok",
    toolCalls: [],
    finishReason: "stop",
    model: "bench/model",
    latencyMs: 0,
    usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  });
  const context: CallContext = {
    signal: new AbortController().signal,
    clock: { now: () => Date.now(), sleep: async () => {} },
    events: { emit: () => undefined },
    runId: "bench",
    agentId: "agent",
  };
  const directory = mkdtempSync(join(tmpdir(), "llmteam-bench-budget-"));
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisUp = await redis.connect().then(
    () => true,
    () => false,
  );
  const prefix = `llmteam-bench:${process.pid}:`;
  const setups: [string, Budget[], BudgetStore | undefined, number][] = [
    ["tracking only (no budget)", [], undefined, 20_000],
    ["run budget (in process)", [new Budget({ maxCost: 1e6 })], undefined, 20_000],
    [
      "day budget, MemoryBudgetStore",
      [new Budget({ maxCost: 1e6, period: "day" })],
      new MemoryBudgetStore(),
      20_000,
    ],
    [
      "day budget, SqliteBudgetStore (file, WAL)",
      [new Budget({ maxCost: 1e6, period: "day" })],
      new SqliteBudgetStore({ path: join(directory, "budgets.db") }),
      2_000,
    ],
  ];
  if (redisUp) {
    setups.push([
      "day budget, RedisBudgetStore (127.0.0.1)",
      [new Budget({ maxCost: 1e6, period: "day" })],
      new RedisBudgetStore({ client: redis, prefix }),
      1_000,
    ]);
  }
  const rows: BenchRow[] = [];
  for (const [measure, budgets, store, iterations] of setups) {
    const tracker = new CostTracker({ pricing });
    tracker.startRun("bench");
    const call = createCostMiddleware({ tracker, budgets, ...(store ? { store } : {}) })(provider);
    const nanoseconds = await timeAsync(() => call(request, context), iterations);
    rows.push({ scenario: "cost layer per call", measure, value: nanoseconds / 1000, unit: "µs" });
    await store?.close();
  }
  if (!redisUp)
    rows.push({
      scenario: "cost layer per call",
      measure: "RedisBudgetStore",
      value: Number.NaN,
      unit: "µs",
      note: `no Redis at ${REDIS_URL}`,
    });
  if (redisUp) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  rmSync(directory, { recursive: true, force: true });
  return rows;
}
