/** Token usage as the provider reported it. */
export interface Usage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  /** Completion tokens, reasoning ones included. */
  outputTokens: number;
  /** `inputTokens + outputTokens`. */
  totalTokens: number;
  /** Prompt tokens read from the provider's cache, when reported. */
  cachedInputTokens?: number;
  /** Prompt tokens written to the provider's cache, when reported. */
  cacheWriteTokens?: number;
  /** Output tokens spent on reasoning, when reported. */
  reasoningTokens?: number;
  /** True when some figure was not reported by the provider and was estimated. */
  estimated?: boolean;
}

/** A usage of zero tokens. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
}

/** Adds `add` into `into` (mutating `into`) and returns it. */
export function addUsage(into: Usage, add: Usage): Usage {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.totalTokens += add.totalTokens;
  if (add.cachedInputTokens !== undefined) {
    into.cachedInputTokens = (into.cachedInputTokens ?? 0) + add.cachedInputTokens;
  }
  if (add.cacheWriteTokens !== undefined) {
    into.cacheWriteTokens = (into.cacheWriteTokens ?? 0) + add.cacheWriteTokens;
  }
  if (add.reasoningTokens !== undefined) {
    into.reasoningTokens = (into.reasoningTokens ?? 0) + add.reasoningTokens;
  }
  if (add.estimated) into.estimated = true;
  return into;
}
