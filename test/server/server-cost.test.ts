import { afterEach, describe, expect, it, vi } from "vitest";
import type { LLMTeamOptions } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { body, closeOpened, get, post, pressTeam, serverWith } from "./support/server-fixtures.js";

afterEach(closeOpened);

const PRICED = {
  pricing: { "m/x": { inputPer1M: 10, outputPer1M: 20 } },
  budgets: [{ period: "day", maxCost: 5 }],
  maxCostPerRun: 2,
} satisfies Partial<LLMTeamOptions>;

describe("server cost and budgets", () => {
  it("answers a run's cost folded from its events: the result's cost, by agent and model, tokens", async () => {
    const model = new ScriptedModel({
      responses: [
        { text: "facts", usage: { inputTokens: 100, outputTokens: 10 } },
        { text: "draft", usage: { inputTokens: 200, outputTokens: 20 } },
      ],
    });
    const server = await serverWith(model, (store) => [pressTeam(store, model, PRICED)]);
    const result = await body(
      await server.fetch(post("/teams/press/runs?wait=true", { input: "tides" })),
    );
    const cost = await body(await server.fetch(get(`/runs/${result.runId}/cost`)));
    // 100 in × $10/M + 10 out × $20/M = $0.0012; 200 × … + 20 × … = $0.0024.
    expect(cost).toMatchObject({
      runId: result.runId,
      teamId: "press",
      status: "completed",
      live: false,
      totalUsd: 0.0036,
      byAgent: { research: 0.0012, draft: 0.0024 },
      byModel: { "m/x": 0.0036 },
      tokens: { inputTokens: 300, outputTokens: 30 },
      unpricedModels: [],
      calls: 2,
    });
    expect(cost.totalUsd).toBe(result.cost.totalUsd);
    expect(cost.byAgent).toEqual(result.cost.byAgent);
    expect(cost.endedAt).toBeGreaterThanOrEqual(cost.startedAt);
    expect((await server.fetch(get("/runs/run_nope/cost"))).status).toBe(404);
  });

  it("lists unpriced models instead of counting them as $0", async () => {
    const model = new ScriptedModel({ responses: ["facts", "draft"] });
    const server = await serverWith(model, (store) => [pressTeam(store, model)]);
    const result = await body(
      await server.fetch(post("/teams/press/runs?wait=true", { input: "tides" })),
    );
    const cost = await body(await server.fetch(get(`/runs/${result.runId}/cost`)));
    expect(cost).toMatchObject({
      totalUsd: 0,
      byAgent: {},
      unpricedModels: ["m/x"],
      unpricedAgents: ["research", "draft"],
    });
  });

  it("reads a live run's cost so far", async () => {
    const model = new ScriptedModel({
      responses: [{ text: "facts", usage: { inputTokens: 100, outputTokens: 10 } }],
    });
    const server = await serverWith(model, (store) => [
      pressTeam(store, model, {
        ...PRICED,
        agents: [
          { type: "llm", role: "research", prompt: "Research: {query}" },
          { type: "llm", role: "draft", prompt: "Draft: {research}", requiresApproval: true },
        ],
      }),
    ]);
    const started = await body(await server.fetch(post("/teams/press/runs", { input: "tides" })));
    await vi.waitFor(async () => {
      const approvals = await body(await server.fetch(get(`/runs/${started.runId}/approvals`)));
      expect(approvals.approvals).toHaveLength(1);
    });
    const cost = await body(await server.fetch(get(`/runs/${started.runId}/cost`)));
    expect(cost).toMatchObject({
      live: true,
      status: "waiting_approval",
      totalUsd: 0.0012,
      calls: 1,
    });
    expect(cost.endedAt).toBeUndefined();
    await server.fetch(post(`/runs/${started.runId}/cancel`));
  });

  it("answers a team's budgets as llmteam budget status does, and every team's at /budgets", async () => {
    const model = new ScriptedModel({
      responses: [
        { text: "facts", usage: { inputTokens: 100, outputTokens: 10 } },
        { text: "draft", usage: { inputTokens: 200, outputTokens: 20 } },
      ],
    });
    const server = await serverWith(model, (store) => [
      pressTeam(store, model, PRICED),
      pressTeam(store, model, { teamId: "free" }),
    ]);
    await server.fetch(post("/teams/press/runs?wait=true", { input: "tides" }));
    const budgets = await body(await server.fetch(get("/teams/press/budgets")));
    expect(budgets).toMatchObject({
      teamId: "press",
      remainingUsd: 2,
      periods: [
        {
          period: "day",
          key: "press",
          maxUsd: 5,
          spentUsd: 0.0036,
          reservedUsd: 0,
          remainingUsd: 4.9964,
          status: "ok",
          hardLimit: true,
        },
      ],
      run: [{ period: "run", maxUsd: 2, spentUsd: 0, remainingUsd: 2 }],
    });
    const day = budgets.periods[0];
    expect(day.windowEndMs).toBeGreaterThan(day.windowStartMs);
    const all = await body(await server.fetch(get("/budgets")));
    expect(all.teams).toEqual([
      expect.objectContaining({ teamId: "press" }),
      { teamId: "free", remainingUsd: null, periods: [], run: [] },
    ]);
    expect((await server.fetch(get("/teams/nope/budgets"))).status).toBe(404);
  });
});
