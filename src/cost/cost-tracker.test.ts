import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { CostTracker, ModelPricing, PricingRegistry } from "./index.js";

function usage(
  inputTokens: number,
  outputTokens: number,
  extra: { cachedInputTokens?: number } = {},
) {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, ...extra };
}

function tracker(): CostTracker {
  const pricing = new PricingRegistry({ catalog: false })
    .register("cheap", ModelPricing.per1k({ input: 0.1, output: 0.2 }))
    .register("dear", ModelPricing.per1M({ input: 3, output: 15, cachedInput: 0.3 }));
  return new CostTracker({ pricing, clock: new FakeClock() });
}

describe("CostTracker", () => {
  it("adds up a run by agent, by model and in tokens", () => {
    const costs = tracker();
    costs.startRun("run-1", "team-1");
    costs.recordUsage("cheap", usage(1000, 0), { agentId: "writer" });
    costs.recordUsage("dear", usage(10_000, 1_000, { cachedInputTokens: 8_000 }), {
      agentId: "orchestrator",
    });
    costs.recordUsage("cheap", usage(0, 1000), { agentId: "writer" });
    const cost = costs.endRun();
    // dear: 2,000 × 3 + 8,000 × 0.3 + 1,000 × 15 = 23,400 µ$
    expect(cost).toMatchObject({
      runId: "run-1",
      teamId: "team-1",
      totalUsd: 0.3234,
      byAgent: { writer: 0.3, orchestrator: 0.0234 },
      byModel: { cheap: 0.3, dear: 0.0234 },
      tokens: {
        inputTokens: 11_000,
        outputTokens: 2_000,
        totalTokens: 13_000,
        cachedInputTokens: 8_000,
      },
      unpricedModels: [],
      unpricedAgents: [],
      calls: 3,
    });
  });

  it("sums without float drift", () => {
    const costs = tracker();
    costs.startRun("run-1");
    for (let index = 0; index < 10; index++) costs.recordUsage("cheap", usage(1000, 0));
    expect(costs.currentCost).toBe(1); // ten float additions of 0.1 give 0.9999999999999999
  });

  it("counts the tokens of an unpriced model and names it, without inventing a cost", () => {
    const costs = tracker();
    costs.startRun("run-1");
    const first = costs.recordUsage("mystery", usage(100, 50), { agentId: "a" });
    const second = costs.recordUsage("mystery", usage(100, 50), { agentId: "a" });
    expect(first).toMatchObject({ costUsd: undefined, unpriced: true, newlyUnpriced: true });
    expect(second.newlyUnpriced).toBe(false);
    const cost = costs.endRun();
    expect(cost).toMatchObject({
      totalUsd: 0,
      unpricedModels: ["mystery"],
      tokens: { totalTokens: 300 },
      byModel: {},
    });
  });

  it("keeps concurrent runs apart and asks for the run id when several are active", () => {
    const costs = tracker();
    costs.startRun("a");
    costs.startRun("b");
    expect(() => costs.recordUsage("cheap", usage(1000, 0))).toThrow(/Several runs are active/);
    costs.recordUsage("cheap", usage(1000, 0), { runId: "a" });
    costs.recordUsage("cheap", usage(2000, 0), { runId: "b" });
    expect(costs.costOf("a")?.totalUsd).toBe(0.1);
    expect(costs.endRun("b").totalUsd).toBe(0.2);
    expect(costs.endRun().totalUsd).toBe(0.1);
    expect(costs.history.map((run) => run.runId)).toEqual(["b", "a"]);
    expect(() => costs.endRun("a")).toThrow(/not active/);
  });

  it("keeps at most historyLimit ended runs", () => {
    const costs = new CostTracker({ historyLimit: 2 });
    for (const runId of ["1", "2", "3"]) {
      costs.startRun(runId);
      costs.endRun(runId);
    }
    expect(costs.history.map((run) => run.runId)).toEqual(["2", "3"]);
  });

  it("counts an attached run through its live cost, pricing calls without counting them twice", () => {
    const costs = tracker();
    costs.startRun("run-1", "team-1");
    const live = {
      runId: "run-1",
      teamId: "team-1",
      totalUsd: 0.5,
      byAgent: { writer: 0.5 },
      byModel: { dear: 0.5 },
      tokens: usage(10, 5),
      unpricedModels: [],
      unpricedAgents: [],
      calls: 1,
      startedAt: 0,
    };
    costs.attachRun("run-1", live);
    const record = costs.recordUsage("dear", usage(1_000_000, 0), {
      runId: "run-1",
      agentId: "writer",
    });
    // Priced and reported with the run's total after the call; the live cost itself is its owner's to update.
    expect(record).toMatchObject({ costUsd: 3, runTotalUsd: 3.5, unpriced: false });
    expect(costs.spentNano("run-1")).toBe(500_000_000);
    expect(costs.currentCost).toBe(0.5);
    live.totalUsd = 3.5;
    expect(costs.costOf("run-1")).toMatchObject({
      totalUsd: 3.5,
      byAgent: { writer: 0.5 },
      calls: 1,
    });
    expect(costs.costOf("run-1")).not.toBe(live);
    const ended = costs.endRun("run-1");
    expect(ended).toMatchObject({ totalUsd: 3.5, tokens: usage(10, 5) });
    expect(typeof ended.endedAt).toBe("number");
    expect(costs.history).toEqual([ended]);
  });

  it("warns once per unpriced model in an attached run, and attaches only a run with nothing counted", () => {
    const costs = tracker();
    costs.startRun("run-1");
    const live = {
      runId: "run-1",
      teamId: "t",
      totalUsd: 0,
      byAgent: {},
      byModel: {},
      tokens: usage(0, 0),
      unpricedModels: [],
      unpricedAgents: [],
      calls: 0,
      startedAt: 0,
    };
    costs.attachRun("run-1", live);
    expect(costs.recordUsage("mystery/model", usage(1, 1), { runId: "run-1" }).newlyUnpriced).toBe(
      true,
    );
    expect(costs.recordUsage("mystery/model", usage(1, 1), { runId: "run-1" }).newlyUnpriced).toBe(
      false,
    );

    costs.startRun("run-2");
    costs.recordUsage("cheap", usage(1000, 0), { runId: "run-2" });
    costs.attachRun("run-2", { ...live, runId: "run-2" });
    expect(costs.costOf("run-2")).toMatchObject({ totalUsd: 0.1, calls: 1 });
  });
});
