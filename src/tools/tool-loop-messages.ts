import type {
  JSONValue,
  LanguageModelV4Message,
  LanguageModelV4ToolCallPart,
  LanguageModelV4ToolResultOutput,
  LanguageModelV4ToolResultPart,
} from "@ai-sdk/provider";
import type { ToolResult } from "./tool-result.js";

/** A model's tool call with its JSON input parsed (or the parse error). */
export interface ParsedToolCall {
  callId: string;
  toolName: string;
  /** The raw JSON text the model wrote. */
  inputText: string;
  /** The parsed arguments; `undefined` when the text is not valid JSON. */
  arguments: unknown;
  /** Whether `inputText` parsed. */
  parsed: boolean;
}

/** Parses a tool call's JSON input; empty text is `{}` (some providers send it for no-argument tools). */
export function parseToolCall(callId: string, toolName: string, inputText: string): ParsedToolCall {
  if (inputText.trim() === "") return { callId, toolName, inputText, arguments: {}, parsed: true };
  try {
    return { callId, toolName, inputText, arguments: JSON.parse(inputText), parsed: true };
  } catch {
    return { callId, toolName, inputText, arguments: undefined, parsed: false };
  }
}

/** The assistant message that asked for the tools (text first, when there was some). */
export function assistantToolCallMessage(
  text: string,
  calls: readonly ParsedToolCall[],
): LanguageModelV4Message {
  const content: (LanguageModelV4ToolCallPart | { type: "text"; text: string })[] = [];
  if (text.length > 0) content.push({ type: "text", text });
  for (const call of calls) {
    // Unparseable input goes back as `{}`: providers that need an object (Anthropic) would
    // reject the raw text; the error result quotes what the model wrote.
    content.push({
      type: "tool-call",
      toolCallId: call.callId,
      toolName: call.toolName,
      input: call.parsed ? call.arguments : {},
    });
  }
  return { role: "assistant", content };
}

/** The tool message carrying every result of a step, in the order of the calls. */
export function toolResultsMessage(results: readonly ToolResult[]): LanguageModelV4Message {
  const content: LanguageModelV4ToolResultPart[] = results.map((result) => ({
    type: "tool-result",
    toolCallId: result.callId,
    toolName: result.toolName,
    output: toToolResultOutput(result),
  }));
  return { role: "tool", content };
}

/**
 * A tool result as the model reads it: text for strings, JSON for data, `error-text` for a
 * failure, `execution-denied` for a refused call.
 */
export function toToolResultOutput(result: ToolResult): LanguageModelV4ToolResultOutput {
  if (!result.success) {
    if (result.errorReason === "denied")
      return { type: "execution-denied", reason: result.error ?? "Refused." };
    return { type: "error-text", value: result.error ?? "The tool failed." };
  }
  const output = result.output;
  if (typeof output === "string") return { type: "text", value: output };
  if (output === undefined || output === null) return { type: "json", value: null };
  if (typeof output === "number")
    return Number.isFinite(output)
      ? { type: "json", value: output }
      : { type: "text", value: String(output) };
  if (typeof output === "boolean") return { type: "json", value: output };
  try {
    // Round-trip to plain JSON: dates become strings, undefined fields disappear.
    const text = JSON.stringify(output);
    if (text !== undefined) return { type: "json", value: JSON.parse(text) as JSONValue };
  } catch {
    // Circular structures, BigInt: fall through to text.
  }
  const { inspect } = process.getBuiltinModule("node:util");
  return {
    type: "text",
    value: inspect(output, { depth: 4, breakLength: Number.POSITIVE_INFINITY }),
  };
}

/** A stable key for "the same call": the tool name and its arguments with sorted keys. */
export function callKey(toolName: string, args: unknown): string {
  return `${toolName}\u0000${canonicalJSON(args)}`;
}

function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJSON(item)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJSON((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
