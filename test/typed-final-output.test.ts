import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod";
import { ConfigurationProposal, LLMTeam, type AgentConfig, type RunResult } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const triage = z.object({
  category: z.enum(["billing", "technical"]),
  confidence: z.number().min(0).max(1),
  priority: z.enum(["low", "normal", "high"]).default("normal"),
});
type Triage = z.output<typeof triage>;

function typedTeam(responses: ConstructorParameters<typeof ScriptedModel>[0]["responses"]) {
  return new LLMTeam({
    teamId: "support",
    model: "test/model",
    models: { "test/model": new ScriptedModel({ responses }) },
    agents: [
      { type: "llm", role: "reader", prompt: "Summarise: {query}" },
      { type: "llm", role: "triage", prompt: "Classify: {reader}", outputSchema: triage },
    ],
  });
}

describe("finalOutput typed by the last agent's zod outputSchema", () => {
  it("types a sequential team's result by the schema's output, and the value matches it", async () => {
    const team = typedTeam([
      "An invoice was charged twice.",
      { object: { category: "billing", confidence: 0.9 } },
    ]);
    expectTypeOf(team).toEqualTypeOf<LLMTeam<Triage>>();
    const result = await team.run({ query: "I was charged twice" });
    expectTypeOf(result).toEqualTypeOf<RunResult<Triage>>();
    expect(result.success).toBe(true);
    if (!result.success) return;
    expectTypeOf(result.finalOutput).toEqualTypeOf<Triage>();
    // The schema's output type: the default is filled in, as the type says.
    expect(result.finalOutput).toEqual({
      category: "billing",
      confidence: 0.9,
      priority: "normal",
    });
    expect(triage.strict().parse(result.finalOutput)).toEqual(result.finalOutput);
  });

  it("types stream().result and start().result the same way", async () => {
    const team = typedTeam([
      "first",
      { object: { category: "technical", confidence: 0.5, priority: "high" } },
      "second",
      { object: { category: "billing", confidence: 0.1 } },
    ]);
    const streamed = await team.stream({ query: "q" }).result;
    expectTypeOf(streamed).toEqualTypeOf<RunResult<Triage>>();
    expect(streamed.success && streamed.finalOutput.priority).toBe("high");
    const handled = await team.start({ query: "q" }).result;
    expectTypeOf(handled).toEqualTypeOf<RunResult<Triage>>();
    expect(handled.success && handled.finalOutput.category).toBe("billing");
  });

  it("leaves a failed run's finalOutput unknown: it is an earlier agent's output", async () => {
    const team = typedTeam((call) => (call.index === 0 ? "the summary" : "not JSON"));
    const result = await team.run({ query: "q" });
    expect(result.success).toBe(false);
    if (result.success) return;
    expectTypeOf(result.finalOutput).toBeUnknown();
    expect(result.finalOutput).toBe("the summary");
  });
});

describe("finalOutput stays unknown when TypeScript cannot know it", () => {
  const model = new ScriptedModel({ responses: [] });
  const base = { teamId: "t", model: "test/model", models: { "test/model": model } };

  it("for a JSON Schema outputSchema", () => {
    const team = new LLMTeam({
      ...base,
      agents: [
        {
          type: "llm",
          role: "triage",
          prompt: "{query}",
          outputSchema: { type: "object", properties: { category: { type: "string" } } },
        },
      ],
    });
    expectTypeOf(team).toEqualTypeOf<LLMTeam>();
    expectTypeOf<ReturnType<typeof team.run>>().toEqualTypeOf<Promise<RunResult>>();
  });

  it("for a chain or graph flow and for the router, where the last listed agent may not answer", () => {
    const chain = new LLMTeam({
      ...base,
      flow: "b -> a",
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        { type: "llm", role: "b", prompt: "{query}", outputSchema: triage },
      ],
    });
    expectTypeOf(chain).toEqualTypeOf<LLMTeam>();
    const router = new LLMTeam({
      ...base,
      orchestration: true,
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        { type: "llm", role: "b", prompt: "{query}", outputSchema: triage },
      ],
    });
    expectTypeOf(router).toEqualTypeOf<LLMTeam>();
  });

  it("for agents given as an AgentConfig[] (its last element is not known)", () => {
    const agents: AgentConfig[] = [
      { type: "llm", role: "b", prompt: "{query}", outputSchema: triage },
    ];
    expectTypeOf(new LLMTeam({ ...base, agents })).toEqualTypeOf<LLMTeam>();
  });
});

describe("a zod outputSchema through toConfig()", () => {
  const answers = () => [
    "An invoice was charged twice.",
    { object: { category: "billing", confidence: 0.9 } },
  ];

  it("stays the zod schema, so a team rebuilt from toConfig() still parses with it", async () => {
    const team = typedTeam([]);
    const config = team.toConfig();
    expect(config.agents![1]!.outputSchema).toBe(triage);
    const rebuilt = LLMTeam.fromConfig(config, {
      models: { "test/model": new ScriptedModel({ responses: answers() }) },
    });
    const result = await rebuilt.run({ query: "I was charged twice" });
    // The default is zod's: read as a JSON Schema, the copy would leave `priority` out.
    expect(result.success && result.finalOutput).toEqual({
      category: "billing",
      confidence: 0.9,
      priority: "normal",
    });
  });

  it("stays the zod schema when configuration proposals are applied", async () => {
    const team = typedTeam(answers());
    team.lifecycle
      .addProposal(
        new ConfigurationProposal({
          proposalId: "p-1",
          reason: "shorter answers",
          changes: [{ op: "updateAgent", agentId: "reader", set: { maxTokens: 200 } }],
        }),
      )
      .approve()
      .apply();
    expect(team.configVersion).toBe(2);
    expect(team.getAgent("triage")!.outputSchema).toBe(triage);
    const result = await team.run({ query: "I was charged twice" });
    expect(result.success && result.finalOutput).toEqual({
      category: "billing",
      confidence: 0.9,
      priority: "normal",
    });
  });
});
