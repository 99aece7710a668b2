import { encodeSSE } from "../events/sse.js";
import type { StreamEvent } from "../events/stream-event.js";

/**
 * One live run's events as SSE frames, encoded once and shared by every client reading them:
 * a reader of the run's log that turns each event into its frame as it arrives. With 200
 * clients on one run, an event is serialised once, not 200 times.
 */
export class RunBroadcast {
  /** `frames[i]` is the frame of the event with sequence number `seqs[i]`. */
  readonly frames: string[] = [];
  readonly seqs: number[] = [];
  private done = false;
  private waiters: (() => void)[] = [];

  constructor(events: AsyncIterable<StreamEvent>) {
    void this.read(events);
  }

  /** True when the run's log has ended (every frame is here). */
  get ended(): boolean {
    return this.done;
  }

  /** The index of the first frame after sequence number `seq`. */
  indexAfter(seq: number): number {
    const first = this.seqs[0];
    if (first === undefined || seq < first) return 0;
    return Math.min(this.seqs.length, seq - first + 1);
  }

  /** Resolves when there is a frame at `index`, the log has ended, or `signal` aborts. */
  wait(index: number, signal: AbortSignal): Promise<void> {
    if (index < this.frames.length || this.done || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        resolve();
      };
      signal.addEventListener("abort", wake, { once: true });
      this.waiters.push(wake);
    });
  }

  private async read(events: AsyncIterable<StreamEvent>): Promise<void> {
    try {
      for await (const event of events) {
        this.frames.push(encodeSSE(event.type, event.seq, JSON.stringify(event.toDict())));
        this.seqs.push(event.seq);
        this.wake();
      }
    } catch {
      // The run could not start: readers find what the store has.
    }
    this.done = true;
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
