import type { Redis } from "ioredis";
import { encodeSSE } from "../events/sse.js";
import type { StreamEvent } from "../events/stream-event.js";
import {
  BACKLOG_LENGTH,
  BACKLOG_TTL_SECONDS,
  encodePublishedEnd,
  encodePublishedFrames,
  runChannels,
  type QueueNaming,
} from "./run-channels.js";

/**
 * Publishes the events of the runs a worker executes on Redis, as they happen (token by token),
 * so that a server (`llmteam serve --queue`) relays them to its SSE clients at once instead of
 * a step at a time from the run store. Each event is encoded as its SSE frame once, here; the
 * events of one turn of the event loop go out as one message: one `PUBLISH`, and one `XADD` to
 * the run's backlog (the last few hundred messages, for a reader that joins mid-step), in one
 * pipeline. The backlog is deleted when the run's log closes. A publish that fails is dropped:
 * the run store has every event, and a reader that finds a gap reads it there.
 */
export class RunEventPublisher {
  private readonly channels: ReturnType<typeof runChannels>;

  constructor(
    private readonly client: Redis,
    queue: QueueNaming,
  ) {
    this.channels = runChannels(queue);
  }

  /** Publishes the run's events until its log closes (a parked run's never does). */
  follow(runId: string, events: AsyncIterable<StreamEvent>): void {
    void this.pump(this.channels.events(runId), this.channels.backlog(runId), events);
  }

  private async pump(
    channel: string,
    backlog: string,
    events: AsyncIterable<StreamEvent>,
  ): Promise<void> {
    let frames: string[] = [];
    let first = 0;
    let last = 0;
    let scheduled = false;
    let expiresAt = 0;
    const flush = () => {
      scheduled = false;
      if (frames.length === 0) return;
      const message = encodePublishedFrames(first, last, frames.join(""));
      frames = [];
      const batch = this.client.pipeline();
      batch.xadd(backlog, "MAXLEN", "~", BACKLOG_LENGTH, "*", "m", message);
      batch.publish(channel, message);
      // The backlog's time to live, renewed at most once a minute.
      if (Date.now() > expiresAt - (BACKLOG_TTL_SECONDS - 60) * 1000) {
        expiresAt = Date.now() + BACKLOG_TTL_SECONDS * 1000;
        batch.expire(backlog, BACKLOG_TTL_SECONDS);
      }
      batch.exec().catch(() => undefined);
    };
    try {
      for await (const event of events) {
        if (frames.length === 0) first = event.seq;
        frames.push(encodeSSE(event.type, event.seq, JSON.stringify(event.toDict())));
        last = event.seq;
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
    } catch {
      // The run could not start: its readers find what the store has.
    }
    flush();
    if (last === 0) return;
    // Every event is stored now: the backlog has nothing a reader could miss.
    await this.client
      .pipeline()
      .publish(channel, encodePublishedEnd(last))
      .del(backlog)
      .exec()
      .catch(() => undefined);
  }
}
