import type { CircuitState } from "../events/retry-metrics.js";
import type { BreakerState } from "./breaker-store.js";
import type { CircuitBreakerPolicy } from "./circuit-breaker-policy.js";

/** A change of a breaker's state. */
export interface BreakerTransition {
  from: CircuitState;
  to: CircuitState;
}

/** Whether a call may go through, and as what. */
export interface BreakerAdmission {
  admitted: boolean;
  /** The breaker's state after the decision. */
  circuitState: CircuitState;
  /** Set when the call is the half-open probe. */
  probeId?: string;
  /** For a rejection while open: time until a probe is admitted, in ms. */
  retryAfterMs?: number;
  transition?: BreakerTransition;
}

/** How an admitted call ended, for the breaker: `ignored` neither counts nor proves health (a 400, an abort). */
export type BreakerOutcome = "success" | "failure" | "ignored";

/** The breaker's state after an outcome was recorded. */
export interface BreakerSettlement {
  circuitState: CircuitState;
  transition?: BreakerTransition;
}

/** The state of a breaker never used, or closed again. Shared and frozen: updates build new objects. */
const CLOSED = Object.freeze({
  state: "closed",
  failureTimesMs: Object.freeze([]) as unknown as number[],
  halfOpenSuccesses: 0,
}) as BreakerState;

/**
 * Decides whether a call may go through. Closed: yes. Open: no until `recoveryTimeoutSeconds`
 * passed since it opened, then it turns half-open and this call is the probe. Half-open: yes
 * when no probe is in flight (this call becomes the probe), no otherwise. A probe that has not
 * reported for `recoveryTimeoutSeconds` (its process died) no longer blocks a new one.
 */
export function admitCall(
  current: BreakerState | undefined,
  policy: CircuitBreakerPolicy,
  nowMs: number,
  newProbeId: () => string,
): { state: BreakerState; result: BreakerAdmission } {
  const state = current ?? CLOSED;
  const recoveryMs = policy.recoveryTimeoutSeconds * 1000;
  switch (state.state) {
    case "closed":
      return { state, result: { admitted: true, circuitState: "closed" } };
    case "open": {
      const probeAtMs = (state.openedAtMs ?? nowMs) + recoveryMs;
      if (nowMs < probeAtMs) {
        return {
          state,
          result: { admitted: false, circuitState: "open", retryAfterMs: probeAtMs - nowMs },
        };
      }
      const probeId = newProbeId();
      return {
        state: {
          state: "half_open",
          failureTimesMs: [],
          halfOpenSuccesses: 0,
          probeId,
          probeStartedAtMs: nowMs,
        },
        result: {
          admitted: true,
          circuitState: "half_open",
          probeId,
          transition: { from: "open", to: "half_open" },
        },
      };
    }
    case "half_open": {
      const probeBusy =
        state.probeId !== undefined && nowMs - (state.probeStartedAtMs ?? nowMs) < recoveryMs;
      if (probeBusy) return { state, result: { admitted: false, circuitState: "half_open" } };
      const probeId = newProbeId();
      return {
        state: { ...state, probeId, probeStartedAtMs: nowMs },
        result: { admitted: true, circuitState: "half_open", probeId },
      };
    }
  }
}

/**
 * Records how an admitted call ended. Closed: a failure is counted, and `failureThreshold`
 * failures inside `failureWindowSeconds` open the breaker (successes do not erase failures:
 * the window does). Half-open: only the probe counts; its failure reopens the breaker, and
 * `successThreshold` successful probes close it. Open: nothing counts (late calls).
 */
export function recordOutcome(
  current: BreakerState | undefined,
  policy: CircuitBreakerPolicy,
  nowMs: number,
  outcome: BreakerOutcome,
  probeId: string | undefined,
): { state: BreakerState; result: BreakerSettlement } {
  const state = current ?? CLOSED;
  const unchanged = { state, result: { circuitState: state.state } };
  if (state.state === "open") return unchanged;
  if (state.state === "closed") {
    if (outcome !== "failure" || probeId !== undefined) return unchanged;
    const windowStartMs = nowMs - policy.failureWindowSeconds * 1000;
    const failureTimesMs = state.failureTimesMs.filter((timeMs) => timeMs > windowStartMs);
    failureTimesMs.push(nowMs);
    if (failureTimesMs.length >= policy.failureThreshold) {
      return opened(nowMs, "closed");
    }
    return {
      state: {
        state: "closed",
        failureTimesMs: failureTimesMs.slice(-policy.failureThreshold),
        halfOpenSuccesses: 0,
      },
      result: { circuitState: "closed" },
    };
  }
  // Half-open: only the probe in flight decides.
  if (probeId === undefined || probeId !== state.probeId) return unchanged;
  if (outcome === "failure") return opened(nowMs, "half_open");
  if (outcome === "ignored") {
    return {
      state: { state: "half_open", failureTimesMs: [], halfOpenSuccesses: state.halfOpenSuccesses },
      result: { circuitState: "half_open" },
    };
  }
  const halfOpenSuccesses = state.halfOpenSuccesses + 1;
  if (halfOpenSuccesses >= policy.successThreshold) {
    return {
      state: CLOSED,
      result: { circuitState: "closed", transition: { from: "half_open", to: "closed" } },
    };
  }
  return {
    state: { state: "half_open", failureTimesMs: [], halfOpenSuccesses },
    result: { circuitState: "half_open" },
  };
}

function opened(
  nowMs: number,
  from: CircuitState,
): { state: BreakerState; result: BreakerSettlement } {
  return {
    state: { state: "open", failureTimesMs: [], openedAtMs: nowMs, halfOpenSuccesses: 0 },
    result: { circuitState: "open", transition: { from, to: "open" } },
  };
}
