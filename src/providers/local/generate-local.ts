import type {
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4ToolCall,
  LanguageModelV4Usage,
  SharedV4Warning,
} from "@ai-sdk/provider";
import type {
  ChatModelFunctions,
  LlamaChatResponse,
  LlamaContextSequence,
  LlamaGrammar,
  Token,
} from "node-llama-cpp";
import { ConfigError } from "../../errors/config-error.js";
import { ProviderError } from "../../errors/provider-error.js";
import { type ConvertedPrompt, convertPrompt } from "./convert-prompt.js";
import type { LoadedLocalModel, LoadSettings } from "./load-local-model.js";
import type { SequencePool } from "./sequence-pool.js";
import { toGrammarSchema } from "./to-grammar-schema.js";

/** What one local generation produced. */
export interface LocalGeneration {
  text: string;
  toolCalls: LanguageModelV4ToolCall[];
  finishReason: LanguageModelV4FinishReason;
  usage: LanguageModelV4Usage;
  warnings: SharedV4Warning[];
}

let toolCallCounter = 0;

/**
 * Runs one generation on a pooled sequence: converts the prompt, applies the settings, calls
 * `LlamaChat.generateResponse` and converts the result. `onStart` receives the warnings before
 * generation starts, `onText` the text as it is made.
 * @throws the abort signal's reason when aborted; ConfigError when the response schema cannot
 *   become a grammar; ProviderError when the prompt does not fit the context or llama.cpp fails.
 */
export async function generateLocal(
  loaded: LoadedLocalModel,
  settings: LoadSettings,
  options: LanguageModelV4CallOptions,
  callbacks: {
    onText?: (delta: string) => void;
    onStart?: (warnings: SharedV4Warning[]) => void;
  } = {},
): Promise<LocalGeneration> {
  const signal = options.abortSignal;
  signal?.throwIfAborted();
  const prompt = preparePrompt(options);
  const { history, functions, warnings } = prompt;
  const grammar = await responseGrammar(loaded, options, prompt);
  callbacks.onStart?.(warnings);
  const { pool, sequence, promptTokens, room } = await acquireFitting(
    loaded,
    settings,
    prompt,
    signal,
  );
  const cachedTokens = commonPrefixLength(sequence.contextTokens, promptTokens);
  const meterBefore = sequence.tokenMeter.getState();
  const chat = new loaded.module.LlamaChat({
    contextSequence: sequence,
    chatWrapper: loaded.chatWrapper,
    autoDisposeSequence: false,
  });
  try {
    const common = generationOptions(options, room, callbacks.onText);
    const response: LlamaChatResponse<ChatModelFunctions> = functions
      ? await chat.generateResponse(history, { ...common, functions })
      : await chat.generateResponse(history, { ...common, ...(grammar ? { grammar } : {}) });
    const generated = sequence.tokenMeter.diff(meterBefore).usedOutputTokens;
    const toolCalls = toToolCalls(response);
    return {
      text: response.response,
      toolCalls,
      finishReason: finishReason(response, toolCalls.length > 0),
      usage: {
        inputTokens: {
          total: promptTokens.length,
          noCache: promptTokens.length - cachedTokens,
          cacheRead: cachedTokens,
          cacheWrite: undefined,
        },
        outputTokens: { total: generated, text: generated, reasoning: undefined },
      },
      warnings,
    };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const message = error instanceof Error ? error.message : String(error);
    throw new ProviderError(`Local model ${loaded.model.filename ?? ""} failed: ${message}`, {
      provider: "local",
      isRetryable: false,
      cause: error,
    });
  } finally {
    chat.dispose({ disposeSequence: false });
    pool.release(sequence);
  }
}

/** The prompt as a chat history, with warnings for the options local models ignore. */
function preparePrompt(options: LanguageModelV4CallOptions): ConvertedPrompt {
  const converted = convertPrompt(options);
  if (options.reasoning !== undefined && options.reasoning !== "provider-default") {
    converted.warnings.push({
      type: "unsupported",
      feature: "reasoning",
      details: "Local models ignore it.",
    });
  }
  if (options.headers && Object.keys(options.headers).length > 0) {
    converted.warnings.push({
      type: "unsupported",
      feature: "headers",
      details: "Local models make no HTTP requests.",
    });
  }
  return converted;
}

/**
 * The grammar enforcing a JSON response format, or undefined when none is asked for or tools are
 * offered (then with a warning).
 * @throws ConfigError when the schema cannot become a grammar.
 */
async function responseGrammar(
  loaded: LoadedLocalModel,
  options: LanguageModelV4CallOptions,
  { functions, warnings }: ConvertedPrompt,
): Promise<LlamaGrammar | undefined> {
  if (options.responseFormat?.type !== "json") return undefined;
  if (functions) {
    warnings.push({
      type: "unsupported",
      feature: "responseFormat json with tools",
      details: "The JSON grammar is not applied while tools are offered.",
    });
    return undefined;
  }
  const schema = options.responseFormat.schema;
  return loaded.grammar(schema ? toGrammarSchema(schema) : undefined).catch((error: unknown) => {
    throw new ConfigError(
      `The JSON Schema of the response format cannot be enforced by a grammar: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  });
}

/**
 * A pooled sequence for the prompt, with the prompt's real token count and the room left for
 * output. The prompt as llama.cpp will see it is checked to fit (the chat would otherwise cut
 * the prompt silently to make room).
 * @throws ProviderError when it does not fit (the sequence is released first).
 */
async function acquireFitting(
  loaded: LoadedLocalModel,
  settings: LoadSettings,
  { history, functions }: ConvertedPrompt,
  signal: AbortSignal | undefined,
): Promise<{
  pool: SequencePool;
  sequence: LlamaContextSequence;
  promptTokens: Token[];
  room: number;
}> {
  const { contextText } = loaded.chatWrapper.generateContextState({
    chatHistory: history,
    ...(functions ? { availableFunctions: functions } : {}),
  });
  const promptTokens = contextText.tokenize(loaded.model.tokenizer);
  const pool = loaded.pool(settings);
  const sequence = await pool.acquire(signal);
  const room = sequence.contextSize - promptTokens.length;
  if (room < 1) {
    pool.release(sequence);
    throw new ProviderError(
      `Local model ${loaded.model.filename ?? ""}: the prompt (${promptTokens.length} tokens) does not fit the context of ${sequence.contextSize} tokens. Shorten it, offer fewer tools, or raise contextSize (the model was trained on ${loaded.model.trainContextSize}).`,
      { provider: "local", isRetryable: false },
    );
  }
  return { pool, sequence, promptTokens, room };
}

/** The call options as `LlamaChat.generateResponse` options, shared by both kinds of call. */
function generationOptions(
  options: LanguageModelV4CallOptions,
  room: number,
  onText: ((delta: string) => void) | undefined,
) {
  const signal = options.abortSignal;
  return {
    // Never more than the room left, so the chat never shifts (drops) parts of the prompt.
    maxTokens: Math.min(options.maxOutputTokens ?? room, room),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.presencePenalty !== undefined || options.frequencyPenalty !== undefined
      ? {
          repeatPenalty: {
            presencePenalty: options.presencePenalty ?? 0,
            frequencyPenalty: options.frequencyPenalty ?? 0,
          },
        }
      : {}),
    ...(options.stopSequences && options.stopSequences.length > 0
      ? { customStopTriggers: options.stopSequences }
      : {}),
    ...(signal ? { signal } : {}),
    stopOnAbortSignal: false,
    trimWhitespaceSuffix: true,
    ...(onText
      ? {
          onTextChunk: (text: string) => {
            if (text.length > 0) onText(text);
          },
        }
      : {}),
  };
}

function toToolCalls(response: LlamaChatResponse<ChatModelFunctions>): LanguageModelV4ToolCall[] {
  return (response.functionCalls ?? []).map((call): LanguageModelV4ToolCall => ({
    type: "tool-call",
    toolCallId: `local-call-${++toolCallCounter}`,
    toolName: call.functionName,
    input: JSON.stringify(call.params ?? {}),
  }));
}

function finishReason(
  response: LlamaChatResponse<ChatModelFunctions>,
  calledTools: boolean,
): LanguageModelV4FinishReason {
  const raw = response.metadata.stopReason;
  if (calledTools) return { unified: "tool-calls", raw };
  switch (raw) {
    case "maxTokens":
      return { unified: "length", raw };
    case "abort":
      return { unified: "interrupted", raw };
    default:
      return { unified: "stop", raw };
  }
}

function commonPrefixLength(first: readonly Token[], second: readonly Token[]): number {
  const length = Math.min(first.length, second.length);
  let index = 0;
  while (index < length && first[index] === second[index]) index++;
  return index;
}
