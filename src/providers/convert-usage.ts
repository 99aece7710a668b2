import type { LanguageModelV4Usage } from "@ai-sdk/provider";
import type { Usage } from "../events/usage.js";

/**
 * Converts the provider's usage report to ours. Missing totals are derived from their parts;
 * a figure the provider did not report at all is estimated from text length (4 characters a
 * token) and the usage is marked `estimated`.
 */
export function convertUsage(
  usage: LanguageModelV4Usage | undefined,
  estimate: () => { input: number; output: number },
): Usage {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  let inputTokens = input?.total ?? sumDefined(input?.noCache, input?.cacheRead, input?.cacheWrite);
  let outputTokens = output?.total ?? sumDefined(output?.text, output?.reasoning);
  let estimated = false;
  if (inputTokens === undefined || outputTokens === undefined) {
    const guess = estimate();
    inputTokens ??= guess.input;
    outputTokens ??= guess.output;
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
