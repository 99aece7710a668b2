import type { LanguageModelV4CallOptions, LanguageModelV4Prompt } from "@ai-sdk/provider";
import { z } from "zod";
import { LLMTeam } from "llmteam";
import { ScriptedModel, type ScriptedCall, type ScriptedResponse } from "llmteam/testing";
import { callModel } from "../src/providers/call-model.js";
import type { CallContext, ModelRequest } from "../src/providers/model-call.js";
import { systemClock } from "../src/internal/clock.js";
import { ToolExecutor, runToolLoop, tool } from "../src/tools/index.js";
import { heapAfterGcMb, timeAsync, type BenchRow } from "./harness.js";

const TOOL_STEPS = 10;
const STEPS_PER_RUN = TOOL_STEPS + 1;

/** Asks for `add(a, b)` until ten results are in the prompt, then answers. */
function script(call: ScriptedCall): ScriptedResponse {
  const toolResults = (call.options.prompt.length - 1) / 2;
  if (toolResults >= TOOL_STEPS)
    return { text: "The sum is 55.", usage: { inputTokens: 50, outputTokens: 5 } };
  return {
    toolCalls: [
      { toolCallId: `call-${toolResults}`, toolName: "add", input: `{"a":${toolResults},"b":1}` },
    ],
    usage: { inputTokens: 50, outputTokens: 5 },
  };
}

const add = tool({
  name: "add",
  description: "Add two integers",
  parameters: z.object({ a: z.number().int(), b: z.number().int() }),
  execute: ({ a, b }) => a + b,
});

/**
 * The tool-loop scenario: one agent-equivalent loop (`runToolLoop` over the real model call
 * and `ToolExecutor`) on a zero-latency ScriptedModel that asks for `add(a, b)` ten times and
 * then answers; 500 runs after warm-up. Reports µs per model step (11 per run), the same for a
 * hand-written loop over the same model, and the heap after GC (run node with --expose-gc).
 */
export async function benchToolLoop(runs = 500): Promise<BenchRow[]> {
  const model = new ScriptedModel({ responses: script, recordCalls: false });
  const executor = new ToolExecutor({ tools: [add] });
  const context: CallContext = {
    signal: new AbortController().signal,
    clock: systemClock,
    events: { emit: () => undefined },
    runId: "bench",
    agentId: "adder",
  };
  const request: ModelRequest = {
    model: { name: "bench/model", model },
    prompt: [{ role: "user", content: [{ type: "text", text: "Add the numbers one by one." }] }],
    stream: false,
  };
  const loopRun = async (): Promise<void> => {
    const result = await runToolLoop({
      request,
      call: callModel,
      context,
      executor,
      maxToolRounds: TOOL_STEPS,
    });
    if (!result.success || result.steps !== STEPS_PER_RUN)
      throw new Error(`bench loop went wrong: ${result.stopReason}, ${result.steps} steps`);
  };

  const handRun = async (): Promise<void> => {
    let prompt: LanguageModelV4Prompt = request.prompt;
    const tools = executor.getModelTools();
    for (let step = 0; ; step++) {
      const options: LanguageModelV4CallOptions = { prompt, tools };
      const result = await model.doGenerate(options);
      const call = result.content.find((part) => part.type === "tool-call");
      if (!call) return;
      const args = JSON.parse(call.input) as { a: number; b: number };
      prompt = [
        ...prompt,
        {
          role: "assistant",
          content: [
            {
              type: "tool-call",
              toolCallId: call.toolCallId,
              toolName: call.toolName,
              input: args,
            },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: call.toolCallId,
              toolName: call.toolName,
              output: { type: "json", value: args.a + args.b },
            },
          ],
        },
      ];
    }
  };

  const team = new LLMTeam({
    teamId: "bench",
    model: "openai/gpt-4o-mini",
    stream: false,
    models: { "openai/gpt-4o-mini": new ScriptedModel({ responses: script, recordCalls: false }) },
    tools: [add],
  });
  team.addAgent({
    type: "llm",
    role: "adder",
    prompt: "Add the numbers one by one.",
    tools: ["add"],
    maxToolRounds: TOOL_STEPS,
  });
  const teamRun = async (): Promise<void> => {
    const result = await team.run({});
    if (!result.success) throw new Error(`bench team run failed: ${result.error?.message}`);
  };

  const handNs = (await timeAsync(handRun, runs)) / STEPS_PER_RUN;
  const loopNs = (await timeAsync(loopRun, runs)) / STEPS_PER_RUN;
  const teamNs = (await timeAsync(teamRun, runs)) / STEPS_PER_RUN;
  const heapMb = heapAfterGcMb();
  return [
    {
      scenario: "tool loop, add ×10 then answer",
      measure: "hand-written loop, per model step",
      value: handNs / 1000,
      unit: "µs",
    },
    {
      scenario: "tool loop, add ×10 then answer",
      measure: "runToolLoop + ToolExecutor, per model step",
      value: loopNs / 1000,
      unit: "µs",
      note: `${(loopNs / handNs).toFixed(1)}× hand loop; framework cost ${((loopNs - handNs) / 1000).toFixed(2)} µs/step`,
    },
    {
      scenario: "tool loop, add ×10 then answer",
      measure: "team.run() (retry + cost layers, events), per model step",
      value: teamNs / 1000,
      unit: "µs",
      note: `${(teamNs / handNs).toFixed(1)}× hand loop`,
    },
    {
      scenario: "tool loop, add ×10 then answer",
      measure: "heap after GC",
      value: heapMb,
      unit: "MB",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatRows } = await import("./harness.js");
  console.log(formatRows(await benchToolLoop()));
}
