import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("CircuitOpenError");

/** Options of {@link CircuitOpenError}. */
export interface CircuitOpenErrorOptions {
  /** The breaker's key, e.g. `agent:writer:openai/gpt-4o-mini` or `model:openai/gpt-4o-mini`. */
  key: string;
  /** `open` (cooling down) or `half_open` (a probe call is in flight). */
  state: "open" | "half_open";
  /** Time left until the breaker admits a probe, in ms (for `open`). */
  retryAfterMs?: number;
  /** The model the rejected call was for. */
  model?: string;
  cause?: unknown;
}

/**
 * A circuit breaker rejected a model call without calling the model: the model failed too
 * often recently (`open`), or it is being probed by another call (`half_open`).
 * Never retried; the fallback layer moves on to the next model. An agent whose call ends with
 * this error sets `shouldEscalate: true` on its result.
 *
 * @example
 * if (CircuitOpenError.isInstance(error)) console.log(`${error.key} is ${error.state}`);
 */
export class CircuitOpenError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "circuit_open";
  /** The breaker's key. */
  readonly key: string;
  /** `open` or `half_open`. */
  readonly state: "open" | "half_open";
  /** Time left until the breaker admits a probe, in ms, when known. */
  readonly retryAfterMs: number | undefined;
  /** The model the rejected call was for. */
  readonly model: string | undefined;
  /** Always true: an open breaker is a reason to escalate (as in the seed). */
  readonly shouldEscalate = true;

  constructor(options: CircuitOpenErrorOptions) {
    const why =
      options.state === "open"
        ? `is open: calls are rejected${options.retryAfterMs === undefined ? "" : ` for ${formatSeconds(options.retryAfterMs)} more`}`
        : "is half-open and another call is probing it; this call is rejected until the probe ends";
    super(`Circuit breaker "${options.key}" ${why}.`, options);
    this.key = options.key;
    this.state = options.state;
    this.retryAfterMs = options.retryAfterMs;
    this.model = options.model;
  }

  static override isInstance(error: unknown): error is CircuitOpenError {
    return hasMarker(error, MARKER);
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
