import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { ATTEMPT_LIMIT_DEFAULTS, withDeadline, type AttemptLimits } from "./attempt-deadline.js";
import { convertUsage } from "./convert-usage.js";
import { emitProviderWarnings } from "./provider-warnings.js";
import type { EventSink } from "../events/event-sink.js";
import type { Usage } from "../events/usage.js";
import type {
  CallContext,
  ModelCall,
  ModelRequest,
  ModelResponse,
  ModelToolCall,
  StreamProgress,
} from "./model-call.js";
import { toProviderError } from "./to-provider-error.js";

/**
 * The innermost model call under `limits`: one request to the provider through the AI SDK
 * provider spec (`doGenerate`, or `doStream` with a `token` event per text delta), bounded by
 * the attempt's deadline (see {@link withDeadline}). Provider failures are thrown as
 * `ProviderError`, a deadline as `ModelTimeoutError`; nothing here retries.
 */
export function createProviderCall(limits: AttemptLimits): ModelCall {
  // One reaction on the attempt's promise, not an async frame: at a thousand runs in flight
  // every suspended frame is live state (docs/performance.md).
  return (request, context) => {
    const startedAt = context.clock.now();
    let attempt: Promise<ModelResponse>;
    try {
      attempt = requestOnce(request, context, context.streamProgress, limits);
    } catch (error) {
      return Promise.reject(providerFailure(error, request, context));
    }
    return attempt.then(
      (response) => {
        response.latencyMs = context.clock.now() - startedAt;
        // The resilience layers' metrics ride on the response they wrap (no copy of it per layer).
        if (context.retryMetrics) response.retryMetrics = context.retryMetrics;
        return response;
      },
      (error: unknown) => {
        throw providerFailure(error, request, context);
      },
    );
  };
}

/** The provider call with the default limits ({@link ATTEMPT_LIMIT_DEFAULTS}). */
export const callModel: ModelCall = createProviderCall(ATTEMPT_LIMIT_DEFAULTS);

/**
 * One attempt at the provider under its deadline: `doGenerate`, or `doStream` read to its end.
 * Failures are as the provider threw them (callers convert them with {@link providerFailure});
 * the caller fills in `latencyMs`.
 */
function requestOnce(
  request: ModelRequest,
  context: CallContext,
  progress: StreamProgress | undefined,
  limits: AttemptLimits,
): Promise<ModelResponse> {
  return withDeadline(limits, request.stream, context, request.model.name, (signal, firstToken) => {
    const options = callOptions(request, signal);
    if (request.stream) return streamOnce(options, request, context.events, progress, firstToken);
    // A provider may hand back any thenable: `Promise.resolve` keeps a native promise as it is.
    return Promise.resolve(request.model.model.doGenerate(options)).then((result) => {
      const response = readGenerated(result, request);
      const wait = emitProviderWarnings(result.warnings, context.events, request.model.name);
      return wait ? wait.then(() => response) : response;
    });
  });
}

/** The provider call's options for `request`. */
function callOptions(request: ModelRequest, signal: AbortSignal): LanguageModelV4CallOptions {
  const options: LanguageModelV4CallOptions = { prompt: request.prompt, abortSignal: signal };
  if (request.maxOutputTokens !== undefined) options.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.tools && request.tools.length > 0) options.tools = request.tools;
  if (request.responseFormat) options.responseFormat = request.responseFormat;
  return options;
}

/** What a failed provider call throws: the abort reason when the call was aborted, else a `ProviderError`. */
function providerFailure(error: unknown, request: ModelRequest, context: CallContext): unknown {
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
function readGenerated(result: LanguageModelV4GenerateResult, request: ModelRequest): Outcome {
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
 * for the retry and fallback layers' `discardedTokens`), a `chunk` event per reasoning delta;
 * `firstToken` is called on the first delta of any kind.
 */
async function streamOnce(
  options: LanguageModelV4CallOptions,
  request: ModelRequest,
  events: EventSink,
  progress: StreamProgress | undefined,
  firstToken?: () => void,
): Promise<Outcome> {
  const signal = options.abortSignal;
  const { stream } = await request.model.model.doStream(options);
  const reader = stream.getReader();
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  let usage: LanguageModelV4Usage | undefined;
  let finishReason: LanguageModelV4FinishReason | undefined;
  let reasoning = "";
  if (progress)
    progress.observed = () =>
      text || reasoning || toolCalls.length > 0 || usage
        ? observedUsage(usage, request.prompt, text, reasoning, toolCalls)
        : undefined;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      // An abandoned attempt (cancelled, past its deadline) emits nothing more of what was buffered.
      if (signal?.aborted) throw signal.reason;
      const part: LanguageModelV4StreamPart = next.value;
      if (firstToken && isDelta(part)) {
        firstToken();
        firstToken = undefined;
      }
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
        case "stream-start": {
          const wait = emitProviderWarnings(part.warnings, events, request.model.name);
          if (wait) await wait;
          break;
        }
        case "error":
          throw part.error;
        default:
          break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (progress) progress.observed = undefined;
  return finish(text, toolCalls, usage, finishReason, request.prompt, request.model.name);
}

/** Output of the model (what a first-token deadline waits for), not stream bookkeeping. */
function isDelta(part: LanguageModelV4StreamPart): boolean {
  return (
    part.type === "text-delta" ||
    part.type === "reasoning-delta" ||
    part.type === "tool-input-start" ||
    part.type === "tool-call"
  );
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
