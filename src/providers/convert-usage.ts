import type { LanguageModelV4Prompt, LanguageModelV4Usage } from "@ai-sdk/provider";
import type { Usage } from "../events/usage.js";

/**
 * Converts the provider's usage report to ours. Missing totals are derived from their parts;
 * a figure the provider did not report at all is estimated from text length (4 characters a
 * token: input from `prompt`, output from `text`) and the usage is marked `estimated`.
 */
export function convertUsage(
  usage: LanguageModelV4Usage | undefined,
  prompt: LanguageModelV4Prompt,
  text: string,
): Usage {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  let inputTokens = input?.total ?? sumDefined(input?.noCache, input?.cacheRead, input?.cacheWrite);
  let outputTokens = output?.total ?? sumDefined(output?.text, output?.reasoning);
  let estimated = false;
  if (inputTokens === undefined || outputTokens === undefined) {
    inputTokens ??= estimatePromptTokens(prompt);
    outputTokens ??= estimateTokens(text);
    estimated = true;
  }
  const result: Usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (input?.cacheRead !== undefined) result.cachedInputTokens = input.cacheRead;
  if (input?.cacheWrite !== undefined) result.cacheWriteTokens = input.cacheWrite;
  if (output?.reasoning !== undefined) result.reasoningTokens = output.reasoning;
  if (estimated) result.estimated = true;
  return result;
}

function sumDefined(...values: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const value of values) if (value !== undefined) total = (total ?? 0) + value;
  return total;
}

/** A rough token count for text: 4 characters a token. Only for usage a provider did not report. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Rough prompt size in tokens, from the text of its messages. */
export function estimatePromptTokens(prompt: LanguageModelV4Prompt): number {
  let characters = 0;
  for (const message of prompt) {
    if (typeof message.content === "string") characters += message.content.length;
    else {
      for (const part of message.content) {
        if (part.type === "text") characters += part.text.length;
        else if (part.type === "tool-call") characters += JSON.stringify(part.input ?? "").length;
        else if (part.type === "tool-result") characters += JSON.stringify(part.output).length;
      }
    }
  }
  return Math.ceil(characters / 4);
}
