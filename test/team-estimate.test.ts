import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const MODEL = "openai/gpt-4o-mini"; // catalog: $0.15 in, $0.60 out per 1M tokens
const QUERY = "How do I brew good coffee?";
/** Framing of a one-message request: 3 per request, 4 per message. */
const FRAMING = 7;

function team(extra: Partial<ConstructorParameters<typeof LLMTeam>[0]> = {}): LLMTeam {
  return new LLMTeam({
    teamId: "support",
    model: MODEL,
    maxTokens: 500,
    models: { [MODEL]: new ScriptedModel({ responses: [] }) },
    agents: [
      { type: "llm", role: "triage", prompt: "Classify: {query}" },
      { type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" },
    ],
    ...extra,
  });
}

describe("team.estimate()", () => {
  it("counts prompt tokens with the model's tokenizer and prices the bounds", async () => {
    const estimate = await team().estimate({ query: QUERY });
    const triageIn = countTokens(`Classify: ${QUERY}`) + FRAMING;
    const writerIn = countTokens(`Reply to ${QUERY} ()`) + FRAMING;
    const [triage, writer] = estimate.agents;
    expect(triage).toMatchObject({
      agentId: "triage",
      model: MODEL,
      tokenizer: "o200k_base",
      runs: { min: 1, max: 1 },
      calls: { min: 1, max: 1 },
      inputTokens: { min: triageIn, max: triageIn },
      outputTokens: { min: 1, max: 500 },
      unpricedModels: [],
    });
    // The writer reads the triage's output: at most its 500-token cap.
    expect(writer!.inputTokens).toEqual({ min: writerIn, max: writerIn + 500 });
    const price = (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6;
    expect(triage!.minUsd).toBeCloseTo(price(triageIn, 1), 12);
    expect(triage!.maxUsd).toBeCloseTo(price(triageIn, 500), 12);
    expect(estimate.maxUsd).toBeCloseTo(price(triageIn, 500) + price(writerIn + 500, 500), 12);
    expect(estimate.minUsd).toBeCloseTo(price(triageIn, 1) + price(writerIn, 1), 12);
    expect(estimate).toMatchObject({ mode: "sequential", complete: true, unpricedModels: [] });
  });

  it("flags a model without a price and never counts it as $0", async () => {
    const estimate = await new LLMTeam({
      teamId: "lab",
      model: "lab/qwen",
      models: { "lab/qwen": new ScriptedModel({ responses: [] }) },
      agents: [{ type: "llm", role: "writer", prompt: "Write about {query}", maxTokens: 100 }],
    }).estimate(QUERY);
    expect(estimate.agents[0]).toMatchObject({
      tokenizer: "approximate",
      minUsd: undefined,
      maxUsd: undefined,
      unpricedModels: ["lab/qwen"],
    });
    expect(estimate).toMatchObject({ complete: false, unpricedModels: ["lab/qwen"] });
    expect(estimate.assumptions.join("\n")).toContain("approximate");
    // Approximate counts are a range: bytes / 5 to bytes / 3.
    const bytes = Buffer.byteLength(`Write about ${QUERY}`);
    expect(estimate.agents[0]!.inputTokens).toEqual({
      min: Math.ceil(bytes / 5) + FRAMING,
      max: Math.ceil(bytes / 3) + FRAMING,
    });
  });

  it("bounds tool rounds, structured-output repair and a missing output cap", async () => {
    const estimate = await new LLMTeam({
      teamId: "tools",
      model: MODEL,
      models: { [MODEL]: new ScriptedModel({ responses: [] }) },
      agents: [
        {
          type: "llm",
          role: "finder",
          prompt: "Find {query}",
          tools: ["calculator"],
          maxToolRounds: 2,
        },
        {
          type: "llm",
          role: "judge",
          prompt: "Judge {finder}",
          maxTokens: 50,
          outputSchema: {
            type: "object",
            properties: { ok: { type: "boolean" } },
            required: ["ok"],
          },
        },
      ],
    }).estimate(QUERY, { toolResultTokens: 300 });
    const [finder, judge] = estimate.agents;
    // 2 tool rounds: 3 calls, each answering at most 4,096 tokens (no maxTokens: assumed).
    expect(finder!.calls).toEqual({ min: 1, max: 3 });
    expect(finder!.outputTokens.max).toBe(3 * 4_096);
    // Each call repeats the prompt (with the tool definitions); round k adds k answers and results.
    expect(finder!.inputTokens.max).toBe(3 * finder!.inputTokens.min + (4_096 + 300) * (1 + 2));
    expect(judge!.calls).toEqual({ min: 1, max: 2 });
    expect(judge!.outputTokens.max).toBe(100);
    expect(estimate.assumptions.join("\n")).toMatch(/4,096 output tokens/);
    expect(estimate.assumptions.join("\n")).toMatch(/300 tokens a tool round/);
  });

  it("multiplies a loop's region by maxIterations and makes conditional agents optional", async () => {
    const estimate = await new LLMTeam({
      teamId: "newsroom",
      model: MODEL,
      maxTokens: 100,
      models: { [MODEL]: new ScriptedModel({ responses: [] }) },
      flow: {
        edges: [
          { from: "writer", to: "editor" },
          { from: "editor", to: "writer", when: "not editor.approved", maxIterations: 3 },
          { from: "editor", to: "publisher", when: "editor.approved" },
        ],
      },
      agents: [
        { type: "llm", role: "writer", prompt: "Write {query}. Notes: {editor.notes?}" },
        {
          type: "llm",
          role: "editor",
          prompt: "Review {writer}",
          outputSchema: {
            type: "object",
            properties: { approved: { type: "boolean" }, notes: { type: "string" } },
            required: ["approved", "notes"],
          },
        },
        { type: "llm", role: "publisher", prompt: "Publish {writer}" },
      ],
    }).estimate(QUERY);
    const runs = Object.fromEntries(estimate.agents.map((row) => [row.agentId, row.runs]));
    expect(runs).toEqual({
      writer: { min: 1, max: 3 },
      editor: { min: 1, max: 3 },
      publisher: { min: 0, max: 3 },
    });
    expect(estimate.agents[2]!.minUsd).toBe(0);
    expect(estimate.mode).toBe("graph");
  });

  it("bounds a router by maxIterations and counts the orchestrator", async () => {
    const estimate = await new LLMTeam({
      teamId: "analysts",
      model: MODEL,
      maxTokens: 100,
      models: { [MODEL]: new ScriptedModel({ responses: [] }) },
      orchestration: true,
      orchestrator: { maxIterations: 4 },
      agents: [
        { type: "llm", role: "researcher", prompt: "Research {query}" },
        { type: "llm", role: "writer", prompt: "Write {query} from {researcher?}" },
      ],
    }).estimate(QUERY);
    const orchestrator = estimate.agents.at(-1)!;
    expect(orchestrator).toMatchObject({ agentId: "_orchestrator", kind: "orchestrator" });
    expect(orchestrator.calls.max).toBe(10); // 5 decisions, each possibly asked twice
    const dearest = Math.max(...estimate.agents.slice(0, 2).map((row) => row.maxUsd! / 4));
    expect(estimate.maxUsd).toBeCloseTo(4 * dearest + orchestrator.maxUsd!, 9);
    expect(estimate.minUsd).toBe(orchestrator.minUsd);
  });

  it("estimates a nested team from the query its agent passes", async () => {
    const estimate = await new LLMTeam({
      teamId: "outer",
      model: MODEL,
      maxTokens: 100,
      models: { [MODEL]: new ScriptedModel({ responses: [] }) },
      agents: [
        { type: "llm", role: "brief", prompt: "Brief {query}" },
        {
          type: "team",
          role: "crew",
          prompt: "Work on {brief}",
          team: {
            teamId: "crew",
            agents: [{ type: "llm", role: "doer", prompt: "Do {query}", maxTokens: 40 }],
          },
        },
      ],
    }).estimate(QUERY);
    const crew = estimate.agents[1]!;
    expect(crew.kind).toBe("team");
    expect(crew.agents?.[0]).toMatchObject({ agentId: "doer", outputTokens: { max: 40 } });
    // The nested query carries the brief's output: at most 100 tokens more.
    const doerIn = countTokens("Do Work on ") + FRAMING;
    expect(crew.agents?.[0]?.inputTokens).toEqual({ min: doerIn, max: doerIn + 100 });
    expect(estimate.maxUsd).toBeCloseTo(estimate.agents[0]!.maxUsd! + crew.maxUsd!, 12);
  });

  it("refuses an input the prompts cannot run with, as run() does", async () => {
    await expect(team().estimate({ question: "x" })).rejects.toSatisfy((error) =>
      ConfigError.isInstance(error),
    );
  });
});
