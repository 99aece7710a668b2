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
 * one atomically. A store that cannot lock (Redis with `WATCH`/`MULTI`) may run `update` again
 * on a conflict; it is pure, so that is safe.
 */
export interface BreakerStore {
  /** Atomically reads the state of `key`, applies `update`, stores the new state, returns the result. */
  update<T>(key: string, update: BreakerUpdate<T>): T | Promise<T>;
  /** The state of `key`, or `undefined` when the breaker was never used (closed). */
  get(key: string): BreakerState | undefined | Promise<BreakerState | undefined>;
  /** Forgets `key`: the breaker is closed again. */
  delete(key: string): void | Promise<void>;
}

/**
 * The default {@link BreakerStore}: a map in this process. Breakers sharing one instance share
 * state; create one per team (the default) or pass one to several teams.
 *
 * @example
 * const breakerStore = new MemoryBreakerStore();
 * const pipeline = createResiliencePipeline({ circuitBreaker: { scope: "model" }, breakerStore });
 */
export class MemoryBreakerStore implements BreakerStore {
  private readonly states = new Map<string, BreakerState>();

  update<T>(key: string, update: BreakerUpdate<T>): T {
    const current = this.states.get(key);
    const { state, result } = update(current);
    if (state !== current) this.states.set(key, state);
    return result;
  }

  get(key: string): BreakerState | undefined {
    return this.states.get(key);
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}
