import type { CircuitState } from "../events/retry-metrics.js";

/**
 * The stored state of one circuit breaker. Plain JSON, so a shared store (Redis, SQL) can keep
 * it as a string. Times are ms since the epoch, from the run's clock.
 */
export interface BreakerState {
  state: CircuitState;
  /** Failures counted while closed, oldest first (at most `failureThreshold`, pruned to the window). */
  failureTimesMs: number[];
  /** When the breaker last opened. */
  openedAtMs?: number;
  /** Successful probes since the breaker became half-open. */
  halfOpenSuccesses: number;
  /** Id of the probe call in flight, while half-open. */
  probeId?: string;
  /** When that probe started. */
  probeStartedAtMs?: number;
}

/** Computes a breaker's next state from its current one (`undefined`: never used), and a result. */
export type BreakerUpdate<T> = (current: BreakerState | undefined) => {
  state: BreakerState;
  result: T;
};

/**
 * Where circuit breakers keep their state. One store shared by several teams or processes
 * shares their breakers (per model, or per agent when agent ids are shared).
 *
 * The breaker logic lives outside the store, in `update` functions: a store only has to apply
 * one atomically. A store that cannot lock (`RedisBreakerStore`: read, then compare-and-set)
 * runs `update` again on a conflict; it is pure, so that is safe.
 */
export interface BreakerStore {
  /** Atomically reads the state of `key`, applies `update`, stores the new state, returns the result. */
  update<T>(key: string, update: BreakerUpdate<T>): T | Promise<T>;
  /** The state of `key`, or `undefined` when the breaker was never used (closed). */
  get(key: string): BreakerState | undefined | Promise<BreakerState | undefined>;
  /** Forgets `key`: the breaker is closed again. */
  delete(key: string): void | Promise<void>;
}
