import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { callModel } from "../providers/call-model.js";
import type { CallContext, ModelCall } from "../providers/model-call.js";
import {
  callContext,
  http,
  request,
  scriptedModel,
} from "../../test/support/resilience-fixtures.js";
import {
  ModelTimeoutError,
  createResiliencePipeline,
  createTimeoutMiddleware,
  getRetryMetrics,
} from "./index.js";

const NEVER = 1e12;

describe("timeout middleware", () => {
  it("fails a call that does not answer within timeoutMs and aborts it", async () => {
    const clock = new FakeClock(0);
    const model = scriptedModel([{ text: "late", delayMs: NEVER }], { clock });
    const call = createTimeoutMiddleware({ timeoutMs: 5_000 })(callModel);

    const pending = call(request(model), callContext(clock)).catch((error: unknown) => error);
    await clock.advance(4_999);
    const signal = model.model.calls[0]!.options.abortSignal!;
    expect(signal.aborted).toBe(false);
    await clock.advance(1);
    const error = await pending;

    expect(ModelTimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: "model_timeout",
      timeoutMs: 5_000,
      model: "openai/gpt-4o-mini",
    });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(error);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("fails on time even when the call ignores its signal", async () => {
    const clock = new FakeClock(0);
    const seen: CallContext[] = [];
    const ignoresSignal: ModelCall = (_request, context) => {
      seen.push(context);
      return new Promise(() => undefined);
    };
    const pending = createTimeoutMiddleware({ timeoutMs: 1_000 })(ignoresSignal)(
      request(scriptedModel([])),
      callContext(clock),
    ).catch((error: unknown) => error);
    await clock.advance(1_000);
    expect(ModelTimeoutError.isInstance(await pending)).toBe(true);
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it("returns an answer in time and leaves no timer behind", async () => {
    const clock = new FakeClock(0);
    const model = scriptedModel([{ text: "ok", delayMs: 4_000 }], { clock });
    const pending = createTimeoutMiddleware({ timeoutMs: 5_000 })(callModel)(
      request(model),
      callContext(clock),
    );
    await clock.advance(4_000);
    expect((await pending).text).toBe("ok");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rethrows the run's abort reason, not a timeout", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const model = scriptedModel([{ text: "late", delayMs: NEVER }], { clock });
    const call = createTimeoutMiddleware({ timeoutMs: 5_000 })(callModel);

    const pending = call(request(model), callContext(clock, { signal: controller.signal })).catch(
      (error: unknown) => error,
    );
    await clock.advance(1_000);
    const reason = new Error("run cancelled");
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(model.model.calls[0]!.options.abortSignal!.reason).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rejects a timeoutMs that is not a positive number", () => {
    expect(() => createTimeoutMiddleware({ timeoutMs: 0 })).toThrow(
      "timeoutMs must be a finite number > 0",
    );
  });

  it("retries a timed-out attempt and counts it as a breaker failure", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel(
      [{ text: "late", delayMs: NEVER }, { text: "late", delayMs: NEVER }, http(500)],
      { clock },
    );
    const call = createResiliencePipeline({
      timeoutMs: 10_000,
      retryPolicy: { maxRetries: 3, backoff: "constant", jitter: 0 },
      circuitBreaker: { failureThreshold: 2 },
    })(callModel);

    const pending = call(request(model), context).catch((error: unknown) => error);
    await clock.advance(10_000 + 1_000 + 10_000 + 1_000);
    const error = await pending;

    // Two timeouts opened the breaker; the third attempt was rejected and retrying stopped.
    expect(model.model.callsMade).toBe(2);
    expect(context.events.of("circuit_state_changed")).toEqual([
      { key: "agent:writer:openai/gpt-4o-mini", from: "closed", to: "open" },
    ]);
    expect(getRetryMetrics(error)?.errors.map((info) => info.code)).toEqual([
      "model_timeout",
      "model_timeout",
      "circuit_open",
    ]);
    expect(getRetryMetrics(error)?.circuitState).toBe("open");
  });
});
