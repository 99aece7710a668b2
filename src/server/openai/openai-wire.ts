import type { Usage } from "../../events/usage.js";

/** OpenAI's `usage` object. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** Fields every completion object of one response shares. */
export interface CompletionIdentity {
  /** `chatcmpl-<run id>`. */
  id: string;
  /** The team id. */
  model: string;
  /** Unix time in seconds. */
  created: number;
}

/** The id of the completion of a run: `chatcmpl-<run id>`. */
export function completionId(runId: string): string {
  return `chatcmpl-${runId}`;
}

/** A run's usage in OpenAI's names (cached and reasoning tokens when reported). */
export function openAIUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    ...(usage.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** A final output as the assistant message's text: a string as it is, anything else as JSON. */
export function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (output === undefined || output === null) return "";
  return JSON.stringify(output);
}

/** A `chat.completion` object: the run's final output as the assistant's message. */
export function chatCompletion(
  identity: CompletionIdentity,
  content: string,
  usage: Usage,
): Record<string, unknown> {
  return {
    ...identity,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: openAIUsage(usage),
  };
}

/** A `chat.completion.chunk` with one choice's delta (or none: the usage chunk). */
export function completionChunk(
  identity: CompletionIdentity,
  delta: { role?: "assistant"; content?: string } | undefined,
  options: { finishReason?: "stop"; usage?: OpenAIUsage | null } = {},
): Record<string, unknown> {
  return {
    ...identity,
    object: "chat.completion.chunk",
    choices:
      delta === undefined
        ? []
        : [{ index: 0, delta, logprobs: null, finish_reason: options.finishReason ?? null }],
    ...(options.usage === undefined ? {} : { usage: options.usage }),
  };
}

/** The `error` member OpenAI clients read (`{ message, type, param, code }`). */
export function openAIError(
  message: string,
  type: string,
  code: string | null = null,
): { message: string; type: string; param: null; code: string | null } {
  return { message, type, param: null, code };
}

/** OpenAI's error type for an HTTP status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
