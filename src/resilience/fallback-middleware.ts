import { CircuitOpenError } from "../errors/circuit-open-error.js";
import { RetryError } from "../errors/retry-error.js";
import type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
} from "../providers/model-call.js";
import { isRetryableError } from "./is-retryable-error.js";
import { toErrorInfo } from "../events/error-info.js";
import { attachRetryMetrics } from "./retry-metrics.js";
import { shareCallState } from "./shared-call-state.js";

/** What `fallbackOn` is asked about. */
export interface FallbackOnInput {
  /** The final error of the model that failed. */
  error: unknown;
  /** The model that failed. */
  model: string;
}

/** Options of {@link createFallbackMiddleware}. */
export interface FallbackMiddlewareOptions {
  /**
   * Decides which final errors move on to the next model. Default {@link shouldFallBack}:
   * retries exhausted (`RetryError`), breaker open (`CircuitOpenError`) or a retryable error.
   */
  fallbackOn?: (input: FallbackOnInput) => boolean;
}

/**
 * The default of `fallbackOn`: the model failed for reasons of its own (retries exhausted,
 * breaker open, a retryable error). Not: a 400/401/403/404 (the request or the account is
 * wrong; another model would hide it), a budget stop, a config error, an abort.
 */
export function shouldFallBack({ error }: FallbackOnInput): boolean {
  return (
    RetryError.isInstance(error) || CircuitOpenError.isInstance(error) || isRetryableError(error)
  );
}

/**
 * Tries `request.model`, then each of `request.fallbackModels` in order, while the failure is one
 * `fallbackOn` accepts. Each model gets the layers inside (its own retries and breaker); the
 * request passed down has no `fallbackModels`, and the response's `model` names the model that
 * answered. Each switch emits a `fallback` event (`fromModel`, `toModel`, `reason`, and
 * `discardedTokens` when the failed model had streamed some).
 *
 * @throws {RetryError} `fallbacks_exhausted` when every model failed; `errors` holds each model's error.
 * @throws the error `fallbackOn` rejected (with metrics attached); `signal.reason` on abort.
 * @example
 * const call = createFallbackMiddleware()(createRetryMiddleware()(modelCall));
 * await call({ ...request, fallbackModels: [haiku] }, context);
 */
export function createFallbackMiddleware(
  options: FallbackMiddlewareOptions = {},
): ModelCallMiddleware {
  const fallbackOn = options.fallbackOn ?? shouldFallBack;
  return (next) => {
    const withFallbacks: ModelCall = async (request, context) => {
      const { fallbackModels, ...single } = request;
      const { metrics, progress, innerContext } = shareCallState(context);
      const models = [request.model, ...fallbackModels!];
      const failures: unknown[] = [];
      for (let index = 0; index < models.length; index++) {
        const model = models[index]!;
        progress.tokens = 0;
        try {
          const response = await next({ ...single, model } satisfies ModelRequest, innerContext);
          return response.retryMetrics === metrics
            ? response
            : { ...response, retryMetrics: metrics };
        } catch (error) {
          if (context.signal.aborted) throw attachRetryMetrics(context.signal.reason, metrics);
          failures.push(error);
          const nextModel = models[index + 1];
          if (!fallbackOn({ error, model: model.name })) throw attachRetryMetrics(error, metrics);
          if (!nextModel) break;
          await announceFallback(
            context,
            model.name,
            nextModel.name,
            error,
            request.stream ? progress.tokens : 0,
          );
        }
      }
      throw new RetryError(
        `All ${models.length} models failed: ${models.map((model, index) => `${model.name} (${describe(failures[index])})`).join("; ")}.`,
        {
          reason: "fallbacks_exhausted",
          errors: failures,
          metrics,
          model: models[models.length - 1]!.name,
        },
      );
    };
    // Without fallback models the call goes straight through (no async frame of its own).
    return (request, context) =>
      request.fallbackModels && request.fallbackModels.length > 0
        ? withFallbacks(request, context)
        : next(request, context);
  };
}

async function announceFallback(
  context: CallContext,
  fromModel: string,
  toModel: string,
  error: unknown,
  discardedTokens: number,
): Promise<void> {
  const wait = context.events.emit("fallback", {
    fromModel,
    toModel,
    reason: toErrorInfo(error),
    ...(discardedTokens > 0 ? { discardedTokens } : {}),
  });
  if (wait) await wait;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
