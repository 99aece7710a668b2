import type { StreamEventDataMap } from "./stream-event.js";
import type { StreamEventType } from "./stream-event-type.js";

/**
 * Where code inside a run sends its events. The run numbers them (`seq`), stamps them and
 * tags them with the agent the sink belongs to.
 *
 * `emit` returns a promise only when the consumer is behind (back-pressure): hot paths do
 * `const wait = sink.emit(...); if (wait) await wait;` and pay nothing otherwise.
 */
export interface EventSink {
  /**
   * Emits one event. `timestamp` (ms since the epoch, from the run's clock) stamps it with a
   * time the caller has just read; default: the clock's time now.
   */
  emit<T extends StreamEventType>(
    type: T,
    data: StreamEventDataMap[T],
    timestamp?: number,
  ): void | Promise<void>;
}
