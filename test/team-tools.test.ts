import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  LLMTeam,
  tool,
  type AgentConfig,
  type AgentResultDetails,
  type AnyToolDefinition,
  type McpToolReference,
  type StreamEvent,
  type ToolCallRecord,
} from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const add = tool({
  name: "add",
  description: "Adds two numbers.",
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

function team(model: ScriptedModel, extra: Record<string, unknown> = {}): LLMTeam {
  const built = new LLMTeam({
    teamId: "calc",
    model: "m/x",
    models: { "m/x": model },
    tools: [add],
  });
  built.addAgent({
    type: "llm",
    role: "solver",
    prompt: "{query}",
    tools: ["add", "calculator"],
    ...extra,
  });
  return built;
}

describe("an agent with tools in a team", () => {
  it("runs the tool loop, reports every call and sums usage over all rounds", async () => {
    const model = new ScriptedModel({
      responses: [
        {
          toolCalls: [
            { toolName: "add", input: { a: 2, b: 3 } },
            { toolName: "calculator", input: { expression: "2*(3+4)" } },
          ],
          usage: { inputTokens: 10, outputTokens: 5 },
        },
        { text: "5 and 14", usage: { inputTokens: 30, outputTokens: 4 } },
      ],
    });
    const stream = team(model).stream({ query: "add 2 and 3, and compute 2*(3+4)" });
    const types: string[] = [];
    let completedDetails: AgentResultDetails | undefined;
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      types.push(event.type);
      if (event.type === "agent_completed") completedDetails = event.data.details;
    }
    const result = await stream.result;
    // One typed record, in the result and in the event.
    expectTypeOf(result.agentResults[0]!.toolCalls).toEqualTypeOf<ToolCallRecord[] | undefined>();
    expectTypeOf(completedDetails?.toolCalls).toEqualTypeOf<ToolCallRecord[] | undefined>();
    expect(completedDetails?.toolCalls).toEqual(result.agentResults[0]!.toolCalls);
    expect(completedDetails?.toolRounds).toBe(1);

    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("5 and 14");
    const solver = result.agentResults[0]!;
    expect(solver.modelCalls).toBe(2);
    expect(solver.usage).toMatchObject({ inputTokens: 40, outputTokens: 9 });
    expect(result.usage.totalTokens).toBe(49);
    expect(solver.toolCalls).toEqual([
      expect.objectContaining({
        name: "add",
        arguments: { a: 2, b: 3 },
        output: 5,
        success: true,
        round: 1,
      }),
      expect.objectContaining({ name: "calculator", output: 14, success: true, round: 1 }),
    ]);
    // tool events come live, between the agent's start and its completion
    expect(types.indexOf("tool_call")).toBeGreaterThan(types.indexOf("agent_started"));
    expect(types.lastIndexOf("tool_result")).toBeLessThan(types.indexOf("agent_completed"));
    // the second call saw both tool results
    expect(JSON.stringify(model.calls[1]!.options.prompt)).toContain('"tool-result"');
    expect(model.calls[0]!.options.tools?.map((definition) => definition.name)).toEqual([
      "add",
      "calculator",
    ]);
  });

  it("fails the agent, flagged, when the round limit is reached", async () => {
    const ask = { toolCalls: [{ toolName: "add", input: { a: 1, b: 1 } }] };
    const result = await team(new ScriptedModel({ responses: [ask, ask, ask] }), {
      maxToolRounds: 2,
    }).run("loop");
    expect(result.success).toBe(false);
    expect(result.agentResults[0]).toMatchObject({
      success: false,
      maxRoundsReached: true,
      modelCalls: 3,
    });
    expect(result.error?.message).toContain("after 2 tool rounds, the limit of agent");
    expect(result.error?.message).toContain(
      "Raise it with maxToolRounds on the agent — e.g. maxToolRounds: 5 in its entry of the team file or in addAgent({ ... }) (default 5)",
    );
    expect(result.agentResults[0]!.usage.totalTokens).toBeGreaterThan(0);
  });

  it("runs a tool() definition handed to one agent directly", async () => {
    const model = new ScriptedModel({
      responses: [{ toolCalls: [{ toolName: "add", input: { a: 4, b: 5 } }] }, { text: "9" }],
    });
    const built = new LLMTeam({ teamId: "direct", model: "m/x", models: { "m/x": model } });
    built.addAgent({ type: "llm", role: "solver", prompt: "{query}", tools: [add] });
    expectTypeOf<NonNullable<AgentConfig["tools"]>[number]>().toEqualTypeOf<
      string | AnyToolDefinition | McpToolReference
    >();
    const result = await built.run("add 4 and 5");
    expect(result.success).toBe(true);
    expect(result.agentResults[0]!.toolCalls).toEqual([
      expect.objectContaining({ name: "add", output: 9, success: true }),
    ]);
    expect(built.toConfig().agents![0]).toMatchObject({ tools: ["add"] });
  });

  it("repairs a structured answer once, without tools, after the tool loop", async () => {
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "add", input: { a: 4, b: 5 } }] },
        { text: '{"sum": 900}' },
        { text: '{"sum": 9}' },
      ],
    });
    const built = new LLMTeam({ teamId: "calc", model: "m/x", models: { "m/x": model } });
    built.addAgent({
      type: "llm",
      role: "solver",
      prompt: "{query}",
      tools: [add],
      outputSchema: z.object({ sum: z.number().max(100) }),
    });
    const result = await built.run("add 4 and 5");
    expect(result.success).toBe(true);
    expect(result.finalOutput).toEqual({ sum: 9 });
    expect(model.calls[2]!.options.tools).toBeUndefined();
    expect(JSON.stringify(model.calls[2]!.options.prompt)).toContain("Too big");
    expect(result.agentResults[0]!.modelCalls).toBe(3);
  });

  it("rejects an unknown tool name at addAgent time, listing the known ones", () => {
    const built = new LLMTeam({ teamId: "t", tools: [add] });
    expect(() => built.addAgent({ type: "llm", role: "a", prompt: "p", tools: ["ad"] })).toThrow(
      ConfigError,
    );
    expect(() => built.addAgent({ type: "llm", role: "a", prompt: "p", tools: ["ad"] })).toThrow(
      /add.*calculator/s,
    );
  });

  it("lists inline tool definitions by name in toConfig", () => {
    const built = new LLMTeam({ teamId: "t" });
    built.addAgent({ type: "llm", role: "a", prompt: "p", tools: [add, "current_time"] });
    expect(built.toConfig().agents?.[0]?.tools).toEqual(["add", "current_time"]);
  });
});
