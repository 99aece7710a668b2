import type { Redis } from "ioredis";
import { encodeSSE } from "../events/sse.js";
import type { StreamEvent } from "../events/stream-event.js";
import { encodePublishedEnd, encodePublishedFrames } from "./run-channels.js";

/**
 * Publishes the events of the runs a worker executes on Redis, as they happen (token by token),
 * so that a server (`llmteam serve --queue`) relays them to its SSE clients at once instead of
 * a step at a time from the run store. Each event is encoded as its SSE frame once, here; the
 * events of one turn of the event loop go out as one message (one `PUBLISH`). Nobody listening
 * costs one `PUBLISH` per batch. A publish that fails is dropped: the run store has every event,
 * and a reader that finds a gap reads it there.
 */
export class RunEventPublisher {
  constructor(
    private readonly client: Redis,
    private readonly channelOf: (runId: string) => string,
  ) {}

  /** Publishes the run's events until its log closes (a parked run's never does). */
  follow(runId: string, events: AsyncIterable<StreamEvent>): void {
    void this.pump(this.channelOf(runId), events);
  }

  private async pump(channel: string, events: AsyncIterable<StreamEvent>): Promise<void> {
    let frames: string[] = [];
    let first = 0;
    let last = 0;
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (frames.length === 0) return;
      const message = encodePublishedFrames(first, last, frames.join(""));
      frames = [];
      this.client.publish(channel, message).catch(() => undefined);
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
    if (last > 0) await this.client.publish(channel, encodePublishedEnd(last)).catch(() => 0);
  }
}
