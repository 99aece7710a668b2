// Fixtures for the resilience tests: scripted models behind the core's real model call.
import type { EventSink } from "../../src/events/event-sink.js";
import type { StreamEventDataMap } from "../../src/events/stream-event.js";
import type { StreamEventType } from "../../src/events/stream-event-type.js";
import type { Clock } from "../../src/internal/clock.js";
import type { CallContext, ModelRequest, ResolvedModel } from "../../src/providers/model-call.js";
import { ScriptedModel, type ScriptedResponse } from "../../src/testing/scripted-model.js";

/** A `ScriptedModel` under a configured name, on `clock` (for `delayMs`). */
export function scriptedModel(
  responses: ScriptedResponse[],
  options: { name?: string; clock?: Clock } = {},
): ResolvedModel & { model: ScriptedModel } {
  const name = options.name ?? "openai/gpt-4o-mini";
  return {
    name,
    model: new ScriptedModel({
      responses,
      modelId: name,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
  };
}

/** An HTTP failure as the provider would send it. */
export function http(status: number, headers?: Record<string, string>): ScriptedResponse {
  return { httpError: { status, ...(headers ? { headers } : {}) } };
}

/** A request for `model`, with a one-message prompt. */
export function request(model: ResolvedModel, extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model,
    prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    stream: false,
    ...extra,
  };
}

export interface RecordedEvent<T extends StreamEventType = StreamEventType> {
  type: T;
  data: StreamEventDataMap[T];
}

/** An event sink that keeps what it is sent. */
export class RecordingSink implements EventSink {
  readonly events: RecordedEvent[] = [];
  emit<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): void {
    this.events.push({ type, data });
  }
  of<T extends StreamEventType>(type: T): StreamEventDataMap[T][] {
    return this.events
      .filter((event) => event.type === type)
      .map((event) => event.data as StreamEventDataMap[T]);
  }
}

/** A call context on `clock`, recording its events. */
export function callContext(
  clock: Clock,
  options: { signal?: AbortSignal; agentId?: string } = {},
): CallContext & { events: RecordingSink } {
  return {
    signal: options.signal ?? new AbortController().signal,
    clock,
    events: new RecordingSink(),
    runId: "run-1",
    agentId: options.agentId ?? "writer",
  };
}

/** A network failure as fetch reports it: `TypeError` caused by a socket error code. */
export function networkError(code = "ECONNRESET"): TypeError {
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error(`socket ${code}`), { code }),
  });
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let index = 0; index < 20; index++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
