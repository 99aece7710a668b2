/**
 * Time as llmteam sees it. Retries, breakers, budget periods and timeouts all read time
 * through a `Clock`, so tests drive them with a fake clock and no real sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` after `ms`; the returned function cancels it. Optional: a clock without it
   * gets timers made of `sleep` (see {@link startTimer}), at the cost of a promise and an
   * `AbortController` per timer.
   */
  setTimer?(ms: number, callback: () => void): () => void;
}

/** Why a timer made of `sleep` was cancelled (a constant: an abort without a reason builds a DOMException). */
const TIMER_CANCELLED = Symbol("llmteam.timerCancelled");

const ignore = (): undefined => undefined;

/** Starts a timer on `clock`: `callback` after `ms`, unless the returned function is called first. */
export function startTimer(clock: Clock, ms: number, callback: () => void): () => void {
  if (clock.setTimer) return clock.setTimer(ms, callback);
  const stop = new AbortController();
  clock.sleep(ms, stop.signal).then(callback, ignore);
  return () => stop.abort(TIMER_CANCELLED);
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
  setTimer: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Sleeps `ms` on real timers; rejects with `signal.reason` on abort, removing its listener. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
