import { CircuitOpenError } from "../errors/circuit-open-error.js";
import type { CallContext, ModelCallMiddleware, ModelRequest } from "../providers/model-call.js";
import { MemoryBreakerStore, type BreakerStore } from "./breaker-store.js";
import {
  resolveCircuitBreakerPolicy,
  type CircuitBreakerOptions,
  type CircuitBreakerPolicy,
} from "./circuit-breaker-policy.js";
import {
  admitCall,
  recordOutcome,
  type BreakerOutcome,
  type BreakerTransition,
} from "./circuit-breaker-state.js";
import { isRetryableError } from "./is-retryable-error.js";

/** Options of {@link createCircuitBreakerMiddleware}. */
export interface CircuitBreakerMiddlewareOptions {
  /** The policy (resolved, or options over the defaults). Default: the seed's defaults. */
  policy?: CircuitBreakerOptions;
  /** Where breaker state lives. Default: a new {@link MemoryBreakerStore} for this middleware. */
  store?: BreakerStore;
  /** Prepended to every key, to keep teams apart in a shared store. Default `""`. */
  keyPrefix?: string;
}

/**
 * The key of the breaker guarding a call: `agent:<agentId>:<model>` (scope `agent`) or
 * `model:<model>` (scope `model`), after `keyPrefix`. Agent keys include the model so that a
 * fallback model is not blocked by the breaker of the model it replaces.
 */
export function circuitBreakerKey(
  policy: Pick<CircuitBreakerPolicy, "scope">,
  request: ModelRequest,
  context: Pick<CallContext, "agentId">,
  keyPrefix = "",
): string {
  return policy.scope === "model"
    ? `${keyPrefix}model:${request.model.name}`
    : `${keyPrefix}agent:${context.agentId}:${request.model.name}`;
}

/**
 * A circuit breaker around each model call (each attempt, inside the retry layer).
 *
 * CLOSED → OPEN after `failureThreshold` failures inside `failureWindowSeconds`. OPEN rejects
 * at once with {@link CircuitOpenError} until `recoveryTimeoutSeconds` passed, then HALF_OPEN
 * admits one probe at a time (concurrent calls get `CircuitOpenError`, they do not all probe);
 * `successThreshold` successful probes close it, a failed probe reopens it.
 * Failures are errors {@link isRetryableError} accepts (5xx, 429, network, timeouts); a 400 or
 * an abort neither counts nor proves the model healthy. Each change emits
 * `circuit_state_changed` and calls `onStateChange`; `context.retryMetrics.circuitState` follows.
 *
 * @throws {CircuitOpenError} the breaker is open, or half-open with a probe in flight.
 * @example
 * const call = createCircuitBreakerMiddleware({ policy: { failureThreshold: 3 } })(modelCall);
 */
export function createCircuitBreakerMiddleware(
  options: CircuitBreakerMiddlewareOptions = {},
): ModelCallMiddleware {
  const policy = resolveCircuitBreakerPolicy(options.policy ?? {})!;
  const store = options.store ?? new MemoryBreakerStore();
  const keyPrefix = options.keyPrefix ?? "";

  return (next) => async (request, context) => {
    const key = circuitBreakerKey(policy, request, context, keyPrefix);
    const model = request.model.name;
    const admitting = store.update(key, (current) =>
      admitCall(current, policy, context.clock.now(), newProbeId),
    );
    const admission = admitting instanceof Promise ? await admitting : admitting;
    if (context.retryMetrics) context.retryMetrics.circuitState = admission.circuitState;
    if (admission.transition) await announce(context, policy, key, admission.transition);
    if (!admission.admitted) {
      throw new CircuitOpenError({
        key,
        state: admission.circuitState === "half_open" ? "half_open" : "open",
        ...(admission.retryAfterMs === undefined ? {} : { retryAfterMs: admission.retryAfterMs }),
        model,
      });
    }
    let outcome: BreakerOutcome = "ignored";
    try {
      const response = await next(request, context);
      outcome = "success";
      return response;
    } catch (error) {
      if (!context.signal.aborted && !CircuitOpenError.isInstance(error) && isRetryableError(error))
        outcome = "failure";
      throw error;
    } finally {
      const settling = store.update(key, (current) =>
        recordOutcome(current, policy, context.clock.now(), outcome, admission.probeId),
      );
      const settlement = settling instanceof Promise ? await settling : settling;
      if (context.retryMetrics) context.retryMetrics.circuitState = settlement.circuitState;
      if (settlement.transition) await announce(context, policy, key, settlement.transition);
    }
  };
}

async function announce(
  context: CallContext,
  policy: CircuitBreakerPolicy,
  key: string,
  transition: BreakerTransition,
): Promise<void> {
  policy.onStateChange?.({ key, from: transition.from, to: transition.to });
  const wait = context.events.emit("circuit_state_changed", {
    key,
    from: transition.from,
    to: transition.to,
  });
  if (wait) await wait;
}

function newProbeId(): string {
  return crypto.randomUUID();
}
