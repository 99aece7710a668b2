import { describe, expect, it } from "vitest";
import {
  ConfigError,
  CostTracker,
  LLMTeam,
  ModelPricing,
  parseTeamText,
  PricingRegistry,
  type TeamConfig,
} from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

/** A team of two agents on two models of the `lab` provider, answering with `usage`. */
function labTeam(extra: string, models: Record<string, ScriptedModel>): LLMTeam {
  const config = parseTeamText(`
teamId: lab
providers:
  lab: { type: openai-compatible, baseURL: "http://127.0.0.1:9/v1"${extra.includes("PROVIDER_PRICE") ? ", pricing: { inputPer1M: 1, outputPer1M: 2 }" : ""} }
${extra.replace("PROVIDER_PRICE", "")}
agents:
  - { type: llm, role: triage, model: lab/small, prompt: "{query}" }
  - { type: llm, role: writer, model: lab/big-v2, prompt: "{query} {triage}" }
`);
  return LLMTeam.fromConfig(config, { models });
}

function scripted(): Record<string, ScriptedModel> {
  return {
    "lab/small": new ScriptedModel({ responses: [{ text: "a", usage }] }),
    "lab/big-v2": new ScriptedModel({ responses: [{ text: "b", usage }] }),
  };
}

describe("declared prices (pricing: in a team file, providers.<name>.pricing)", () => {
  it("prices models by name, prefix and provider, so a budget needs no allowUnpriced", async () => {
    const team = labTeam(
      `PROVIDER_PRICE
maxCostPerRun: 100
pricing:
  lab/big: { inputPer1k: 0.01, outputPer1k: 0.03, cachedInputPer1k: 0.005 }`,
      scripted(),
    );
    const result = await team.run({ query: "q" });

    expect(result.success).toBe(true);
    // triage: the provider's price ($1 + $2 per 1M); writer: lab/big prices lab/big-v2 ($10 + $30 per 1M).
    expect(result.cost.byAgent).toEqual({ triage: 3, writer: 40 });
    expect(result.cost.totalUsd).toBe(43);
    expect(result.cost.unpricedModels).toEqual([]);
    expect(team.costTracker.pricing.lookup("lab/big-v2")).toMatchObject({
      source: "registered",
      match: "prefix",
      matchedName: "lab/big",
    });
  });

  it("keeps declared prices in toConfig and registers them into a registry given at runtime", async () => {
    const pricing = new PricingRegistry();
    const config = {
      teamId: "lab",
      model: "lab/small",
      pricing: { "lab/small": { inputPer1M: 5, outputPer1M: 7 } },
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    } satisfies TeamConfig;
    const models = { "lab/small": new ScriptedModel({ responses: [{ text: "x", usage }] }) };
    const team = LLMTeam.fromConfig(config, { models, pricing });

    expect(pricing.calculateCost("lab/small", usage)).toBe(12);
    expect(team.toConfig().pricing).toEqual(config.pricing);
    expect((await team.run({ query: "q" })).cost.totalUsd).toBe(12);
  });

  it.each([
    [{ "lab/x": { inputPer1M: 1 } }, "pricing.lab/x: outputPer1k or outputPer1M is required."],
    [
      { "lab/x": { inputPer1M: 1, inputPer1k: 0.001, outputPer1M: 1 } },
      "inputPer1k and inputPer1M both given: give one.",
    ],
    [{ "lab/x": { inputPer1M: -1, outputPer1M: 1 } }, "inputPer1M must be >= 0."],
    [{ "lab/x": { input: 1, output: 2 } }, 'Unknown keys "input", "output" in a price.'],
    [{ "lab/x": "free" }, "pricing.lab/x"],
  ])("rejects an invalid price with a clear error: %j", (pricing, message) => {
    const build = () =>
      new LLMTeam({ teamId: "t", pricing: pricing as TeamConfig["pricing"], model: "lab/x" });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });

  it("rejects an invalid provider price in a team file, naming the line", () => {
    expect(() =>
      parseTeamText(`
teamId: t
providers:
  lab: { type: openai-compatible, baseURL: "http://x/v1", pricing: { inputPer1M: 1 } }
`),
    ).toThrow(/<team>:4:\d+ providers\.lab\.pricing: outputPer1k or outputPer1M is required\./);
  });
});

describe("price lookups respect the provider", () => {
  it("does not price a custom provider's model at the catalog's rate of a model named alike", async () => {
    const registry = new PricingRegistry();
    expect(registry.lookup("openai/gpt-4o-mini")?.matchedName).toBe("openai/gpt-4o-mini");
    expect(registry.lookup("gpt-4o-mini")?.matchedName).toBe("openai/gpt-4o-mini");
    expect(registry.lookup("lab/gpt-4o-mini")).toBeUndefined();

    const model = new ScriptedModel({ responses: [{ text: "x", usage }] });
    const team = new LLMTeam({
      teamId: "t",
      providers: { lab: { type: "openai-compatible", baseURL: "http://127.0.0.1:9/v1" } },
      model: "lab/gpt-4o-mini",
      models: { "lab/gpt-4o-mini": model },
      agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
    });
    const result = await team.run({ query: "q" });
    expect(result.cost.unpricedModels).toEqual(["lab/gpt-4o-mini"]);
    expect(result.cost.totalUsd).toBe(0);
    // Unknown, not $0: the agent is not in byAgent, and is named as unpriced.
    expect(result.cost.byAgent).toEqual({});
    expect(result.cost.unpricedAgents).toEqual(["writer"]);

    // Under a budget, the load-time check refuses the unpriced model before any call.
    expect(
      () =>
        new LLMTeam({
          teamId: "t",
          model: "lab/gpt-4o-mini",
          models: { "lab/gpt-4o-mini": new ScriptedModel({ responses: [] }) },
          maxCostPerRun: 1,
          agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
        }),
    ).toThrow(/Model "lab\/gpt-4o-mini" has no known price/);
  });
});

describe("PricingRegistry.register and CostTracker.recordUsage take plain data", () => {
  it("accepts a plain price object, checked at registration", () => {
    const registry = new PricingRegistry({ catalog: false });
    registry.register("lab/small", { inputPer1k: 0.001, outputPer1k: 0.002 });
    expect(registry.calculateCost("lab/small", { inputTokens: 1000, outputTokens: 1000 })).toBe(
      0.003,
    );
    expect(registry.lookup("lab/small")?.pricing).toBeInstanceOf(ModelPricing);
    expect(() => registry.register("lab/bad", { inputPer1k: 0.001 })).toThrow(
      'Invalid price of "lab/bad": outputPer1k or outputPer1M is required.',
    );
    expect(() => registry.register("lab/bad", 0.5 as unknown as ModelPricing)).toThrow(
      /must be a ModelPricing or an object such as \{ inputPer1k, outputPer1k \}, got number/,
    );
    expect(registry.has("lab/bad")).toBe(false);
  });

  it("records usage without totalTokens as input + output, not NaN", () => {
    const tracker = new CostTracker({ pricing: new PricingRegistry({ catalog: false }) });
    tracker.pricing.register("m", { inputPer1k: 1, outputPer1k: 1 });
    tracker.startRun("r");
    tracker.recordUsage("m", { inputTokens: 1000, outputTokens: 500 });
    tracker.recordUsage("m", { inputTokens: 10, outputTokens: 5 });
    const cost = tracker.endRun("r");
    expect(cost.tokens).toEqual({ inputTokens: 1010, outputTokens: 505, totalTokens: 1515 });
    expect(cost.totalUsd).toBe(1.515);
    tracker.startRun("r2");
    expect(() =>
      tracker.recordUsage("m", { inputTokens: Number.NaN, outputTokens: 1 }, { runId: "r2" }),
    ).toThrow("recordUsage: usage.inputTokens must be a number of tokens >= 0, got null.");
  });
});
