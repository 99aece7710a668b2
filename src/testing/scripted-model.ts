import {
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4Content,
  type LanguageModelV4FinishReason,
  type LanguageModelV4GenerateResult,
  type LanguageModelV4StreamPart,
  type LanguageModelV4StreamResult,
  type LanguageModelV4Usage,
} from "@ai-sdk/provider";
import type { Clock } from "../internal/clock.js";
import { httpError, type ScriptedHttpError, type ScriptedToolCall } from "./scripted-parts.js";

export type { ScriptedHttpError, ScriptedToolCall } from "./scripted-parts.js";

/** One scripted answer. A plain string is `{ text }`. */
export type ScriptedResponse =
  | string
  | {
      /** Answer text. In a streamed call it is split into word deltas unless `chunks` is given. */
      text?: string;
      /** Exact deltas for a streamed call (their concatenation is the text). */
      chunks?: string[];
      /** In a streamed call: wait this long before each text delta (on the model's clock). */
      chunkDelayMs?: number;
      /** A structured answer, returned as JSON text. */
      object?: unknown;
      toolCalls?: ScriptedToolCall[];
      /** Reported usage; default: prompt characters / 4 in, text characters / 4 out. */
      usage?: {
        inputTokens?: number;
        outputTokens?: number;
        cachedInputTokens?: number;
        reasoningTokens?: number;
      };
      /** Report no usage at all, like a provider that does not send it. */
      omitUsage?: boolean;
      finishReason?: LanguageModelV4FinishReason["unified"];
      /** Wait this long before answering (on the model's clock). */
      delayMs?: number;
      /** Throw this instead of answering. */
      error?: unknown;
      /** Fail with this HTTP status (and headers such as `retry-after`). */
      httpError?: ScriptedHttpError;
      /** In a streamed call: send the chunks, then fail with this error mid-stream. */
      streamError?: unknown;
    };

/** A call the scripted model received. */
export interface ScriptedCall {
  /** 0-based position among all calls to this model. */
  index: number;
  mode: "generate" | "stream";
  options: LanguageModelV4CallOptions;
}

/** Options of {@link ScriptedModel}. */
export interface ScriptedModelOptions {
  /** Answers in order, or a function giving the answer for each call. */
  responses: ScriptedResponse[] | ((call: ScriptedCall) => ScriptedResponse);
  /** `modelId` of the model (default `scripted`). */
  modelId?: string;
  /** `provider` of the model (default `scripted`). */
  provider?: string;
  /** Wait this long before every answer (default 0). */
  delayMs?: number;
  /** Clock for delays (default: real timers). */
  clock?: Clock;
  /** Record calls in `calls` (default true; turn off in benchmarks). */
  recordCalls?: boolean;
}

/**
 * An AI SDK language model that plays scripted answers: text, tool calls, streamed deltas,
 * structured output, errors and HTTP failures with status and headers. It records every call
 * and fails loudly on a call nobody scripted.
 *
 * @example
 * const model = new ScriptedModel({ responses: ["Billing", "We fixed your invoice."] });
 * const team = new LLMTeam({ teamId: "t", models: { "test/model": model }, model: "test/model" });
 */
export class ScriptedModel implements LanguageModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls = {};
  /** Every call received, in order. */
  readonly calls: ScriptedCall[] = [];
  private readonly script: ScriptedModelOptions["responses"];
  private readonly delayMs: number;
  private readonly clock: Clock | undefined;
  private readonly record: boolean;
  private callCount = 0;

  constructor(options: ScriptedModelOptions) {
    this.script = options.responses;
    this.modelId = options.modelId ?? "scripted";
    this.provider = options.provider ?? "scripted";
    this.delayMs = options.delayMs ?? 0;
    this.clock = options.clock;
    this.record = options.recordCalls ?? true;
  }

  /** How many calls were made. */
  get callsMade(): number {
    return this.callCount;
  }

  /** How many scripted answers are still waiting (for an array script). */
  get remaining(): number {
    return Array.isArray(this.script)
      ? this.script.length - this.callCount
      : Number.POSITIVE_INFINITY;
  }

  doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    return this.next("generate", options, generated);
  }

  doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    return this.next("stream", options, (response, callNumber, call) =>
      streamOf(response, callNumber, call, this.wait),
    );
  }

  /** Waits on the model's clock (real timers without one). */
  private readonly wait = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
    this.clock ? this.clock.sleep(ms, signal) : delayCall(ms, signal);

  /**
   * Takes the next scripted answer, waits its delay, then builds the result with `build`; every
   * failure (an unexpected call, a scripted error, an abort) is a rejection. One promise
   * reaction per call rather than async frames: a model of negligible cost, for benchmarks.
   */
  private next<T>(
    mode: ScriptedCall["mode"],
    options: LanguageModelV4CallOptions,
    build: (
      response: Exclude<ScriptedResponse, string>,
      callNumber: number,
      options: LanguageModelV4CallOptions,
    ) => T,
  ): Promise<T> {
    let answer: Exclude<ScriptedResponse, string>;
    try {
      answer = this.take(mode, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const callNumber = this.callCount;
    const deliver = (): T => {
      options.abortSignal?.throwIfAborted();
      if (answer.error !== undefined) throw answer.error;
      if (answer.httpError) throw httpError(answer.httpError, options);
      return build(answer, callNumber, options);
    };
    const delay = answer.delayMs ?? this.delayMs;
    if (delay <= 0) return Promise.resolve().then(deliver);
    return this.wait(delay, options.abortSignal).then(deliver);
  }

  /** Records the call and picks its scripted answer. @throws on a call nobody scripted. */
  private take(
    mode: ScriptedCall["mode"],
    options: LanguageModelV4CallOptions,
  ): Exclude<ScriptedResponse, string> {
    const call: ScriptedCall = { index: this.callCount, mode, options };
    this.callCount++;
    if (this.record) this.calls.push(call);
    let response: ScriptedResponse | undefined;
    if (typeof this.script === "function") response = this.script(call);
    else {
      response = this.script[call.index];
      if (response === undefined) {
        throw new Error(
          `ScriptedModel "${this.modelId}" got an unexpected call #${call.index + 1}: only ${this.script.length} responses were scripted. Last message: ${lastMessage(options)}`,
        );
      }
    }
    return typeof response === "string" ? { text: response } : response;
  }
}

/** The `doGenerate` result of a scripted answer. */
function generated(
  response: Exclude<ScriptedResponse, string>,
  callNumber: number,
  options: LanguageModelV4CallOptions,
): LanguageModelV4GenerateResult {
  const content: LanguageModelV4Content[] = [];
  const text = textOf(response);
  if (text) content.push({ type: "text", text });
  for (const call of response.toolCalls ?? []) content.push(toolCallPart(call, callNumber));
  return {
    content,
    finishReason: finishReasonOf(response),
    usage: usageOf(response, options, text),
    warnings: [],
  };
}

/**
 * The stream of a scripted answer: its parts, handed out as the reader pulls; with
 * `chunkDelayMs`, one part a pull, each text delta after that wait.
 */
function streamOf(
  response: Exclude<ScriptedResponse, string>,
  callNumber: number,
  options: LanguageModelV4CallOptions,
  wait: (ms: number, signal: AbortSignal | undefined) => Promise<void>,
): LanguageModelV4StreamResult {
  const text = textOf(response);
  const chunks = response.chunks ?? splitWords(text);
  const parts: LanguageModelV4StreamPart[] = [{ type: "stream-start", warnings: [] }];
  if (chunks.length > 0) {
    parts.push({ type: "text-start", id: "0" });
    for (const delta of chunks) parts.push({ type: "text-delta", id: "0", delta });
  }
  if (response.streamError !== undefined) {
    parts.push({ type: "error", error: response.streamError });
  } else {
    if (chunks.length > 0) parts.push({ type: "text-end", id: "0" });
    for (const call of response.toolCalls ?? []) parts.push(toolCallPart(call, callNumber));
    parts.push({
      type: "finish",
      usage: usageOf(response, options, text),
      finishReason: finishReasonOf(response),
    });
  }
  let index = 0;
  const signal = options.abortSignal;
  const pace = response.chunkDelayMs ?? 0;
  const stream = new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      // A short answer (the usual case) is queued whole at once: no pull round trips.
      if (pace > 0 || parts.length > 64 || signal?.aborted) return;
      for (const part of parts) controller.enqueue(part);
      index = parts.length;
      controller.close();
    },
    async pull(controller) {
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      if (pace > 0) {
        const part = parts[index++]!;
        if (part.type === "text-delta") await wait(pace, signal);
        controller.enqueue(part);
        if (index >= parts.length) controller.close();
        return;
      }
      // Hand out a batch per pull: cheap for long streams, still incremental.
      const end = Math.min(index + 64, parts.length);
      while (index < end) controller.enqueue(parts[index++]);
      if (index >= parts.length) controller.close();
    },
  });
  return { stream };
}

/** Cancels of the delays waiting on each signal: one abort listener per signal, however many calls wait on it. */
const waitingOn = new WeakMap<AbortSignal, Set<Delay>>();

/**
 * Waits `ms` on real timers; rejects with `signal.reason` when the signal aborts first. A run
 * makes many calls with the same signal, so the signal gets one abort listener (kept until it
 * aborts or is collected) rather than one added and removed per call, as a model of negligible
 * cost should.
 */
function delayCall(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let waiting = waitingOn.get(signal);
  if (!waiting) {
    const delays = new Set<Delay>();
    signal.addEventListener("abort", () => {
      for (const delay of delays) {
        clearTimeout(delay.timer);
        delay.reject(signal.reason);
      }
      delays.clear();
    });
    waitingOn.set(signal, delays);
    waiting = delays;
  }
  const delay: Delay = { resolve: undefined!, reject: undefined!, waiting, timer: undefined };
  const promise = new Promise<void>((resolve, reject) => {
    delay.resolve = resolve;
    delay.reject = reject;
  });
  delay.timer = setTimeout(endDelay, ms, delay);
  waiting.add(delay);
  return promise;
}

/** A delay in progress: how to end it, and the set of its signal's delays it is in. */
interface Delay {
  resolve: () => void;
  reject: (reason: unknown) => void;
  waiting: Set<Delay>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function endDelay(delay: Delay): void {
  delay.waiting.delete(delay);
  delay.resolve();
}

function textOf(response: Exclude<ScriptedResponse, string>): string {
  if (response.text !== undefined) return response.text;
  if (response.chunks) return response.chunks.join("");
  if (response.object !== undefined) return JSON.stringify(response.object);
  return "";
}

function splitWords(text: string): string[] {
  return text.length === 0 ? [] : (text.match(/\s*\S+\s*/g) ?? [text]);
}

function toolCallPart(
  call: ScriptedToolCall,
  callNumber: number,
): LanguageModelV4Content & { type: "tool-call" } {
  return {
    type: "tool-call",
    toolCallId:
      call.toolCallId ??
      `call-${callNumber}-${call.toolName}-${Math.random().toString(36).slice(2, 8)}`,
    toolName: call.toolName,
    input: typeof call.input === "string" ? call.input : JSON.stringify(call.input ?? {}),
  };
}

function finishReasonOf(
  response: Exclude<ScriptedResponse, string>,
): LanguageModelV4GenerateResult["finishReason"] {
  const unified = response.finishReason ?? (response.toolCalls?.length ? "tool-calls" : "stop");
  return { unified, raw: unified };
}

function usageOf(
  response: Exclude<ScriptedResponse, string>,
  options: LanguageModelV4CallOptions,
  text: string,
): LanguageModelV4Usage {
  if (response.omitUsage) {
    return {
      inputTokens: {
        total: undefined,
        noCache: undefined,
        cacheRead: undefined,
        cacheWrite: undefined,
      },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const input = response.usage?.inputTokens ?? Math.ceil(promptCharacters(options) / 4);
  const output = response.usage?.outputTokens ?? Math.ceil(text.length / 4);
  const cached = response.usage?.cachedInputTokens;
  const reasoning = response.usage?.reasoningTokens;
  return {
    inputTokens: {
      total: input,
      noCache: cached === undefined ? input : input - cached,
      cacheRead: cached,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: output,
      text: reasoning === undefined ? output : output - reasoning,
      reasoning,
    },
  };
}

function promptCharacters(options: LanguageModelV4CallOptions): number {
  let characters = 0;
  for (const message of options.prompt) {
    if (typeof message.content === "string") characters += message.content.length;
    else
      for (const part of message.content) if (part.type === "text") characters += part.text.length;
  }
  return characters;
}

function lastMessage(options: LanguageModelV4CallOptions): string {
  const message = options.prompt.at(-1);
  if (!message) return "(empty prompt)";
  const text =
    typeof message.content === "string" ? message.content : JSON.stringify(message.content);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
