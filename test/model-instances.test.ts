import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, PricingRegistry, type StreamEvent } from "llmteam";
import { ScriptedModel, type ScriptedResponse } from "llmteam/testing";

const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
// gpt-4o-mini in the bundled catalog: $0.15 in, $0.60 out per 1M tokens.
const GPT_4O_MINI = new PricingRegistry().calculateCost("openai/gpt-4o-mini", usage)!;

/** A model instance as `@ai-sdk/openai` makes them: provider `openai.chat`, model id `gpt-4o-mini`. */
function openaiLike(responses: ScriptedResponse[], provider = "openai.chat"): ScriptedModel {
  return new ScriptedModel({ responses, provider, modelId: "gpt-4o-mini" });
}

async function events(team: LLMTeam): Promise<StreamEvent[]> {
  const stream = team.stream({ query: "q" });
  const seen: StreamEvent[] = [];
  for await (const event of stream as AsyncIterable<StreamEvent>) seen.push(event);
  await stream.result;
  return seen;
}

describe("a model instance given where a model name is accepted", () => {
  it("as an agent's model: named provider/modelId, priced by the catalog, written so by toConfig", async () => {
    const model = openaiLike([{ text: "hi", usage }]);
    const team = new LLMTeam({ teamId: "t", maxCostPerRun: 10 });
    team.addAgent({ type: "llm", role: "writer", prompt: "{query}", model });
    const seen = await events(team);

    expect(model.callsMade).toBe(1);
    const started = seen.find((event) => event.type === "agent_started");
    expect(started?.type === "agent_started" && started.data.model).toBe("openai/gpt-4o-mini");
    const cost = seen.find((event) => event.type === "cost_update");
    expect(cost?.type === "cost_update" && cost.data.deltaUsd).toBe(GPT_4O_MINI);
    expect(team.toConfig().agents?.[0]?.model).toBe("openai/gpt-4o-mini");
  });

  it("as the team's model, the default model and fallback models", async () => {
    const primary = openaiLike([{ httpError: { status: 503, message: "down" } }]);
    const backup = new ScriptedModel({
      responses: [{ text: "from backup", usage }],
      provider: "anthropic.messages",
      modelId: "claude-3-5-haiku-20241022",
    });
    const team = new LLMTeam({
      teamId: "t",
      model: [primary, backup],
      retryPolicy: false,
      agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
    });
    const result = await team.run({ query: "q" });
    expect(result.finalOutput).toBe("from backup");
    expect(result.agentResults[0]!.model).toBe("anthropic/claude-3-5-haiku-20241022");
    expect(result.cost.byModel).toEqual({
      "anthropic/claude-3-5-haiku-20241022": new PricingRegistry().calculateCost(
        "anthropic/claude-3-5-haiku-20241022",
        usage,
      ),
    });
    expect(team.toConfig().model).toEqual([
      "openai/gpt-4o-mini",
      "anthropic/claude-3-5-haiku-20241022",
    ]);

    const viaDefault = new LLMTeam({
      teamId: "d",
      defaultModel: openaiLike([{ text: "ok", usage }]),
      agents: [
        {
          type: "llm",
          role: "writer",
          prompt: "{query}",
          model: openaiLike([{ httpError: { status: 503 } }], "azure.chat"),
          fallbackModels: [openaiLike([{ text: "fallback", usage }])],
          retryPolicy: false,
        },
        { type: "llm", role: "second", prompt: "{writer}" },
      ],
    });
    const both = await viaDefault.run({ query: "q" });
    expect(both.output).toEqual({ writer: "fallback", second: "ok" });
    // Two instances share provider/modelId: the second one is named with @2.
    expect(both.agentResults.map((agent) => agent.model)).toEqual([
      "openai/gpt-4o-mini@2",
      "openai/gpt-4o-mini",
    ]);
    expect(both.cost.totalUsd).toBeCloseTo(2 * GPT_4O_MINI, 12);
  });

  it("as the router's orchestrator model", async () => {
    const boss = new ScriptedModel({
      provider: "openai.responses",
      modelId: "gpt-4o-mini",
      responses: [
        { object: { nextAgent: "writer", reason: "r", done: false }, usage },
        { object: { nextAgent: "", reason: "done", done: true }, usage },
      ],
    });
    const worker = new ScriptedModel({ responses: [{ text: "answer", usage }] });
    const team = new LLMTeam({
      teamId: "desk",
      model: worker,
      orchestration: true,
      orchestrator: { model: boss },
      allowUnpriced: true,
      agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
    });
    const result = await team.run({ query: "q" });
    expect(result.success).toBe(true);
    expect(boss.callsMade).toBe(2);
    expect(result.cost.byAgent._orchestrator).toBeCloseTo(2 * GPT_4O_MINI, 12);
    expect(result.cost.unpricedModels).toEqual(["scripted/scripted"]);
    expect(team.toConfig().orchestrator?.model).toBe("openai/gpt-4o-mini");
  });

  it("of a custom provider is not priced as the catalog model named alike, unless prices are declared", async () => {
    const lab = () => openaiLike([{ text: "x", usage }], "lab.chat");
    const unpriced = new LLMTeam({
      teamId: "t",
      model: lab(),
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    });
    const first = await unpriced.run({ query: "q" });
    expect(first.cost.unpricedModels).toEqual(["lab/gpt-4o-mini"]);

    const priced = new LLMTeam({
      teamId: "t",
      model: lab(),
      pricing: { "lab/gpt-4o-mini": { inputPer1M: 0.01, outputPer1M: 0.02 } },
      maxCostPerRun: 1,
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    });
    expect((await priced.run({ query: "q" })).cost.totalUsd).toBeCloseTo(0.03, 12);
  });

  it("is inherited by a nested team through the default model", async () => {
    const model = openaiLike([
      { text: "inner", usage },
      { text: "outer", usage },
    ]);
    const team = new LLMTeam({
      teamId: "outer",
      model,
      agents: [
        {
          type: "team",
          role: "inner",
          team: { teamId: "inner", agents: [{ type: "llm", role: "a", prompt: "{query}" }] },
        },
        { type: "llm", role: "b", prompt: "{inner}" },
      ],
    });
    const result = await team.run({ query: "q" });
    expect(result.output).toEqual({ inner: "inner", b: "outer" });
    expect(model.callsMade).toBe(2);
  });

  it("rejects an object that is not an AI SDK v4 model when it is given", () => {
    const old = { specificationVersion: "v2", provider: "x", modelId: "y", doGenerate: () => 0 };
    const team = new LLMTeam({ teamId: "t" });
    expect(() =>
      team.addAgent({ type: "llm", role: "a", prompt: "p", model: old as never }),
    ).toThrow(ConfigError);
    expect(() =>
      team.addAgent({ type: "llm", role: "a", prompt: "p", model: old as never }),
    ).toThrow(/not an AI SDK language model of specification v4 \(got specification "v2"\)/);
    expect(() =>
      team.addAgent({ type: "llm", role: "a", prompt: "p", model: { id: 1 } as never }),
    ).toThrow(/model must be "provider\/model", an AI SDK language model, or a list of them/);
  });
});
