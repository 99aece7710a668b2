import type { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { RunResult } from "./run-result.js";

/**
 * A run as it happens: iterate it for events; `result` resolves with the same
 * {@link RunResult} that `run()` returns. Breaking out of the loop cancels the run.
 * Events wait in a bounded buffer while the consumer is busy (the run pauses when it is full),
 * so iterate the stream — or call `run()` when you only need the result.
 */
export class RunStream<TOutput = unknown> implements AsyncIterable<StreamEvent> {
  readonly #result: Promise<RunResult<TOutput>>;

  constructor(
    /** The run's id. */
    readonly runId: string,
    private readonly channel: EventChannel<StreamEvent>,
    result: Promise<RunResult<TOutput>>,
  ) {
    this.#result = result;
    // A consumer that only iterates must not see an unhandled rejection from `result`.
    result.catch(() => undefined);
  }

  /** Events produced but not read yet (at most the stream buffer size, plus one). */
  get buffered(): number {
    return this.channel.size;
  }

  /**
   * Resolves when the run has ended, however it ended — whether or not anyone reads the events.
   * Awaiting it before iterating means only the result is wanted: once the stream buffer fills
   * with nobody reading, the events are discarded rather than pausing the run (a later iteration
   * then fails and says so).
   */
  get result(): Promise<RunResult<TOutput>> {
    this.channel.resultOnly();
    return this.#result;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.channel;
  }
}
