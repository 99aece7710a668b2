import type { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { GroupResult } from "./group-result.js";

/**
 * A group run as it happens: iterate it for the events of the group and of every team in it
 * (their `agentPath` is `group/team/agent`); `result` resolves with the same
 * {@link GroupResult} that `run()` returns. Breaking out of the loop cancels the run.
 */
export class GroupStream implements AsyncIterable<StreamEvent> {
  /** Resolves when the group run has ended, however it ended. */
  readonly result: Promise<GroupResult>;

  constructor(
    /** The run's id (shared by the group and its teams' runs). */
    readonly runId: string,
    private readonly channel: EventChannel<StreamEvent>,
    result: Promise<GroupResult>,
  ) {
    this.result = result;
    result.catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.channel;
  }
}
