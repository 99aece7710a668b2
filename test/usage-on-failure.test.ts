import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  LLMTeam,
  parseTeamText,
  tool,
  type ModelCallMiddleware,
  type RunResult,
  type StreamEvent,
} from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";

const lookup = tool({
  name: "lookup",
  description: "Looks a word up.",
  parameters: z.object({ word: z.string() }),
  execute: ({ word }) => `${word}: a greeting`,
});

/** The tokens of the run's `cost_update` events, summed. */
function costUpdateTokens(events: StreamEvent[]): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (const event of events) {
    if (event.type !== "cost_update") continue;
    input += event.data.tokens.inputTokens;
    output += event.data.tokens.outputTokens;
  }
  return { input, output };
}

async function streamed(team: LLMTeam, query: string, signal?: AbortSignal) {
  const stream = team.stream({ query }, signal ? { signal } : {});
  const events: StreamEvent[] = [];
  for await (const event of stream as AsyncIterable<StreamEvent>) events.push(event);
  return { events, result: await stream.result };
}

/** Every total of the result says the same tokens. */
function expectAllTotals(result: RunResult, input: number, output: number): void {
  const tokens = { inputTokens: input, outputTokens: output, totalTokens: input + output };
  expect(result.usage).toMatchObject(tokens);
  expect(result.cost.tokens).toMatchObject(tokens);
  expect(result.report.usage).toMatchObject(tokens);
  expect(result.report.toMarkdown()).toContain(`${input + output} (${input} in, ${output} out`);
}

const identity: ModelCallMiddleware = (next) => (request, context) => next(request, context);

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("usage and cost when a step fails after calls that succeeded", () => {
  it("a tool loop whose second call fails keeps the first call's tokens in every total", async () => {
    const model = new ScriptedModel({
      responses: [
        {
          toolCalls: [{ toolName: "lookup", input: { word: "hello" } }],
          usage: { inputTokens: 462, outputTokens: 50 },
        },
        { httpError: { status: 400, message: "context length exceeded" } },
      ],
    });
    const team = new LLMTeam({
      teamId: "t",
      model: "openai/gpt-4o-mini",
      models: { "openai/gpt-4o-mini": model },
      tools: [lookup],
      agents: [{ type: "llm", role: "writer", prompt: "{query}", tools: ["lookup"] }],
    });
    const { events, result } = await streamed(team, "define hello");

    expect(result.status).toBe("failed");
    expect(costUpdateTokens(events)).toEqual({ input: 462, output: 50 });
    const writer = result.agentResults[0]!;
    expect(writer.success).toBe(false);
    expect(writer.usage).toMatchObject({ inputTokens: 462, outputTokens: 50 });
    expectAllTotals(result, 462, 50);
    expect(result.report.agents[0]!.usage).toMatchObject({ inputTokens: 462, outputTokens: 50 });
    // gpt-4o-mini: $0.15 / $0.60 per 1M tokens.
    expect(result.cost.totalUsd).toBeCloseTo((462 * 0.15 + 50 * 0.6) / 1e6, 12);
    expect(result.cost.byAgent.writer).toBe(result.cost.totalUsd);
  });

  it("the same over real HTTP: the second call of the tool loop gets a 400", async () => {
    const server = await startOpenAIWireServer([
      {
        toolCalls: [{ name: "lookup", arguments: '{"word":"hello"}' }],
        usage: { prompt_tokens: 462, completion_tokens: 50 },
      },
      { status: 400, error: "This model's maximum context length is 8192 tokens." },
    ]);
    close = server.close;
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: lab
stream: false
providers:
  lab: { type: openai-compatible, baseURL: "${server.baseURL}" }
pricing:
  lab/qwen: { inputPer1M: 1, outputPer1M: 2 }
model: lab/qwen
agents:
  - { type: llm, role: writer, prompt: "{query}", tools: [lookup] }
`),
      { tools: [lookup] },
    );
    const { events, result } = await streamed(team, "define hello");

    expect(server.requests).toHaveLength(2);
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("maximum context length");
    expect(costUpdateTokens(events)).toEqual({ input: 462, output: 50 });
    expect(result.agentResults[0]!.usage).toMatchObject({ inputTokens: 462, outputTokens: 50 });
    expect(result.agentResults[0]!.usage.estimated).toBeUndefined();
    expectAllTotals(result, 462, 50);
    expect(result.cost.totalUsd).toBeCloseTo((462 * 1 + 50 * 2) / 1e6, 12);
  });

  it("a router whose repair call fails keeps the first decision call's tokens", async () => {
    const boss = new ScriptedModel({
      responses: [
        { text: "I think the writer", usage: { inputTokens: 100, outputTokens: 7 } },
        { httpError: { status: 400, message: "bad request" } },
      ],
    });
    const worker = new ScriptedModel({ responses: [] });
    const team = new LLMTeam({
      teamId: "desk",
      model: "test/worker",
      models: { "test/worker": worker, "test/boss": boss },
      orchestration: true,
      orchestrator: { model: "test/boss" },
      allowUnpriced: true,
      agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
    });
    const { events, result } = await streamed(team, "hi");

    expect(result.status).toBe("failed");
    expect(boss.callsMade).toBe(2);
    expect(costUpdateTokens(events)).toEqual({ input: 100, output: 7 });
    expectAllTotals(result, 100, 7);
    expect(result.cost.unpricedModels).toEqual(["test/boss"]);
  });

  it.each([
    ["the direct pipeline", {}],
    ["a budget (reservations)", { maxCostPerRun: 1, allowUnpriced: true }],
    ["user middleware (the layered pipeline)", { middleware: [identity] }],
  ])(
    "a streamed answer cut mid-way counts what was received, marked estimated: %s",
    async (_, extra) => {
      const model = new ScriptedModel({
        responses: [
          {
            chunks: ["Hello ", "there, ", "friend"],
            streamError: new Error("other side closed"),
          },
        ],
      });
      const team = new LLMTeam({
        teamId: "t",
        model: "m/x",
        models: { "m/x": model },
        retryPolicy: false,
        agents: [{ type: "llm", role: "writer", prompt: "Say hello to my friend", stream: true }],
        ...extra,
      });
      const { events, result } = await streamed(team, "q");

      expect(result.status).toBe("failed");
      const updates = events.filter((event) => event.type === "cost_update");
      expect(updates).toHaveLength(1);
      // Estimated: 4 characters a token, of the prompt ("Say hello to my friend") and of the text received.
      const expected = { inputTokens: 6, outputTokens: 5, totalTokens: 11, estimated: true };
      expect(updates[0]!.data.tokens).toEqual(expected);
      expect(result.agentResults[0]!.usage).toEqual(expected);
      expect(result.usage).toEqual(expected);
      expect(result.cost.tokens).toEqual(expected);
      expect(result.report.toMarkdown()).toContain("partly estimated");
    },
  );

  it("a retried cut stream counts both attempts in the agent's usage and the run's", async () => {
    const model = new ScriptedModel({
      responses: [
        { chunks: ["abcd", "efgh"], streamError: new Error("other side closed") },
        { text: "done", usage: { inputTokens: 20, outputTokens: 3 } },
      ],
    });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      models: { "m/x": model },
      retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0, retryOn: () => true },
      agents: [{ type: "llm", role: "writer", prompt: "abcdefgh", stream: true }],
    });
    const { result } = await streamed(team, "q");

    expect(result.success).toBe(true);
    // First attempt, estimated: 2 tokens in (8 characters), 2 out; second as reported.
    const expected = { inputTokens: 22, outputTokens: 5, totalTokens: 27, estimated: true };
    expect(result.agentResults[0]!.usage).toEqual(expected);
    expect(result.usage).toEqual(expected);
    expect(result.cost.tokens).toEqual(expected);
    expect(result.cost.calls).toBe(2);
  });

  it("a cancelled streamed call counts the tokens it had produced", async () => {
    const chunks = Array.from({ length: 200 }, (_, index) => `w${index} `);
    const model = new ScriptedModel({ responses: [{ chunks }] });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      models: { "m/x": model },
      agents: [{ type: "llm", role: "writer", prompt: "12345678", stream: true }],
    });
    const controller = new AbortController();
    const stream = team.stream({ query: "q" }, { signal: controller.signal });
    let tokens = 0;
    let received = "";
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      if (event.type !== "token") continue;
      tokens++;
      received += event.data.token;
      if (tokens === 70) controller.abort();
    }
    const result = await stream.result;

    expect(result.status).toBe("cancelled");
    expect(tokens).toBeGreaterThanOrEqual(70);
    expect(tokens).toBeLessThan(200);
    const expected = {
      inputTokens: 2,
      outputTokens: Math.ceil(received.length / 4),
      totalTokens: 2 + Math.ceil(received.length / 4),
      estimated: true,
    };
    expect(result.cost.tokens).toEqual(expected);
    expect(result.usage).toEqual(expected);
    expect(result.agentResults[0]!.usage).toEqual(expected);
  });
});
