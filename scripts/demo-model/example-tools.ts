/**
 * The tools of the example teams, exactly as llmteam offers them to a model: the built-in
 * `calculator` and `current_time`, and an `add` tool. Their JSON Schemas go through the local
 * provider's own conversion, so the function documentation in the corpus is the one the model
 * will see at run time.
 */
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider";
import type { ChatModelFunctions } from "node-llama-cpp";
import { z } from "zod";
import { toGrammarSchema } from "../../src/providers/local/to-grammar-schema.js";
import { builtinTools, currentTimeIn, tool } from "../../src/tools/index.js";
import { TOOL_DESCRIPTION_VARIANTS, type ToolName } from "./corpus-data.js";
import type { Random } from "./conversations.js";

const addTool = tool({
  name: "add",
  description: "Add two numbers",
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

/** The tools as `LanguageModelV4FunctionTool`s (what agents send to a model). */
export const EXAMPLE_TOOLS: Record<ToolName, LanguageModelV4FunctionTool> = {
  calculator: builtinTools.calculator().toModelTool(),
  current_time: builtinTools.currentTime().toModelTool(),
  add: addTool.toModelTool(),
};

/** node-llama-cpp functions for the given tools; the real description 75% of the time. */
export function exampleFunctions(random: Random, names: ToolName[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const name of names) {
    const definition = EXAMPLE_TOOLS[name];
    const description = random.chance(0.75)
      ? definition.description!
      : random.pick(TOOL_DESCRIPTION_VARIANTS[name]);
    functions[name] = { description, params: toGrammarSchema(definition.inputSchema) };
  }
  return functions;
}

/** What the built-in `current_time` returns for a time zone at a moment. */
export function currentTimeResult(
  timezone: string,
  epochMs: number,
): ReturnType<typeof currentTimeIn> {
  return currentTimeIn(timezone, epochMs);
}
