import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import { convertUsage, estimateTokens } from "./convert-usage.js";
import type { CallContext, ModelRequest, ModelResponse, ModelToolCall } from "./model-call.js";
import { toProviderError } from "./to-provider-error.js";

/**
 * The innermost model call: one request to the provider through the AI SDK provider spec
 * (`doGenerate`, or `doStream` with a `token` event per text delta). Provider failures are
 * thrown as `ProviderError`; nothing here retries.
 */
export async function callModel(request: ModelRequest, context: CallContext): Promise<ModelResponse> {
  const { model, name } = request.model;
  const startedAt = context.clock.now();
  const options: LanguageModelV4CallOptions = { prompt: request.prompt, abortSignal: context.signal };
  if (request.maxOutputTokens !== undefined) options.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.tools && request.tools.length > 0) options.tools = request.tools;
  if (request.responseFormat) options.responseFormat = request.responseFormat;
  try {
    const response = request.stream ? await streamOnce(options, request, context) : readGenerated(await model.doGenerate(options), request);
    response.latencyMs = context.clock.now() - startedAt;
    return response;
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    throw toProviderError(error, { provider: model.provider, model: name, now: context.clock.now() });
  }
}

/** The response as read from the provider; `callModel` fills in `latencyMs`. */
type Outcome = ModelResponse;

function readGenerated(result: LanguageModelV4GenerateResult, request: ModelRequest): Outcome {
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  for (const part of result.content) collect(part, toolCalls, (delta) => (text += delta));
  return finish(text, toolCalls, result.usage, result.finishReason, request.prompt, request.model.name);
}

async function streamOnce(options: LanguageModelV4CallOptions, request: ModelRequest, context: CallContext): Promise<Outcome> {
  const { stream } = await request.model.model.doStream(options);
  const reader = stream.getReader();
  const events = context.events;
  // Counts emitted tokens for the retry and fallback layers (`discardedTokens` after a failure).
  const progress = context.streamProgress;
  let text = "";
  const toolCalls: ModelToolCall[] = [];
  let usage: LanguageModelV4Usage | undefined;
  let finishReason: LanguageModelV4FinishReason | undefined;
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
          const wait = events.emit("chunk", { kind: "reasoning", content: part.delta });
          if (wait) await wait;
          break;
        }
        case "tool-call":
          collect(part, toolCalls, () => undefined);
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
  } finally {
    reader.releaseLock();
  }
  return finish(text, toolCalls, usage, finishReason, request.prompt, request.model.name);
}

function collect(part: LanguageModelV4Content, toolCalls: ModelToolCall[], onText: (text: string) => void): void {
  if (part.type === "text") onText(part.text);
  else if (part.type === "tool-call" && !part.providerExecuted) {
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
    usage: convertUsage(usage, () => ({ input: estimatePromptTokens(prompt), output: estimateTokens(text) })),
    finishReason: finishReason?.unified ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    model,
    latencyMs: 0,
  };
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
