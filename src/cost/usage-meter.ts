import type { Usage } from "../events/usage.js";
import type { CallContext, ModelResponse } from "../providers/model-call.js";
import type { CostGuard, CostRequest } from "./cost-guard.js";

/**
 * A call of a model that is not a language model's answer (an embedding call), as the cost
 * layer counts it: input tokens only, priced by the model's input price.
 */
export interface MeteredCall<T> {
  /** The model's name, `provider/model`: what prices it. */
  model: string;
  /** The texts sent: under a budget, the reservation estimates their input tokens. */
  texts: readonly string[];
  /**
   * Makes the call (with its own retries). Answers its value and its input tokens: the
   * provider's figure, or an estimate marked `estimated` when it reported none.
   */
  run(signal: AbortSignal): Promise<{ value: T; inputTokens: number; estimated?: boolean }>;
}

/**
 * Counts a {@link MeteredCall} in the cost layer, like a model call: its worst case reserved in
 * every budget first (a hard budget without room refuses it: `budget_exceeded`,
 * `BudgetExceededError`, the call is not made), then its tokens recorded in the tracker, settled
 * in the budgets and reported in a `cost_update` of the calling agent (`unpriced` when the model
 * has no price). A failed call gives its reservations back.
 */
export type UsageMeter = <T>(call: MeteredCall<T>, context: CallContext) => Promise<T>;

/** The {@link UsageMeter} over a cost layer's guard (the one its model calls go through). */
export function usageMeterOf(guard: CostGuard): UsageMeter {
  return async <T>(call: MeteredCall<T>, context: CallContext): Promise<T> => {
    const request: CostRequest = {
      model: { name: call.model },
      prompt: call.texts.map((text) => ({ role: "user", content: [{ type: "text", text }] })),
      // Nothing is generated: the worst case is the input alone.
      maxOutputTokens: 0,
    };
    const startedAtMs = context.clock.now();
    const hold = await guard.reserve(request, context, startedAtMs);
    let answer: Awaited<ReturnType<MeteredCall<T>["run"]>>;
    try {
      answer = await call.run(context.signal);
    } catch (error) {
      if (hold) await guard.release(hold, context);
      throw error;
    }
    const usage: Usage = {
      inputTokens: answer.inputTokens,
      outputTokens: 0,
      totalTokens: answer.inputTokens,
      ...(answer.estimated ? { estimated: true } : {}),
    };
    const response: ModelResponse = {
      text: "",
      toolCalls: [],
      usage,
      finishReason: "stop",
      model: call.model,
      latencyMs: context.clock.now() - startedAtMs,
    };
    await guard.settle(hold, response, context, startedAtMs);
    return answer.value;
  };
}
