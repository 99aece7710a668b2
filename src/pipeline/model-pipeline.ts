import type { CostGuard, CostHold } from "../cost/cost-guard.js";
import { costMiddlewareOf } from "../cost/cost-middleware.js";
import { settleFailedAttempt } from "../cost/settle-failed-attempt.js";
import { resolveAttemptLimits, type AttemptLimits } from "../providers/attempt-deadline.js";
import { createProviderCall, providerFailure, requestOnce } from "../providers/call-model.js";
import type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
  StreamProgress,
} from "../providers/model-call.js";
import type { RetryMetrics } from "../events/retry-metrics.js";
import type { BreakerStore } from "../resilience/breaker-store.js";
import type { CircuitBreakerOptions } from "../resilience/circuit-breaker-policy.js";
import { resolveCircuitBreakerPolicy } from "../resilience/circuit-breaker-policy.js";
import { createResiliencePipeline } from "../resilience/resilience-pipeline.js";
import { createRetryMetrics } from "../resilience/retry-metrics.js";
import {
  beginAttempt,
  createRetryStrategy,
  type AttemptLog,
  type RetryStrategy,
} from "../resilience/retry-middleware.js";
import { resolveRetryPolicy, type RetryPolicyOptions } from "../resilience/retry-policy.js";

/** The policies of one pipeline (an agent's, or the team's for calls of no agent). */
export interface PipelinePolicies {
  retryPolicy: RetryPolicyOptions | false | undefined;
  circuitBreaker: CircuitBreakerOptions | false | undefined;
  /** Per-attempt limit in ms (default 300,000; `0`: none). */
  timeoutMs: number | undefined;
  /** A streamed attempt's wait for its first delta, in ms (default 60,000; `0`: none). */
  firstTokenTimeoutMs?: number | undefined;
}

/** What every pipeline of a team shares. */
export interface PipelineParts {
  /** The team's cost layer (its budgets and reservations). */
  cost: CostGuard;
  /** The user's layers, outermost first. */
  middleware: readonly ModelCallMiddleware[];
  breakerStore: BreakerStore;
  /** Prepended to breaker keys (the team's id and a colon). */
  breakerKeyPrefix: string;
}

/** What to do with a model call's outcome: run in the call's own promise reaction. */
export interface CallTarget<T> {
  answered(response: ModelResponse): T | Promise<T>;
  failed(error: unknown): T | Promise<T>;
}

/** A model call that can hand its outcome straight to a {@link CallTarget}. */
interface TargetedCall extends ModelCall {
  callInto<T>(request: ModelRequest, context: CallContext, target: CallTarget<T>): Promise<T>;
}

/**
 * `call(request, context).then(target.answered, target.failed)`, with one promise reaction
 * fewer when `call` is a team pipeline (one reaction per model call is what a step costs).
 */
export function callInto<T>(
  call: ModelCall,
  request: ModelRequest,
  context: CallContext,
  target: CallTarget<T>,
): Promise<T> {
  const targeted = (call as Partial<TargetedCall>).callInto;
  if (targeted) return targeted(request, context, target);
  return call(request, context).then(
    (response) => target.answered(response),
    (error: unknown) => target.failed(error),
  );
}

/** The token counter of calls that do not stream (always 0; never read). */
const UNCOUNTED = { tokens: 0 };

/**
 * The metrics of a call its first attempt answered (no retry, no breaker): one frozen object
 * shared by all such calls, as most calls are.
 */
const FIRST_ATTEMPT: RetryMetrics = Object.freeze({
  attempts: 1,
  retries: 0,
  totalDelayMs: 0,
  errors: Object.freeze([]) as unknown as RetryMetrics["errors"],
  circuitState: undefined,
});

/** The attempt log of a call whose first attempt failed: as `beginAttempt(…, 1)` leaves it. */
function firstAttemptLog(progress: StreamProgress): AttemptLog {
  const metrics = createRetryMetrics();
  metrics.attempts = 1;
  return { metrics, progress, errors: undefined };
}

/** The target of a plain call: the response itself, or the error thrown on. */
const RESPONSE: CallTarget<ModelResponse> = {
  answered: (response) => response,
  failed: (error) => {
    throw error;
  },
};

/**
 * A model-call pipeline, outermost first: the user's middleware, fallback → retry → breaker,
 * cost, the provider call (which owns each attempt's deadline: `timeoutMs`,
 * `firstTokenTimeoutMs`).
 *
 * Without user middleware or breaker (the default), calls without fallback models take
 * {@link createDirectCall}: the same retry, cost and provider steps in one async frame. At a
 * thousand runs in flight every suspended frame is live state the garbage collector copies, so
 * the layer count is what the run pays for (docs/performance.md).
 */
export function buildModelPipeline(policies: PipelinePolicies, parts: PipelineParts): ModelCall {
  const { retryPolicy, circuitBreaker } = policies;
  const limits = resolveAttemptLimits({
    ...(policies.timeoutMs === undefined ? {} : { timeoutMs: policies.timeoutMs }),
    ...(policies.firstTokenTimeoutMs === undefined
      ? {}
      : { firstTokenTimeoutMs: policies.firstTokenTimeoutMs }),
  });
  const resilience = createResiliencePipeline({
    ...(retryPolicy === undefined ? {} : { retryPolicy }),
    ...(circuitBreaker === undefined ? {} : { circuitBreaker }),
    breakerStore: parts.breakerStore,
    breakerKeyPrefix: parts.breakerKeyPrefix,
  });
  let call: ModelCall = resilience(costMiddlewareOf(parts.cost)(createProviderCall(limits)));
  for (let index = parts.middleware.length - 1; index >= 0; index--)
    call = parts.middleware[index]!(call);
  if (parts.middleware.length > 0 || resolveCircuitBreakerPolicy(circuitBreaker) !== undefined)
    return call;
  const layered = call;
  const direct = createDirectCall(
    createRetryStrategy({ policy: resolveRetryPolicy(retryPolicy) }),
    parts.cost,
    limits,
  );
  const hasFallbacks = (request: ModelRequest): boolean =>
    request.fallbackModels !== undefined && request.fallbackModels.length > 0;
  const pipeline: TargetedCall = Object.assign(
    (request: ModelRequest, context: CallContext) =>
      hasFallbacks(request)
        ? layered(request, context)
        : direct.callInto(request, context, RESPONSE),
    {
      callInto: <T>(request: ModelRequest, context: CallContext, target: CallTarget<T>) =>
        hasFallbacks(request)
          ? callInto(layered, request, context, target)
          : direct.callInto(request, context, target),
    },
  );
  return pipeline;
}

/**
 * Retries, cost and the provider call in one async frame: what `retry(cost(callModel))` does,
 * step for step (reserve, call, release or settle, decide on a retry), with the steps the
 * layers themselves use ({@link RetryStrategy}, {@link CostGuard}, the provider call's parts).
 * The first attempt of a call without a reservation to wait for (no budgets) is one reaction
 * on the attempt's promise, without a frame; failures go on in the frame.
 */
export function createDirectCall(
  retry: RetryStrategy,
  cost: CostGuard,
  limits: AttemptLimits,
): TargetedCall {
  /** Attempts from `first` on, each in this one frame. */
  async function attemptFrom(
    first: number,
    request: ModelRequest,
    context: CallContext,
    attempts: AttemptLog,
  ): Promise<ModelResponse> {
    for (let attempt = first; ; attempt++) {
      beginAttempt(context.signal, attempts, attempt);
      try {
        const reservedAt = context.clock.now();
        const reserving = cost.reserve(request, context, reservedAt);
        const hold = reserving === undefined ? undefined : await reserving;
        const sent = hold ? hold.request : request;
        const startedAt = hold ? context.clock.now() : reservedAt;
        let response: ModelResponse;
        try {
          response = await requestOnce(sent, context, attempts.progress, limits);
        } catch (error) {
          const counting = settleFailedAttempt(
            cost,
            hold,
            sent,
            context,
            attempts.progress,
            reservedAt,
          );
          if (counting) await counting;
          throw providerFailure(error, sent, context);
        }
        const settling = finishAttempt(
          response,
          hold,
          context,
          attempts.metrics,
          startedAt,
          reservedAt,
        );
        if (settling) await settling;
        return response;
      } catch (error) {
        await retry(error, attempt, request, context, attempts);
      }
    }
  }

  /**
   * A successful attempt's last steps: its latency and the call's metrics on the response, then
   * the cost layer's settlement (priced at `pricedAt`; `cost_update` stamped with the end time).
   */
  function finishAttempt(
    response: ModelResponse,
    hold: CostHold | undefined,
    context: CallContext,
    metrics: RetryMetrics,
    startedAt: number,
    pricedAt: number,
  ): Promise<void> | undefined {
    const endedAt = context.clock.now();
    response.latencyMs = endedAt - startedAt;
    response.retryMetrics = metrics;
    return cost.settle(hold, response, context, pricedAt, endedAt);
  }

  /** After failed attempt `attempt`: the retry decision (it throws when the call fails), then the next attempts. */
  async function retryAfter(
    error: unknown,
    attempt: number,
    request: ModelRequest,
    context: CallContext,
    attempts: AttemptLog,
  ): Promise<ModelResponse> {
    await retry(error, attempt, request, context, attempts);
    return attemptFrom(attempt + 1, request, context, attempts);
  }

  /** The first attempt's answer: latency, metrics, cost (as `attemptFrom` does). */
  function answered(
    response: ModelResponse,
    request: ModelRequest,
    context: CallContext,
    progress: StreamProgress,
    startedAt: number,
  ): ModelResponse | Promise<ModelResponse> {
    try {
      const settling = finishAttempt(
        response,
        undefined,
        context,
        FIRST_ATTEMPT,
        startedAt,
        startedAt,
      );
      if (!settling) return response;
      return settling.then(
        () => response,
        (error: unknown) => retryAfter(error, 1, request, context, firstAttemptLog(progress)),
      );
    } catch (error) {
      return retryAfter(error, 1, request, context, firstAttemptLog(progress));
    }
  }

  /** Hands a response, or a promise of one, to `target`. */
  function deliver<T>(
    outcome: ModelResponse | Promise<ModelResponse>,
    target: CallTarget<T>,
  ): T | Promise<T> {
    if (!(outcome instanceof Promise)) return target.answered(outcome);
    return outcome.then(
      (response) => target.answered(response),
      (error: unknown) => target.failed(error),
    );
  }

  function start<T>(
    request: ModelRequest,
    context: CallContext,
    target: CallTarget<T>,
  ): Promise<T> {
    // Only a streamed call counts its tokens; the others share a counter nobody reads.
    const progress = request.stream ? { tokens: 0 } : UNCOUNTED;
    if (cost.reserves) {
      const attempts: AttemptLog = { metrics: createRetryMetrics(), progress, errors: undefined };
      return Promise.resolve(deliver(attemptFrom(1, request, context, attempts), target));
    }
    // The first attempt keeps no attempt log: a call it answers shares FIRST_ATTEMPT's
    // metrics; a failure starts the log where `beginAttempt(…, 1)` would have left it.
    try {
      context.signal.throwIfAborted();
    } catch (error) {
      return Promise.reject(error).then(undefined, (rejected: unknown) => target.failed(rejected));
    }
    const startedAt = context.clock.now();
    const failed = (error: unknown): T | Promise<T> => {
      const retrying = (): Promise<ModelResponse> =>
        retryAfter(
          providerFailure(error, request, context),
          1,
          request,
          context,
          firstAttemptLog(progress),
        );
      // A cut stream's tokens are counted before the retry decision (no reservation here).
      const counting = settleFailedAttempt(cost, undefined, request, context, progress, startedAt);
      return deliver(counting ? counting.then(retrying) : retrying(), target);
    };
    try {
      return requestOnce(request, context, progress, limits).then(
        (response) => deliver(answered(response, request, context, progress, startedAt), target),
        failed,
      );
    } catch (error) {
      return Promise.resolve(failed(error));
    }
  }

  return Object.assign(
    (request: ModelRequest, context: CallContext) => start(request, context, RESPONSE),
    { callInto: start },
  );
}
