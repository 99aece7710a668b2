import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import type { StreamEventDataMap } from "../events/stream-event.js";
import { emptyUsage } from "../events/usage.js";
import { callModel } from "../providers/call-model.js";
import type { CallContext, ModelRequest } from "../providers/model-call.js";
import {
  ToolExecutionError,
  ToolExecutor,
  runToolLoop,
  tool,
  type AnyToolDefinition,
  type ToolLoopOptions,
} from "./index.js";

type Recorded = {
  [T in keyof StreamEventDataMap]: { type: T; data: StreamEventDataMap[T] };
}[keyof StreamEventDataMap];

const add = tool({
  name: "add",
  description: "Add two integers",
  parameters: z.object({ a: z.number().int(), b: z.number().int() }),
  execute: ({ a, b }) => a + b,
});

function setup(
  responses: ScriptedResponse[] | ((call: { index: number }) => ScriptedResponse),
  tools: AnyToolDefinition[] = [add],
  clock = new FakeClock(0),
) {
  const model = new ScriptedModel({ responses, clock });
  const events: Recorded[] = [];
  const controller = new AbortController();
  const context: CallContext = {
    signal: controller.signal,
    clock,
    events: { emit: (type, data) => void events.push({ type, data } as Recorded) },
    runId: "run-1",
    agentId: "solver",
  };
  const executor = new ToolExecutor({ tools, clock });
  const request: ModelRequest = {
    model: { name: "test/model", model },
    prompt: [{ role: "user", content: [{ type: "text", text: "What is 2 + 3?" }] }],
    stream: false,
  };
  const run = (options: Partial<ToolLoopOptions> = {}) =>
    runToolLoop({ request, call: callModel, context, executor, ...options });
  return { model, events, executor, controller, clock, run, request };
}

function promptOf(model: ScriptedModel, index: number): LanguageModelV4Prompt {
  return model.calls[index]!.options.prompt;
}

describe("runToolLoop", () => {
  it("runs a tool round, feeds the result back and returns the final answer with summed usage", async () => {
    const { model, events, run } = setup([
      {
        toolCalls: [{ toolCallId: "call-1", toolName: "add", input: { a: 2, b: 3 } }],
        text: "Let me add.",
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      { text: "2 + 3 = 5", usage: { inputTokens: 30, outputTokens: 4 } },
    ]);
    const result = await run();

    expect(result).toMatchObject({
      success: true,
      stopReason: "final_answer",
      text: "2 + 3 = 5",
      rounds: 1,
      steps: 2,
      maxRoundsReached: false,
      model: "test/model",
      finishReason: "stop",
    });
    expect(result.error).toBeUndefined();
    expect(result.usage).toEqual({ inputTokens: 40, outputTokens: 9, totalTokens: 49 });
    expect(result.toolCalls).toEqual([
      {
        name: "add",
        arguments: { a: 2, b: 3 },
        output: 5,
        success: true,
        durationMs: 0,
        round: 1,
        callId: "call-1",
      },
    ]);
    expect(model.calls[0]!.options.tools?.map((modelTool) => modelTool.name)).toEqual(["add"]);
    expect(promptOf(model, 1).slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me add." },
          { type: "tool-call", toolCallId: "call-1", toolName: "add", input: { a: 2, b: 3 } },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "call-1",
            toolName: "add",
            output: { type: "json", value: 5 },
          },
        ],
      },
    ]);
    expect(events).toEqual([
      {
        type: "tool_call",
        data: { callId: "call-1", toolName: "add", arguments: { a: 2, b: 3 }, round: 1 },
      },
      {
        type: "tool_result",
        data: {
          callId: "call-1",
          toolName: "add",
          success: true,
          output: 5,
          durationMs: 0,
          round: 1,
        },
      },
    ]);
  });

  it("runs every call of a step concurrently and answers in the order of the calls", async () => {
    const clock = new FakeClock(0);
    let active = 0;
    let mostActive = 0;
    const wait = tool({
      name: "wait",
      description: "Wait a while",
      parameters: z.object({ ms: z.number() }),
      execute: async ({ ms }) => {
        active++;
        mostActive = Math.max(mostActive, active);
        await clock.sleep(ms);
        active--;
        return `waited ${ms}`;
      },
    });
    const { model, events, executor, run } = setup(
      [
        {
          toolCalls: [
            { toolCallId: "slow", toolName: "wait", input: { ms: 100 } },
            { toolCallId: "fast", toolName: "wait", input: { ms: 50 } },
          ],
        },
        "done",
      ],
      [wait],
      clock,
    );
    const pending = run();
    await clock.advance(100);
    await clock.advance(100);
    const result = await pending;

    expect(mostActive).toBe(2);
    expect(executor.history.map((entry) => entry.startedAt)).toEqual([0, 0]);
    expect(result.toolCalls.map((call) => [call.callId, call.durationMs])).toEqual([
      ["slow", 100],
      ["fast", 50],
    ]);
    expect(
      events.filter((event) => event.type === "tool_result").map((event) => event.data.callId),
    ).toEqual(["fast", "slow"]);
    const toolMessage = promptOf(model, 1).at(-1)!;
    expect(
      toolMessage.role === "tool" &&
        toolMessage.content.map((part) => part.type === "tool-result" && part.toolCallId),
    ).toEqual(["slow", "fast"]);
  });

  it("feeds a tool error back so the model can correct its call", async () => {
    const { model, run } = setup([
      { toolCalls: [{ toolCallId: "c1", toolName: "add", input: { a: "two", b: 3 } }] },
      { toolCalls: [{ toolCallId: "c2", toolName: "add", input: { a: 2, b: 3 } }] },
      "5",
    ]);
    const result = await run();

    expect(result.success).toBe(true);
    expect(result.text).toBe("5");
    expect(result.toolCalls.map((call) => [call.success, call.errorReason, call.output])).toEqual([
      [false, "invalid_arguments", undefined],
      [true, undefined, 5],
    ]);
    expect(promptOf(model, 1).at(-1)).toEqual({
      role: "tool",
      content: [
        {
          type: "tool-result",
          toolCallId: "c1",
          toolName: "add",
          output: {
            type: "error-text",
            value:
              'Invalid arguments for tool "add": a: Invalid input: expected number, received string',
          },
        },
      ],
    });
  });

  it("reports unknown tools and unparseable arguments to the model instead of failing", async () => {
    const { model, run } = setup([
      {
        toolCalls: [
          { toolCallId: "u", toolName: "multiply", input: { a: 1 } },
          { toolCallId: "j", toolName: "add", input: '{"a": 2, "b":' },
        ],
      },
      "sorry",
    ]);
    const result = await run();
    expect(result.success).toBe(true);
    expect(result.toolCalls.map((call) => [call.errorReason, call.arguments])).toEqual([
      ["unknown_tool", { a: 1 }],
      ["invalid_arguments", '{"a": 2, "b":'],
    ]);
    const [assistant, toolMessage] = promptOf(model, 1).slice(1);
    expect(assistant).toMatchObject({ content: [{ input: { a: 1 } }, { input: {} }] });
    expect(JSON.stringify(toolMessage)).toContain('Unknown tool \\"multiply\\". Known tools: add.');
    expect(JSON.stringify(toolMessage)).toContain("are not valid JSON");
  });

  it("stops at maxToolRounds with a failed, flagged result instead of an empty success", async () => {
    let call = 0;
    const { model, run } = setup(() => ({
      toolCalls: [{ toolName: "add", input: { a: call++, b: 1 } }],
      usage: { inputTokens: 10, outputTokens: 2 },
    }));
    const result = await run({ maxToolRounds: 2 });

    expect(result).toMatchObject({
      success: false,
      stopReason: "max_rounds",
      maxRoundsReached: true,
      rounds: 2,
      steps: 3,
      finishReason: "tool-calls",
    });
    expect(model.callsMade).toBe(3);
    expect(result.toolCalls).toHaveLength(2);
    expect(result.usage.totalTokens).toBe(36);
    expect(ToolExecutionError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({
      code: "tool_execution_error",
      reason: "max_rounds",
      usage: result.usage,
    });
    expect(result.error?.message).toContain("after 2 tool rounds");
    expect(result.error?.details).toMatchObject({
      toolRounds: 2,
      maxRoundsReached: true,
      toolCalls: result.toolCalls,
    });
  });

  it("allows five tool rounds by default", async () => {
    const { model, run } = setup(() => ({
      toolCalls: [{ toolName: "add", input: { a: 1, b: 1 } }],
    }));
    const result = await run();
    expect(result.maxRoundsReached).toBe(true);
    expect(result.rounds).toBe(5);
    expect(model.callsMade).toBe(6);
  });

  it("stops when a tool keeps failing with the same arguments", async () => {
    const lookup = tool({
      name: "lookup",
      description: "Find an order",
      parameters: z.object({ id: z.number(), verbose: z.boolean().optional() }),
      execute: ({ id }) => {
        if (id === 7) throw new Error("order service unavailable");
        return { id, status: "shipped" };
      },
    });
    const { model, run } = setup(
      [
        {
          toolCalls: [
            { toolCallId: "a", toolName: "lookup", input: { id: 7, verbose: true } },
            { toolCallId: "b", toolName: "lookup", input: { id: 8 } },
          ],
        },
        { toolCalls: [{ toolCallId: "c", toolName: "lookup", input: '{"verbose":true,"id":7}' }] },
        "unreachable",
      ],
      [lookup],
    );
    const result = await run({ maxToolRounds: 10 });

    expect(result).toMatchObject({
      success: false,
      stopReason: "repeated_failure",
      rounds: 2,
      steps: 2,
      maxRoundsReached: false,
    });
    expect(model.callsMade).toBe(2);
    expect(result.error).toMatchObject({
      reason: "repeated_failure",
      toolName: "lookup",
      callId: "c",
    });
    expect(result.error?.message).toBe(
      'Tool "lookup" failed 2 times with the same arguments {"verbose":true,"id":7}; stopped instead of retrying. Last error: Tool "lookup" failed: order service unavailable',
    );
    expect(result.toolCalls[1]).toMatchObject({
      success: true,
      output: { id: 8, status: "shipped" },
    });
  });

  it("does not count failures with different arguments as repeats", async () => {
    const { run } = setup([
      { toolCalls: [{ toolName: "add", input: { a: "x", b: 1 } }] },
      { toolCalls: [{ toolName: "add", input: { a: "y", b: 1 } }] },
      "gave up",
    ]);
    const result = await run();
    expect(result.success).toBe(true);
    expect(result.toolCalls.every((call) => !call.success)).toBe(true);
  });

  it("reports a tool timeout to the model and goes on", async () => {
    const clock = new FakeClock(0);
    const hang = tool({
      name: "hang",
      description: "d",
      parameters: z.object({}),
      timeoutMs: 5_000,
      execute: () => new Promise<never>(() => undefined),
    });
    const { model, run } = setup(
      [{ toolCalls: [{ toolCallId: "h", toolName: "hang", input: {} }] }, "it timed out"],
      [hang],
      clock,
    );
    const pending = run();
    await clock.advance(5_000);
    const result = await pending;
    expect(result.success).toBe(true);
    expect(result.toolCalls[0]).toMatchObject({
      success: false,
      errorReason: "timeout",
      durationMs: 5_000,
    });
    expect(JSON.stringify(promptOf(model, 1).at(-1))).toContain(
      'Tool \\"hang\\" timed out after 5000 ms.',
    );
  });

  it("refuses calls that need approval when nobody approves, and runs them when approved", async () => {
    const refund = tool({
      name: "refund",
      description: "Refund an order",
      parameters: z.object({ orderId: z.string() }),
      needsApproval: true,
      execute: ({ orderId }) => `refunded ${orderId}`,
    });
    const script = (): ScriptedResponse[] => [
      { toolCalls: [{ toolCallId: "r", toolName: "refund", input: { orderId: "A1" } }] },
      "ok",
    ];

    const refused = setup(script(), [refund]);
    const first = await refused.run();
    expect(first.toolCalls[0]).toMatchObject({ success: false, errorReason: "denied" });
    expect(promptOf(refused.model, 1).at(-1)).toMatchObject({
      content: [
        {
          output: {
            type: "execution-denied",
            reason:
              'The call to tool "refund" was refused: this tool needs approval and no approver is configured',
          },
        },
      ],
    });

    const approved = setup(script(), [refund]);
    const asked: unknown[] = [];
    const second = await approved.run({
      approve: (request) => (asked.push({ ...request, signal: undefined }), true),
    });
    expect(second.toolCalls[0]).toMatchObject({ success: true, output: "refunded A1" });
    expect(asked).toEqual([
      {
        toolName: "refund",
        arguments: { orderId: "A1" },
        callId: "r",
        round: 1,
        signal: undefined,
      },
    ]);
    expect(approved.events.map((event) => event.type)).toEqual([
      "tool_call",
      "approval_requested",
      "tool_result",
    ]);
    expect(approved.events[1]!.data).toEqual({
      approvalId: "r",
      kind: "tool",
      toolName: "refund",
      arguments: { orderId: "A1" },
    });
  });

  it("rejects with the cancellation reason when the run is cancelled during a tool", async () => {
    const clock = new FakeClock(0);
    const slow = tool({
      name: "slow",
      description: "d",
      parameters: z.object({}),
      execute: (_args, { signal }) => clock.sleep(10_000, signal),
    });
    const { controller, run } = setup(
      [{ toolCalls: [{ toolName: "slow", input: {} }] }, "never"],
      [slow],
      clock,
    );
    const pending = run();
    await clock.advance(1_000);
    controller.abort(new Error("user cancelled"));
    await expect(pending).rejects.toThrow("user cancelled");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("keeps the usage of earlier steps in the caller's accumulator when a model call fails", async () => {
    const usage = emptyUsage();
    const { run } = setup([
      {
        toolCalls: [{ toolName: "add", input: { a: 1, b: 2 } }],
        usage: { inputTokens: 7, outputTokens: 3 },
      },
      { httpError: { status: 401, message: "bad key" } },
    ]);
    await expect(run({ usage })).rejects.toMatchObject({ code: "provider_error" });
    expect(usage).toEqual({ inputTokens: 7, outputTokens: 3, totalTokens: 10 });
  });

  it("works with streamed model calls and passes step boundaries to the checkpoint", async () => {
    const { request, model, run } = setup([
      { toolCalls: [{ toolName: "add", input: { a: 20, b: 22 } }] },
      { text: "The answer is 42" },
    ]);
    request.stream = true;
    let checkpoints = 0;
    const result = await run({ checkpoint: async () => void checkpoints++ });
    expect(result.text).toBe("The answer is 42");
    expect(model.calls.map((call) => call.mode)).toEqual(["stream", "stream"]);
    expect(checkpoints).toBe(1);
  });

  it("rejects an invalid maxToolRounds", async () => {
    const { run } = setup(["x"]);
    await expect(run({ maxToolRounds: -1 })).rejects.toThrow(
      "maxToolRounds must be a whole number >= 0",
    );
  });
});
