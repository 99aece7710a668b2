import type { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { GroupResult } from "./group-result.js";

/**
 * A group run as it happens: iterate it for the events of the group and of every team in it
 * (their `agentPath` is `group/team/agent`); `result` resolves with the same
 * {@link GroupResult} that `run()` returns. Breaking out of the loop cancels the run.
 */
export class GroupStream implements AsyncIterable<StreamEvent> {
  readonly #result: Promise<GroupResult>;

  constructor(
    /** The run's id (shared by the group and its teams' runs). */
    readonly runId: string,
    private readonly channel: EventChannel<StreamEvent>,
    result: Promise<GroupResult>,
  ) {
    this.#result = result;
    result.catch(() => undefined);
  }

  /**
   * Resolves when the run has ended, however it ended — whether or not anyone reads the events.
   * Awaiting it before iterating means only the result is wanted: once the stream buffer fills
   * with nobody reading, the events are discarded rather than pausing the run (a later iteration
   * then fails and says so).
   */
  get result(): Promise<GroupResult> {
    this.channel.resultOnly();
    return this.#result;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.channel;
  }
}
