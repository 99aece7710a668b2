import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { MemoryBudgetStore } from "../src/store/index.js";

const MODEL = "openai/gpt-4o-mini"; // $0.15 in, $0.60 out per 1M tokens
/** 1,000 in + 1,000 out = 150 + 600 = 750 µ$ per call. */
const CALL = { text: "ok", usage: { inputTokens: 1_000, outputTokens: 1_000 } };

function team(model: ScriptedModel): LLMTeam {
  return new LLMTeam({
    teamId: "desk",
    model: MODEL,
    maxTokens: 1_000,
    maxCostPerRun: 0.01,
    budgets: [{ maxCost: 0.05, period: "day", alertThreshold: 0.02 }],
    budgetStore: new MemoryBudgetStore(),
    models: { [MODEL]: model },
    clock: new FakeClock(Date.UTC(2026, 9, 1, 12)),
    agents: [
      { type: "llm", role: "triage", prompt: "Classify {query}" },
      { type: "llm", role: "writer", prompt: "Reply to {query}: {triage}" },
    ],
  });
}

describe("team.remaining()", () => {
  it("gives what is left of the run budget of a run and of the period budgets", async () => {
    const built = team(new ScriptedModel({ responses: [CALL, CALL] }));
    const fresh = await built.remaining();
    expect(fresh).toMatchObject({
      remainingUsd: 0.01,
      run: [{ period: "run", runId: undefined, maxUsd: 0.01, spentUsd: 0, remainingUsd: 0.01 }],
      periods: [{ period: "day", key: "desk", maxUsd: 0.05, spentUsd: 0, remainingUsd: 0.05 }],
    });
    const result = await built.run("q");
    const after = await built.remaining({ runId: result.runId });
    expect(after.run[0]).toMatchObject({ spentUsd: 0.0015, remainingUsd: 0.0085, status: "ok" });
    expect(after.periods[0]).toMatchObject({ spentUsd: 0.0015, remainingUsd: 0.0485 });
    expect(after.remainingUsd).toBe(0.0085);
    // A new run starts with all of its run budget; the day's spend stays.
    expect((await built.remaining()).remainingUsd).toBe(0.01);
    expect((await built.budgetStatus())[0]!.remainingUsd).toBe(0.0485);
  });

  it("reads a run while it runs", async () => {
    const built = team(new ScriptedModel({ responses: [CALL, CALL] }));
    const stream = built.stream("q", { runId: "run-live" });
    const seen: number[] = [];
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      if (event.type === "agent_completed")
        seen.push((await built.remaining({ runId: "run-live" })).run[0]!.spentUsd);
    }
    expect(seen).toEqual([0.00075, 0.0015]);
  });

  it("names a run it does not know", async () => {
    const built = team(new ScriptedModel({ responses: [] }));
    await expect(built.remaining({ runId: "nope" })).rejects.toSatisfy(
      (error) => ConfigError.isInstance(error) && /No run "nope"/.test(String(error)),
    );
  });

  it("puts what is left in budget events", async () => {
    const built = team(new ScriptedModel({ responses: [CALL, CALL] }));
    const events: StreamEvent[] = [];
    const stream = built.stream("q");
    for await (const event of stream as AsyncIterable<StreamEvent>) events.push(event);
    const alerts = events.filter((event) => event.type === "budget_alert").map((e) => e.data);
    // The day budget alerts at 2% ($0.001): crossed by the second call.
    expect(alerts).toEqual([
      { currentUsd: 0.0015, maxUsd: 0.05, threshold: 0.02, period: "day", remainingUsd: 0.0485 },
    ]);
  });
});
