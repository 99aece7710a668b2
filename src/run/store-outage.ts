import { BreakerStoreError } from "../errors/breaker-store-error.js";
import { BudgetStoreError } from "../errors/budget-store-error.js";
import { RetryError } from "../errors/retry-error.js";
import { RunStoreError } from "../errors/run-store-error.js";
import { AgentFailure } from "./run-failure.js";

/**
 * True when a run stopped because a store it shares with other processes could not be
 * reached: the run store, a shared budget store or breaker store. Such a run is not the run's
 * fault: it is stored `interrupted` (resumable), and a worker parks it until the store is back.
 * Looks through an agent's failure, an exhausted retry's last error and `cause`s.
 */
export function isStoreOutage(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (
      RunStoreError.isInstance(current) ||
      BudgetStoreError.isInstance(current) ||
      BreakerStoreError.isInstance(current)
    )
      return true;
    if (current instanceof AgentFailure) current = current.error;
    else if (RetryError.isInstance(current)) current = current.lastError;
    else current = (current as { cause?: unknown }).cause;
  }
  return false;
}
