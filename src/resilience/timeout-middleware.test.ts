import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { callContext, request, scriptedCall } from "../../test/support/scripted-model-call.js";
import { ModelTimeoutError, createResiliencePipeline, createTimeoutMiddleware, getRetryMetrics } from "./index.js";

const hang = () => new Promise<never>(() => undefined);

describe("timeout middleware", () => {
  it("fails a call that does not answer within timeoutMs, even one that ignores its signal", async () => {
    const clock = new FakeClock(0);
    const model = scriptedCall([hang]);
    const call = createTimeoutMiddleware({ timeoutMs: 5_000 })(model);

    const pending = call(request(), callContext(clock)).catch((error: unknown) => error);
    await clock.advance(4_999);
    expect(model.calls[0]!.signal.aborted).toBe(false);
    await clock.advance(1);
    const error = await pending;

    expect(ModelTimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "model_timeout", timeoutMs: 5_000, model: "openai/gpt-4o-mini" });
    expect(model.calls[0]!.signal.aborted).toBe(true);
    expect(model.calls[0]!.signal.reason).toBe(error);
  });

  it("returns an answer in time and leaves no timer behind", async () => {
    const clock = new FakeClock(0);
    const call = createTimeoutMiddleware({ timeoutMs: 5_000 })(scriptedCall(["ok"]));
    expect((await call(request(), callContext(clock))).text).toBe("ok");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rethrows the run's abort reason, not a timeout", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const model = scriptedCall([hang]);
    const call = createTimeoutMiddleware({ timeoutMs: 5_000 })(model);

    const pending = call(request(), callContext(clock, { signal: controller.signal })).catch((error: unknown) => error);
    await clock.advance(1_000);
    const reason = new Error("run cancelled");
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(model.calls[0]!.signal.reason).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rejects a timeoutMs that is not a positive number", () => {
    expect(() => createTimeoutMiddleware({ timeoutMs: 0 })).toThrow("timeoutMs must be a finite number > 0");
  });

  it("retries a timed-out attempt and counts it as a breaker failure", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([hang, hang]);
    const call = createResiliencePipeline({
      timeoutMs: 10_000,
      retryPolicy: { maxRetries: 3, backoff: "constant", jitter: 0 },
      circuitBreaker: { failureThreshold: 2 },
    })(model);

    const pending = call(request(), context).catch((error: unknown) => error);
    await clock.advance(10_000 + 1_000 + 10_000 + 1_000);
    const error = await pending;

    // Two timeouts opened the breaker; the third attempt was rejected and retrying stopped.
    expect(model.calls).toHaveLength(2);
    expect(context.events.of("circuit_state_changed")).toEqual([
      { key: "agent:writer:openai/gpt-4o-mini", from: "closed", to: "open" },
    ]);
    expect(getRetryMetrics(error)?.errors.map((info) => info.code)).toEqual(["model_timeout", "model_timeout", "circuit_open"]);
    expect(getRetryMetrics(error)?.circuitState).toBe("open");
  });
});
