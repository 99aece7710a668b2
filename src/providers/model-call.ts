import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FunctionTool,
  LanguageModelV4Prompt,
} from "@ai-sdk/provider";
import type { EventSink } from "../events/event-sink.js";
import type { RetryMetrics } from "../events/retry-metrics.js";
import type { Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";

/** A model ready to call, with the name it has in configuration. */
export interface ResolvedModel {
  /** The configured name, e.g. `openai/gpt-4o-mini`. */
  name: string;
  /** The AI SDK model instance. */
  model: LanguageModelV4;
}

/** One call to a model, as the agent asks for it. */
export interface ModelRequest {
  /** The model to call. */
  model: ResolvedModel;
  /** Models to try, in order, when `model` fails for good (the fallback layer tries them; the response names who answered). */
  fallbackModels?: ResolvedModel[];
  prompt: LanguageModelV4Prompt;
  tools?: LanguageModelV4FunctionTool[];
  maxOutputTokens?: number;
  temperature?: number;
  responseFormat?: LanguageModelV4CallOptions["responseFormat"];
  /** Stream the answer (emitting `token` events) instead of waiting for it whole. */
  stream: boolean;
}

/** A tool call the model asked for. `input` is the JSON text the model wrote. */
export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  input: string;
}

/** What one model call returned. */
export interface ModelResponse {
  text: string;
  toolCalls: ModelToolCall[];
  usage: Usage;
  /** `stop`, `length`, `tool-calls`, `content-filter`, `error`, `other`. */
  finishReason: string;
  /** Name of the model that answered (differs from the request's after a fallback). */
  model: string;
  latencyMs: number;
  /** What retries, breaker and fallback did for this call; set by the resilience layers. */
  retryMetrics?: RetryMetrics;
}

/**
 * What a streamed call has emitted so far. The code that emits `token` events increments
 * `tokens` once per event; the retry and fallback layers reset it before each attempt and read
 * it after a failure to report `discardedTokens`.
 */
export interface StreamProgress {
  /** `token` events emitted by the current attempt. */
  tokens: number;
  /**
   * What the current streamed attempt has produced so far (text, reasoning, tool calls, or a
   * usage report) as usage: the provider's figures when it sent them, else an estimate marked
   * `estimated`; `undefined` while nothing came. Set by the streaming call when it starts,
   * cleared when it ends well. When the attempt fails the cost layer reads it (and clears it)
   * to count the attempt, also when the attempt was abandoned before its stream noticed (a
   * cancel or a deadline rejects the attempt at once).
   */
  observed?: (() => Usage | undefined) | undefined;
}

/** What a model call can see of the run around it. */
export interface CallContext {
  signal: AbortSignal;
  clock: Clock;
  /** Sends events tagged with the calling agent. */
  events: EventSink;
  runId: string;
  agentId: string;
  /** Running metrics of the resilience layers for this call (they create and share it). */
  retryMetrics?: RetryMetrics;
  /** Token counter of the current attempt, for streamed calls (see {@link StreamProgress}). */
  streamProgress?: StreamProgress;
}

/** One model call. Resilience, budgets and fallback wrap it as {@link ModelCallMiddleware}. */
export type ModelCall = (request: ModelRequest, context: CallContext) => Promise<ModelResponse>;

/** A layer around model calls: `(next) => (request, context) => …`. */
export type ModelCallMiddleware = (next: ModelCall) => ModelCall;
