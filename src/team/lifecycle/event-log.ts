import type { StreamEvent } from "../../events/stream-event.js";

/**
 * Every event of one run, kept in order. Any number of readers iterate it from the start and
 * then wait for new events; reading never slows the run (unlike a stream's bounded buffer),
 * and a reader that stops early does not cancel the run.
 */
export class EventLog implements AsyncIterable<StreamEvent> {
  readonly events: StreamEvent[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiters: (() => void)[] = [];

  /** Appends one event and wakes the readers. */
  readonly append = (event: StreamEvent): void => {
    this.events.push(event);
    this.wake();
  };

  /** No more events: readers finish after the last one. */
  close(): void {
    this.ended = true;
    this.wake();
  }

  /** The run could not start: readers get `error` after the events so far. */
  fail(error: unknown): void {
    this.failure = { error };
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    let index = 0;
    for (;;) {
      while (index < this.events.length) yield this.events[index++]!;
      if (this.ended) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
