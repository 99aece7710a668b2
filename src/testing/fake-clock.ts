import type { Clock } from "../internal/clock.js";

interface Timer {
  at: number;
  order: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. `sleep()` waits until `advance()` passes its time.
 *
 * @example
 * const clock = new FakeClock();
 * const done = clock.sleep(1_000);
 * await clock.advance(1_000); // `done` resolves
 */
export class FakeClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private order = 0;

  /** @param startMs the starting time in ms since the epoch (default 2026-01-01T00:00:00Z). */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Number of sleeps waiting for the clock to move. */
  get pendingSleeps(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        order: this.order++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((entry) => entry !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Calls `callback` when `advance()` passes `ms` from now; the returned function cancels it. */
  setTimer(ms: number, callback: () => void): () => void {
    const timer: Timer = {
      at: this.current + Math.max(0, ms),
      order: this.order++,
      resolve: callback,
    };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((entry) => entry !== timer);
    };
  }

  /**
   * Moves time forward by `ms`, waking each sleeper in time order and letting the code it
   * resumes run (and schedule new sleeps) before moving on.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.nextTimer(target);
      if (!next) break;
      this.timers = this.timers.filter((entry) => entry !== next);
      this.current = next.at;
      next.resolve();
      await flushMicrotasks();
    }
    this.current = target;
    await flushMicrotasks();
  }

  /** Sets the time directly (never backwards), waking sleepers due by then. */
  async setTime(ms: number): Promise<void> {
    await this.advance(Math.max(0, ms - this.current));
  }

  private nextTimer(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.at > limit) continue;
      if (!best || timer.at < best.at || (timer.at === best.at && timer.order < best.order)) {
        best = timer;
      }
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let index = 0; index < 20; index++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
