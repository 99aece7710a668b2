import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BudgetStoreError, LLMTeam, RedisBudgetStore, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// The real Redis stays up: each test reaches it through its own proxy and cuts only that link.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `llmteam-test:${process.pid}:${Date.now()}:outage:`;
const admin = new Redis(REDIS_URL);
const MODEL = "openai/gpt-4o-mini"; // $0.15 in, $0.60 out per 1M tokens
/** 10 in + 500 out tokens = 301.5 µ$ per call. */
const CALL = { text: "ok", usage: { inputTokens: 10, outputTokens: 500 } };

let proxy: TcpProxy;
let stores: RedisBudgetStore[] = [];
let consoleErrors: string[];

beforeEach(async () => {
  proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
  consoleErrors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args.map(String).join(" "));
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  proxy.restore();
  await Promise.all(stores.map((store) => store.close()));
  stores = [];
  await proxy.close();
});

afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

async function teamOverProxy(teamId: string, model: ScriptedModel, commandTimeoutMs: number) {
  const store = await RedisBudgetStore.connect(`redis://127.0.0.1:${proxy.port}`, {
    prefix,
    commandTimeoutMs,
  });
  stores.push(store);
  const team = new LLMTeam({
    teamId,
    model: MODEL,
    maxTokens: 500,
    models: { [MODEL]: model },
    budgets: [{ maxCost: 1, period: "day" }],
    budgetStore: store,
  });
  team.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
  team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });
  return team;
}

async function drain(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("a Redis budget store cut during a run", () => {
  it("keeps the cost of a call answered while Redis was down, and settles it once Redis is back", async () => {
    const model = new ScriptedModel({
      responses: () => {
        proxy.cut("hang"); // Redis goes away while the provider is answering
        return CALL;
      },
    });
    const team = await teamOverProxy("outage-settle", model, 300);
    const startedMs = performance.now();
    const stream = team.stream({ query: "q" });
    const events = await drain(stream);
    const result = await stream.result;
    expect(performance.now() - startedMs).toBeLessThan(3_000); // not the client's ~10 s of retries
    expect(model.calls).toHaveLength(1); // the writer's call was never made without a reservation
    expect(result.success).toBe(false);
    expect(BudgetStoreError.isInstance(result.error)).toBe(true);
    expect(result.error?.message).toMatch(
      /no answer to reserve within 300 ms \(commandTimeoutMs\)/,
    );
    expect(result.cost).toMatchObject({ totalUsd: 0.0003015, calls: 1 });
    const warning = events.find(
      (event) => event.type === "warning" && event.data.code === "budget_store_unavailable",
    );
    expect(warning?.data).toMatchObject({
      message: expect.stringContaining("could not record this call's $0.0003015"),
    });

    proxy.restore();
    await vi.waitFor(
      async () => {
        const [day] = await team.budgetStatus();
        expect(day?.spentUsd).toBe(0.0003015);
      },
      { timeout: 10_000, interval: 200 },
    );
    // Settled, not merely held: no reservation is left to expire later.
    const holds = await admin.hlen(`${prefix}{outage-settle:day:calendar}:holds`);
    expect(holds).toBe(0);
    expect(consoleErrors.filter((line) => line.includes("Unhandled error event"))).toEqual([]);
  }, 20_000);

  it("fails a run within commandTimeoutMs when Redis refuses connections, naming the cause", async () => {
    const model = new ScriptedModel({ responses: [CALL, CALL] });
    const team = await teamOverProxy("outage-refused", model, 400);
    proxy.cut("reset");
    const startedMs = performance.now();
    const result = await team.run({ query: "q" });
    expect(performance.now() - startedMs).toBeLessThan(2_000);
    expect(model.calls).toHaveLength(0);
    expect(result.error).toMatchObject({
      code: "budget_store_unavailable",
      operation: "reserve",
      timeoutMs: 400,
    });
    expect(result.error?.message).toMatch(/Last connection error: /);
    expect(consoleErrors.filter((line) => line.includes("Unhandled error event"))).toEqual([]);
  });

  it("lets a cancel interrupt the wait for a store that does not answer", async () => {
    const model = new ScriptedModel({ responses: [CALL, CALL] });
    const team = await teamOverProxy("outage-cancel", model, 10_000);
    proxy.cut("hang");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const startedMs = performance.now();
    const result = await team.run({ query: "q" }, { signal: controller.signal });
    expect(performance.now() - startedMs).toBeLessThan(2_000);
    expect(result.status).toBe("cancelled");
    expect(model.calls).toHaveLength(0);
  });
});
