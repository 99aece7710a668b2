import { jsonCopy } from "../internal/json-copy.js";
import { encodeSSE } from "./sse.js";
import type { StreamEvent, StreamEventDataMap, StreamEventJSON } from "./stream-event.js";
import type { StreamEventType } from "./stream-event-type.js";

class RunEvent {
  constructor(
    readonly type: StreamEventType,
    readonly runId: string,
    readonly seq: number,
    readonly timestamp: number,
    readonly agentId: string | undefined,
    readonly agentPath: string | undefined,
    readonly data: unknown,
  ) {}

  toSSE(): string {
    return encodeSSE(this.type, this.seq, JSON.stringify(this));
  }

  toDict(): StreamEventJSON {
    return jsonCopy(this) as StreamEventJSON;
  }
}

/** Builds an event object (internal: runs number their own events). */
export function createEvent<T extends StreamEventType>(
  type: T,
  runId: string,
  seq: number,
  timestamp: number,
  agentId: string | undefined,
  agentPath: string | undefined,
  data: StreamEventDataMap[T],
  cause?: unknown,
): StreamEvent {
  const event = new RunEvent(type, runId, seq, timestamp, agentId, agentPath, data);
  // The original error rides along with failure events for live consumers; it is not part of the JSON.
  if (cause !== undefined)
    Object.defineProperty(event, "cause", { value: cause, enumerable: false });
  return event as unknown as StreamEvent;
}

/** The original error behind a failure event, when the event was made in this process. */
export function eventCause(event: StreamEvent): unknown {
  return (event as { cause?: unknown }).cause;
}

/** Rebuilds an event from its JSON form (e.g. read back from a store or an SSE stream). */
export function eventFromJSON(json: StreamEventJSON): StreamEvent {
  return createEvent(
    json.type,
    json.runId,
    json.seq,
    json.timestamp,
    json.agentId,
    json.agentPath,
    json.data as never,
  );
}
