import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type LLMTeamOptions, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { BudgetExceededError, ModelPricing, PricingRegistry } from "../src/cost/index.js";
import { MemoryBudgetStore } from "../src/store/index.js";

const MODEL = "openai/gpt-4o-mini"; // catalog price: $0.15 in, $0.60 out per 1M tokens

/** 10 in + 500 out tokens = 1.5 + 300 = 301.5 µ$ per call. */
const CALL = { text: "ok", usage: { inputTokens: 10, outputTokens: 500 } };

function team(model: ScriptedModel, options: Partial<LLMTeamOptions> = {}): LLMTeam {
  const built = new LLMTeam({
    teamId: "support",
    model: MODEL,
    maxTokens: 500,
    models: { [MODEL]: model },
    clock: new FakeClock(Date.UTC(2026, 9, 1)),
    ...options,
  });
  built.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
  built.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });
  return built;
}

describe("a team's cost", () => {
  it("is in every result, per agent and model, at the catalog's real prices", async () => {
    const model = new ScriptedModel({
      responses: [
        CALL,
        { text: "done", usage: { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400 } },
      ],
    });
    const result = await team(model).run({ query: "q" });
    // writer: 600 × 0.15 + 400 × 0.075 + 100 × 0.6 = 180 µ$
    expect(result.cost).toMatchObject({
      totalUsd: 0.0004815,
      byAgent: { triage: 0.0003015, writer: 0.00018 },
      byModel: { [MODEL]: 0.0004815 },
      unpricedModels: [],
      calls: 2,
    });
    expect(result.cost.tokens).toEqual(result.usage);
  });

  it("counts every call in the team's tracker and its history", async () => {
    const built = team(new ScriptedModel({ responses: [CALL, CALL] }));
    const result = await built.run({ query: "q" });
    expect(built.costTracker.history.at(-1)).toMatchObject({
      runId: result.runId,
      totalUsd: 0.000603,
    });
  });

  it("is the same in the tracker, with or without budgets, and the tracker sees it during the run", async () => {
    const seen: (number | undefined)[] = [];
    const runs = [];
    for (const options of [{}, { maxCostPerRun: 1 }]) {
      const built = team(new ScriptedModel({ responses: [CALL, CALL] }), options);
      // Between the two calls, what the tracker says the run has spent so far.
      const stream = built.stream({ query: "q" }, { runId: "run-1" });
      for await (const event of stream)
        if (event.type === "agent_started")
          seen.push(built.costTracker.costOf(stream.runId)?.totalUsd);
      const result = await stream.result;
      const {
        endedAt: _ended,
        startedAt: _started,
        ...inTracker
      } = built.costTracker.history.at(-1)!;
      const { endedAt: _end, startedAt: _start, ...inResult } = result.cost;
      expect(inTracker).toEqual(inResult);
      runs.push(inResult);
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(seen).toEqual([0, 0.0003015, 0, 0.0003015]);
  });
});

describe("maxCostPerRun", () => {
  it("stops the run before the call that would overshoot, saying what was spent", async () => {
    const model = new ScriptedModel({ responses: [CALL, CALL] });
    const stream = team(model, { maxCostPerRun: 0.0005 }).stream({ query: "q" });
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const result = await stream.result;
    expect(model.calls).toHaveLength(1); // the writer's call was never made
    expect(result.status).toBe("budget_exceeded");
    expect(result.failedAgent).toBe("writer");
    expect(BudgetExceededError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({ spentUsd: 0.0003015, limitUsd: 0.0005 });
    expect(result.cost.totalUsd).toBe(0.0003015);
    expect(events.find((event) => event.type === "budget_exceeded")?.data).toMatchObject({
      currentUsd: 0.0003015,
      maxUsd: 0.0005,
      period: "run",
    });
  });

  it("alerts once through team.budgetManager.onAlert and a budget_alert event", async () => {
    const model = new ScriptedModel({ responses: [CALL, CALL] });
    const built = team(model, { maxCostPerRun: 0.0007, allowUnpriced: false });
    const alerts: number[] = [];
    built.budgetManager!.onAlert(({ currentUsd }) => alerts.push(currentUsd));
    const stream = built.stream({ query: "q" });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect((await stream.result).success).toBe(true);
    expect(alerts).toEqual([0.000603]); // 603 µ$ ≥ 80% of 700 µ$, after the second call
    expect(types.filter((type) => type === "budget_alert")).toHaveLength(1);
  });

  it("is an error at run start for an unpriced model, unless allowed", async () => {
    const local = "mystery/llama";
    const options = {
      model: local,
      models: { [local]: new ScriptedModel({ responses: [CALL, CALL] }) },
      maxCostPerRun: 1,
    };
    await expect(
      team(new ScriptedModel({ responses: [] }), options).run({ query: "q" }),
    ).rejects.toThrow(ConfigError);
    const allowed = await team(new ScriptedModel({ responses: [] }), {
      ...options,
      allowUnpriced: true,
      models: { [local]: new ScriptedModel({ responses: [CALL, CALL] }) },
    }).run({ query: "q" });
    expect(allowed.success).toBe(true);
    expect(allowed.cost).toMatchObject({ totalUsd: 0, unpricedModels: [local] });
  });

  it("uses prices registered on the team's registry", async () => {
    const pricing = new PricingRegistry().register(
      "local/",
      ModelPricing.per1M({ input: 0, output: 1 }),
    );
    const options = {
      model: "local/llama",
      models: { "local/llama": new ScriptedModel({ responses: [CALL, CALL] }) },
      maxCostPerRun: 1,
      pricing,
    };
    const result = await team(new ScriptedModel({ responses: [] }), options).run({ query: "q" });
    expect(result.cost.totalUsd).toBe(0.001);
  });
});

describe("period budgets", () => {
  it("are shared by the runs of a team and reported by budgetStatus()", async () => {
    const model = new ScriptedModel({ responses: [CALL, CALL, CALL, CALL] });
    const built = team(model, {
      budgets: [{ maxCost: 0.001, period: "day" }],
      budgetStore: new MemoryBudgetStore(),
    });
    expect((await built.run({ query: "first" })).success).toBe(true); // 603 µ$
    const second = await built.run({ query: "second" });
    expect(second.status).toBe("budget_exceeded");
    expect(model.calls).toHaveLength(3);
    const [day] = await built.budgetStatus();
    expect(day).toMatchObject({
      period: "day",
      key: "support",
      spentUsd: 0.0009045,
      maxUsd: 0.001,
      status: "alert",
    });
  });

  it("hold under concurrent runs", async () => {
    const model = new ScriptedModel({ responses: Array.from({ length: 40 }, () => CALL) });
    const built = team(model, { budgets: [{ maxCost: 0.002, period: "hour", window: "rolling" }] });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => built.run({ query: `q${index}` })),
    );
    const spent = results.reduce((sum, result) => sum + Math.round(result.cost.totalUsd * 1e9), 0);
    expect(spent).toBeLessThanOrEqual(2_000_000);
    expect(results.filter((result) => result.status === "budget_exceeded").length).toBeGreaterThan(
      0,
    );
    const [hour] = await built.budgetStatus();
    expect(Math.round(hour!.spentUsd * 1e9)).toBe(spent);
  });

  it("are validated with the team's configuration", () => {
    expect(() =>
      team(new ScriptedModel({ responses: [] }), {
        budgets: [{ maxCost: 1, period: "week" as "day" }],
      }),
    ).toThrow(/Unknown period "week". Valid: run, hour, day, month/);
  });
});

describe("a run budget narrower than a fan-out", () => {
  it("starts no further agent after a refusal, but lets the calls in flight finish and count", async () => {
    // Each parallel call reserves ~10 in + 10,000 out tokens ≈ $0.006; the budget fits two.
    const model = new ScriptedModel({ responses: () => ({ ...CALL, delayMs: 50 }) });
    const built = new LLMTeam({
      teamId: "fan-out",
      model: MODEL,
      maxTokens: 10_000,
      maxCostPerRun: 0.013,
      models: { [MODEL]: model },
      flow: "a -> b, c, d -> e",
    });
    for (const role of ["a", "b", "c", "d"])
      built.addAgent({ type: "llm", role, prompt: `${role}: {query}` });
    built.addAgent({ type: "llm", role: "e", prompt: "e: {b} {c} {d}" });
    const result = await built.run({ query: "q" });
    expect(result.status).toBe("budget_exceeded");
    expect(model.calls).toHaveLength(3); // a, then two of b, c, d; the third was refused
    const finished = result.agentResults.filter((agent) => agent.success).map((a) => a.agentId);
    expect(finished).toHaveLength(3);
    expect(result.agentsCalled).not.toContain("e");
    expect(result.cost).toMatchObject({ calls: 3, totalUsd: 0.0009045 });
  });
});
