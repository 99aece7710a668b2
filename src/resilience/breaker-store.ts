import type { BreakerState, BreakerStore, BreakerUpdate } from "../store/breaker-store.js";

export type { BreakerState, BreakerStore, BreakerUpdate } from "../store/breaker-store.js";

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
