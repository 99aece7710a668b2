import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { convertUsage } from "./convert-usage.js";
import type { EventSink } from "../events/event-sink.js";
import type { Usage } from "../events/usage.js";
import type {
  CallContext,
  ModelRequest,
  ModelResponse,
  ModelToolCall,
  StreamProgress,
} from "./model-call.js";
import { toProviderError } from "./to-provider-error.js";

/**
 * The innermost model call: one request to the provider through the AI SDK provider spec
 * (`doGenerate`, or `doStream` with a `token` event per text delta). Provider failures are
 * thrown as `ProviderError`; nothing here retries.
 */
export async function callModel(
  request: ModelRequest,
  context: CallContext,
): Promise<ModelResponse> {
  const startedAt = context.clock.now();
  const options = callOptions(request, context.signal);
  try {
    const response = request.stream
      ? await streamOnce(options, request, context.events, context.streamProgress)
      : readGenerated(await request.model.model.doGenerate(options), request);
    response.latencyMs = context.clock.now() - startedAt;
    // The resilience layers' metrics ride on the response they wrap (no copy of it per layer).
    if (context.retryMetrics) response.retryMetrics = context.retryMetrics;
    return response;
  } catch (error) {
    throw providerFailure(error, request, context);
  }
}

/** The provider call's options for `request`. */
export function callOptions(
  request: ModelRequest,
  signal: AbortSignal,
): LanguageModelV4CallOptions {
  const options: LanguageModelV4CallOptions = { prompt: request.prompt, abortSignal: signal };
  if (request.maxOutputTokens !== undefined) options.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.tools && request.tools.length > 0) options.tools = request.tools;
  if (request.responseFormat) options.responseFormat = request.responseFormat;
  return options;
}

/** What a failed provider call throws: the abort reason when the call was aborted, else a `ProviderError`. */
export function providerFailure(
  error: unknown,
  request: ModelRequest,
  context: CallContext,
): unknown {
  if (context.signal.aborted) return context.signal.reason;
  return toProviderError(error, {
    provider: request.model.model.provider,
    model: request.model.name,
    now: context.clock.now(),
  });
}

/** The response as read from the provider; the caller fills in `latencyMs`. */
type Outcome = ModelResponse;

/** Reads a `doGenerate` result. */
export function readGenerated(
  result: LanguageModelV4GenerateResult,
  request: ModelRequest,
): Outcome {
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  for (const part of result.content) {
    if (part.type === "text") text += part.text;
    else collect(part, toolCalls);
  }
  return finish(
    text,
    toolCalls,
    result.usage,
    result.finishReason,
    request.prompt,
    request.model.name,
  );
}

/**
 * Reads a `doStream` call to its end: a `token` event per text delta (counted in `progress`
 * for the retry and fallback layers' `discardedTokens`), a `chunk` event per reasoning delta.
 */
export async function streamOnce(
  options: LanguageModelV4CallOptions,
  request: ModelRequest,
  events: EventSink,
  progress: StreamProgress | undefined,
): Promise<Outcome> {
  const { stream } = await request.model.model.doStream(options);
  const reader = stream.getReader();
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  let usage: LanguageModelV4Usage | undefined;
  let finishReason: LanguageModelV4FinishReason | undefined;
  let reasoning = "";
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      const part: LanguageModelV4StreamPart = next.value;
      switch (part.type) {
        case "text-delta": {
          if (part.delta.length === 0) break;
          text += part.delta;
          if (progress) progress.tokens++;
          const wait = events.emit("token", { token: part.delta });
          if (wait) await wait;
          break;
        }
        case "reasoning-delta": {
          reasoning += part.delta;
          const wait = events.emit("chunk", { kind: "reasoning", content: part.delta });
          if (wait) await wait;
          break;
        }
        case "tool-call":
          collect(part, toolCalls);
          break;
        case "finish":
          usage = part.usage;
          finishReason = part.finishReason;
          break;
        case "error":
          throw part.error;
        default:
          break;
      }
    }
  } catch (error) {
    if (progress && (text || reasoning || toolCalls.length > 0 || usage))
      progress.failedUsage = observedUsage(usage, request.prompt, text, reasoning, toolCalls);
    throw error;
  } finally {
    reader.releaseLock();
  }
  return finish(text, toolCalls, usage, finishReason, request.prompt, request.model.name);
}

/**
 * The usage of a stream cut before its end: the provider's report when it came, else the
 * prompt and what was received (text, reasoning, tool-call arguments), estimated.
 */
function observedUsage(
  usage: LanguageModelV4Usage | undefined,
  prompt: LanguageModelV4Prompt,
  text: string,
  reasoning: string,
  toolCalls: ModelToolCall[],
): Usage {
  let received = text + reasoning;
  for (const call of toolCalls) received += call.input;
  return convertUsage(usage, prompt, received);
}

function collect(part: LanguageModelV4Content, toolCalls: ModelToolCall[]): void {
  if (part.type === "tool-call" && !part.providerExecuted) {
    toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
  }
}

function finish(
  text: string,
  toolCalls: ModelToolCall[],
  usage: LanguageModelV4Usage | undefined,
  finishReason: LanguageModelV4FinishReason | undefined,
  prompt: LanguageModelV4Prompt,
  model: string,
): Outcome {
  return {
    text,
    toolCalls,
    usage: convertUsage(usage, prompt, text),
    finishReason: finishReason?.unified ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    model,
    latencyMs: 0,
  };
}
