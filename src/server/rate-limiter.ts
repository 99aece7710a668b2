import type { Clock } from "../internal/clock.js";

/** The window of every rate limit: one minute. */
export const RATE_WINDOW_MS = 60_000;

/** Whether one request may go on, and when to retry when not. */
export interface RateDecision {
  allowed: boolean;
  /** The limit, requests per minute. */
  limit: number;
  /** Requests left now (after this one, when allowed). */
  remaining: number;
  /** When not allowed: how long until a request would be, in ms (0 when allowed). */
  retryAfterMs: number;
}

/**
 * Counts requests per bucket (a key id, or a client address) in a sliding one-minute window.
 * A refused request is not counted.
 */
export interface RateLimiter {
  /** Counts one request of `bucket` when it is within `limitPerMinute`. */
  take(bucket: string, limitPerMinute: number): Promise<RateDecision>;
  /** Releases what the limiter holds (a Redis connection). */
  close(): Promise<void>;
}

/** The requests counted in a bucket's current and previous fixed windows. */
export interface WindowCounts {
  current: number;
  previous: number;
}

/**
 * The sliding-window decision: the previous minute's count weighted by how much of it is still
 * inside the last 60 s, plus this minute's count, must leave room for one more request.
 * `elapsedMs` is the time since the current window began; `counts` are before this request.
 * Computed in whole numbers (scaled by the window's length), so a boundary is exact.
 */
export function decide(counts: WindowCounts, limit: number, elapsedMs: number): RateDecision {
  const windowMs = RATE_WINDOW_MS;
  const remainingOfPrevious = windowMs - elapsedMs;
  const scaled = counts.previous * remainingOfPrevious + counts.current * windowMs;
  if (scaled + windowMs <= limit * windowMs) {
    return {
      allowed: true,
      limit,
      remaining: Math.floor((limit * windowMs - scaled - windowMs) / windowMs),
      retryAfterMs: 0,
    };
  }
  return {
    allowed: false,
    limit,
    remaining: 0,
    retryAfterMs: retryAfter(counts, limit, elapsedMs),
  };
}

/** How long until `decide` would allow a request, assuming no other request comes meanwhile. */
function retryAfter(counts: WindowCounts, limit: number, elapsedMs: number): number {
  const windowMs = RATE_WINDOW_MS;
  const room = limit - 1;
  if (counts.current <= room && counts.previous > 0) {
    // In this window: the previous window's weight must fall to (room - current) / previous.
    const at = Math.ceil((windowMs * (counts.previous - room + counts.current)) / counts.previous);
    return Math.max(1, at - elapsedMs);
  }
  // In the next: this window's count becomes the previous one, weighted down from 1.
  const untilNext = windowMs - elapsedMs;
  if (counts.current === 0) return Math.max(1, untilNext);
  return Math.max(1, untilNext + Math.ceil((windowMs * (counts.current - room)) / counts.current));
}

/** The fixed window `now` falls in, and the time since it began. */
export function windowAt(nowMs: number): { index: number; elapsedMs: number } {
  const index = Math.floor(nowMs / RATE_WINDOW_MS);
  return { index, elapsedMs: nowMs - index * RATE_WINDOW_MS };
}

/**
 * A {@link RateLimiter} in this process's memory (one server; several servers each count their
 * own requests — share the counts through Redis with `RedisRateLimiter`).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<
    string,
    { index: number; current: number; previous: number }
  >();
  private sweptAt = 0;

  constructor(private readonly clock: Pick<Clock, "now">) {}

  take(bucket: string, limitPerMinute: number): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(bucket, limitPerMinute));
  }

  /** {@link take}, synchronously. */
  takeNow(bucket: string, limitPerMinute: number): RateDecision {
    const { index, elapsedMs } = windowAt(this.clock.now());
    this.sweep(index);
    const entry = this.buckets.get(bucket);
    const counts: WindowCounts =
      entry === undefined
        ? { current: 0, previous: 0 }
        : entry.index === index
          ? entry
          : { current: 0, previous: entry.index === index - 1 ? entry.current : 0 };
    const decision = decide(counts, limitPerMinute, elapsedMs);
    if (decision.allowed) {
      this.buckets.set(bucket, { index, current: counts.current + 1, previous: counts.previous });
    }
    return decision;
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }

  /** Once a window, drops buckets that no longer count (older than the previous window). */
  private sweep(index: number): void {
    if (this.sweptAt === index) return;
    this.sweptAt = index;
    for (const [bucket, entry] of this.buckets) {
      if (entry.index < index - 1) this.buckets.delete(bucket);
    }
  }
}
