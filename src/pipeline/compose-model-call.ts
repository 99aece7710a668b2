import type { ModelCall, ModelCallMiddleware } from "../providers/model-call.js";

/**
 * A model call made of `layers` around `innermost`, outermost first:
 * `composeModelCall([a, b], call)` is `a(b(call))`. A layer given as `undefined` (one with
 * nothing to do, such as a retry layer under `retryPolicy: false`) is left out.
 *
 * The one way the product makes a model call: every pipeline of a team, group or configurator
 * is built by it (see `buildModelPipeline`).
 *
 * @example
 * const call = composeModelCall([createRetryMiddleware(), costLayer], providerCall);
 */
export function composeModelCall(
  layers: readonly (ModelCallMiddleware | undefined)[],
  innermost: ModelCall,
): ModelCall {
  let call = innermost;
  for (let index = layers.length - 1; index >= 0; index--) {
    const layer = layers[index];
    if (layer) call = layer(call);
  }
  return call;
}
