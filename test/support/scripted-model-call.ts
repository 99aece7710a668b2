// A hand-made fake model call for the resilience tests, until the core's ScriptedModel lands.
import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { EventSink } from "../../src/events/event-sink.js";
import type { StreamEventDataMap } from "../../src/events/stream-event.js";
import type { StreamEventType } from "../../src/events/stream-event-type.js";
import type { Clock } from "../../src/internal/clock.js";
import type { CallContext, ModelCall, ModelRequest, ModelResponse, ResolvedModel } from "../../src/providers/model-call.js";

/** One scripted step: answer with this text, throw this error, or run this function. */
export type Step = string | Error | ((request: ModelRequest, context: CallContext) => Promise<ModelResponse>);

/** A model call that plays `steps` in order, records its calls, and fails on an unexpected one. */
export interface ScriptedCall extends ModelCall {
  calls: { model: string; agentId: string; signal: AbortSignal }[];
}

export function scriptedCall(steps: Step[]): ScriptedCall {
  const queue = [...steps];
  const call = (async (request: ModelRequest, context: CallContext) => {
    call.calls.push({ model: request.model.name, agentId: context.agentId, signal: context.signal });
    const step = queue.shift();
    if (step === undefined) throw new Error(`Unexpected model call #${call.calls.length} to ${request.model.name}`);
    if (typeof step === "string") return response(step, request.model.name);
    if (step instanceof Error) throw step;
    return step(request, context);
  }) as ScriptedCall;
  call.calls = [];
  return call;
}

export function response(text: string, model: string): ModelResponse {
  return {
    text,
    toolCalls: [],
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    finishReason: "stop",
    model,
    latencyMs: 0,
  };
}

export function resolvedModel(name: string): ResolvedModel {
  return { name, model: {} as LanguageModelV4 };
}

export function request(name = "openai/gpt-4o-mini", extra: Partial<ModelRequest> = {}): ModelRequest {
  return { model: resolvedModel(name), prompt: [], stream: false, ...extra };
}

export interface RecordedEvent<T extends StreamEventType = StreamEventType> {
  type: T;
  data: StreamEventDataMap[T];
}

export class RecordingSink implements EventSink {
  readonly events: RecordedEvent[] = [];
  emit<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): void {
    this.events.push({ type, data });
  }
  of<T extends StreamEventType>(type: T): StreamEventDataMap[T][] {
    return this.events.filter((event) => event.type === type).map((event) => event.data as StreamEventDataMap[T]);
  }
}

export function callContext(
  clock: Clock,
  options: { signal?: AbortSignal; agentId?: string; events?: RecordingSink } = {},
): CallContext & { events: RecordingSink } {
  return {
    signal: options.signal ?? new AbortController().signal,
    clock,
    events: options.events ?? new RecordingSink(),
    runId: "run-1",
    agentId: options.agentId ?? "writer",
  };
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let index = 0; index < 20; index++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
