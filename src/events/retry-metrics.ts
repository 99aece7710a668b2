import type { ErrorInfo } from "./error-info.js";

/** State of a circuit breaker: `closed` lets calls through, `open` rejects them, `half_open` admits one probe at a time. */
export type CircuitState = "closed" | "open" | "half_open";

/** One failed attempt of a model call, as plain data. */
export interface AttemptErrorInfo extends ErrorInfo {
  /** The model the attempt called, e.g. `openai/gpt-4o-mini`. */
  model: string;
  /** 1-based attempt number on that model. */
  attempt: number;
}

/**
 * What the resilience layers did for one model call (every model tried, fallbacks included).
 * Plain data, JSON-serialisable: it goes on the agent result and in `agent_completed` details.
 */
export interface RetryMetrics {
  /** Attempts made, the first call included; a call the circuit breaker rejected counts too. */
  attempts: number;
  /** Attempts that were retries of a failed one (`attempts - 1` when one model answered). */
  retries: number;
  /** Time spent waiting between attempts (backoff or `Retry-After`), in ms. */
  totalDelayMs: number;
  /** Every failed attempt, in order. */
  errors: AttemptErrorInfo[];
  /** State of the breaker that guarded the last attempt; `undefined` without a breaker. */
  circuitState: CircuitState | undefined;
}
