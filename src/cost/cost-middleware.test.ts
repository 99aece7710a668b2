import type { LanguageModelV4 } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { ConfigError } from "../errors/config-error.js";
import type {
  CallContext,
  ModelCall,
  ModelRequest,
  ModelResponse,
} from "../providers/model-call.js";
import {
  Budget,
  BudgetExceededError,
  checkBudgetPricing,
  CostTracker,
  createCostMiddleware,
  DEFAULT_RESERVE_OUTPUT_TOKENS,
  ModelPricing,
  PricingRegistry,
  type CostMiddlewareOptions,
} from "./index.js";

interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

/** $1 per 1M input and $2 per 1M output: 1 token in = 1 µ$, 1 token out = 2 µ$. */
function pricing(): PricingRegistry {
  return new PricingRegistry({ catalog: false }).register(
    "test/model",
    ModelPricing.per1M({ input: 1, output: 2 }),
  );
}

function request(text: string, maxOutputTokens?: number, model = "test/model"): ModelRequest {
  return {
    model: { name: model, model: {} as LanguageModelV4 },
    prompt: [{ role: "user", content: [{ type: "text", text }] }],
    stream: false,
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
  };
}

function setup(options: Partial<CostMiddlewareOptions> = {}) {
  const clock = new FakeClock();
  const tracker = new CostTracker({ pricing: pricing(), clock });
  const events: RecordedEvent[] = [];
  const seen: ModelRequest[] = [];
  let answer: (request: ModelRequest) => Partial<ModelResponse> = () => ({});
  const provider: ModelCall = async (call) => {
    seen.push(call);
    const response = answer(call);
    return {
      text: "ok",
      toolCalls: [],
      finishReason: "stop",
      model: call.model.name,
      latencyMs: 1,
      usage: { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
      ...response,
    };
  };
  const call = createCostMiddleware({ tracker, ...options })(provider);
  const context = (runId = "run-1", agentId = "writer"): CallContext => ({
    signal: new AbortController().signal,
    clock,
    runId,
    agentId,
    events: { emit: (type, data) => void events.push({ type, data: data }) },
  });
  return {
    clock,
    tracker,
    events,
    seen,
    call,
    context,
    answers: (next: (request: ModelRequest) => Partial<ModelResponse>) => (answer = next),
    usage: (inputTokens: number, outputTokens: number) => ({
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    }),
  };
}

const of = (events: RecordedEvent[], type: string) =>
  events.filter((event) => event.type === type).map((event) => event.data);

describe("createCostMiddleware: tracking", () => {
  it("records each call and emits cost_update with the delta and the run total", async () => {
    const test = setup();
    test.tracker.startRun("run-1", "team");
    await test.call(request("hello"), test.context("run-1", "writer"));
    await test.call(request("again"), test.context("run-1", "orchestrator"));
    expect(of(test.events, "cost_update")).toEqual([
      {
        model: "test/model",
        deltaUsd: 0.0002,
        totalUsd: 0.0002,
        tokens: { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
      },
      {
        model: "test/model",
        deltaUsd: 0.0002,
        totalUsd: 0.0004,
        tokens: { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
      },
    ]);
    expect(test.tracker.endRun()).toMatchObject({
      totalUsd: 0.0004,
      byAgent: { writer: 0.0002, orchestrator: 0.0002 },
    });
  });

  it("marks an unpriced model in cost_update and warns once per run", async () => {
    const test = setup();
    await test.call(request("x", 10, "mystery/thing"), test.context());
    await test.call(request("x", 10, "mystery/thing"), test.context());
    expect(of(test.events, "cost_update")[0]).toMatchObject({
      model: "mystery/thing",
      deltaUsd: undefined,
      totalUsd: 0,
      unpriced: true,
    });
    expect(of(test.events, "warning")).toEqual([
      expect.objectContaining({ code: "unpriced_model" }),
    ]);
    expect(test.tracker.costOf("run-1")?.unpricedModels).toEqual(["mystery/thing"]);
  });
});

describe("createCostMiddleware: budgets", () => {
  it("does not make a call whose worst case does not fit, and says what was spent", async () => {
    // $0.001 = 1,000 µ$. Worst case of the call: ~12 input tokens + 2,000 output × 2 µ$ > 1,000 µ$.
    const test = setup({ budgets: [new Budget({ maxCost: 0.001 })] });
    const error = await test
      .call(request("hello", 2_000), test.context())
      .catch((caught: unknown) => caught);
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ spentUsd: 0, limitUsd: 0.001, period: "run" });
    expect((error as BudgetExceededError).requestedUsd).toBeGreaterThan(0.004);
    expect(test.seen).toHaveLength(0);
    expect(of(test.events, "budget_exceeded")).toEqual([
      {
        currentUsd: 0,
        maxUsd: 0.001,
        requestedUsd: (error as BudgetExceededError).requestedUsd,
        period: "run",
        remainingUsd: 0.001,
      },
    ]);
  });

  it("lets calls through while they fit, then stops the one that would overshoot", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 0.001 })] });
    test.answers(() => test.usage(100, 100)); // 300 µ$ per call; worst case ~ 12 + 200 × 2 = 412 µ$
    await test.call(request("hi", 200), test.context());
    await test.call(request("hi", 200), test.context());
    // 600 µ$ spent: a third call's worst case (412 µ$) would pass 1,000 µ$.
    await expect(test.call(request("hi", 200), test.context())).rejects.toThrow(
      BudgetExceededError,
    );
    expect(test.seen).toHaveLength(2);
    expect(test.tracker.costOf("run-1")?.totalUsd).toBe(0.0006);
  });

  it("sends a call without maxOutputTokens with the reservation's cap under a hard budget", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 100 })] });
    await test.call(request("hi"), test.context());
    expect(test.seen[0]?.maxOutputTokens).toBe(DEFAULT_RESERVE_OUTPUT_TOKENS);
    const soft = setup({ budgets: [new Budget({ maxCost: 100, hardLimit: false })] });
    await soft.call(request("hi"), soft.context());
    expect(soft.seen[0]?.maxOutputTokens).toBeUndefined();
  });

  it("releases the reservation when the call fails", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 0.0005 })] });
    test.answers(() => {
      throw new Error("provider down");
    });
    await expect(test.call(request("hi", 200), test.context())).rejects.toThrow("provider down");
    test.answers(() => test.usage(10, 10));
    await test.call(request("hi", 200), test.context()); // fits only if the failed call's 412 µ$ were released
    expect(test.seen).toHaveLength(2);
  });

  it("warns and goes on past a soft limit", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 0.0005, hardLimit: false })] });
    test.answers(() => test.usage(100, 100));
    for (let index = 0; index < 3; index++) await test.call(request("hi", 200), test.context());
    expect(test.seen).toHaveLength(3);
    expect(of(test.events, "warning")).toEqual([
      expect.objectContaining({ code: "budget_soft_limit" }),
    ]);
    expect(of(test.events, "budget_exceeded")).toEqual([]);
  });

  it("emits budget_alert once when spend crosses the threshold", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 0.01, alertThreshold: 0.5 })] });
    test.answers(() => test.usage(1_000, 0)); // 1,000 µ$ per call
    for (let index = 0; index < 8; index++) await test.call(request("hi", 10), test.context());
    expect(of(test.events, "budget_alert")).toEqual([
      { currentUsd: 0.005, maxUsd: 0.01, threshold: 0.5, period: "run", remainingUsd: 0.005 },
    ]);
  });

  it("gives each run its own run budget", async () => {
    const test = setup({ budgets: [new Budget({ maxCost: 0.0005 })] });
    test.answers(() => test.usage(100, 100));
    await test.call(request("hi", 100), test.context("run-1"));
    await expect(test.call(request("hi", 100), test.context("run-1"))).rejects.toThrow(
      BudgetExceededError,
    );
    await test.call(request("hi", 100), test.context("run-2"));
    expect(test.seen).toHaveLength(2);
  });

  it("refuses an unpriced model under a budget unless allowed", async () => {
    const strict = setup({ budgets: [new Budget({ maxCost: 1 })] });
    await expect(strict.call(request("hi", 10, "mystery/thing"), strict.context())).rejects.toThrow(
      ConfigError,
    );
    expect(strict.seen).toHaveLength(0);
    const lenient = setup({ budgets: [new Budget({ maxCost: 1 })], allowUnpriced: true });
    await lenient.call(request("hi", 10, "mystery/thing"), lenient.context());
    expect(lenient.seen).toHaveLength(1);
  });
});

describe("checkBudgetPricing", () => {
  it("fails at run start on an unpriced model under a budget, naming it", () => {
    const budgets = [new Budget({ maxCost: 1 })];
    expect(() =>
      checkBudgetPricing({ models: ["test/model", "mystery/thing"], pricing: pricing(), budgets }),
    ).toThrow(/"mystery\/thing" has no known price/);
    expect(
      checkBudgetPricing({
        models: ["test/model", "mystery/thing"],
        pricing: pricing(),
        budgets,
        allowUnpriced: true,
      }),
    ).toEqual(["mystery/thing"]);
    expect(
      checkBudgetPricing({ models: ["mystery/thing"], pricing: pricing(), budgets: [] }),
    ).toEqual(["mystery/thing"]);
  });
});
