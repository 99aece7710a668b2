import { describe, expect, it, vi } from "vitest";
import { ConfigError, ProviderError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { callContext, request, scriptedCall } from "../../test/support/scripted-model-call.js";
import { RetryError, createRetryMiddleware, getRetryMetrics, type RetryInfo, type RetryOnInput } from "./index.js";

const status = (code: number, extra: { retryAfterMs?: number } = {}) =>
  new ProviderError(`HTTP ${code}`, { status: code, ...extra });

/** Jitter off: the random factor is exactly 1. */
const noJitter = () => 0.5;

describe("retry middleware", () => {
  it("retries a 503 then succeeds, waiting 1 s then 2 s", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([status(503), status(503), "ok"]);
    const onRetry = vi.fn<(info: RetryInfo) => void>();
    const call = createRetryMiddleware({ policy: { onRetry }, random: noJitter })(model);

    const pending = call(request(), context);
    await clock.advance(999);
    expect(model.calls).toHaveLength(1);
    await clock.advance(1);
    expect(model.calls).toHaveLength(2);
    await clock.advance(1_999);
    expect(model.calls).toHaveLength(2);
    await clock.advance(1);
    const response = await pending;

    expect(response.text).toBe("ok");
    expect(response.retryMetrics).toMatchObject({ attempts: 3, retries: 2, totalDelayMs: 3_000, circuitState: undefined });
    expect(response.retryMetrics!.errors.map((error) => [error.status, error.attempt])).toEqual([
      [503, 1],
      [503, 2],
    ]);
    expect(context.events.of("retry")).toEqual([
      { attempt: 1, delayMs: 1_000, model: "openai/gpt-4o-mini", error: expect.objectContaining({ status: 503, code: "provider_error" }) },
      { attempt: 2, delayMs: 2_000, model: "openai/gpt-4o-mini", error: expect.objectContaining({ status: 503 }) },
    ]);
    expect(onRetry.mock.calls.map(([info]) => [info.attempt, info.delayMs])).toEqual([
      [1, 1_000],
      [2, 2_000],
    ]);
  });

  it("throws RetryError with every error after maxRetries", async () => {
    const clock = new FakeClock(0);
    const errors = [status(500), status(502), status(429), status(503)];
    const model = scriptedCall(errors);
    const call = createRetryMiddleware({ random: noJitter })(model);

    const pending = call(request(), callContext(clock)).catch((error: unknown) => error);
    await clock.advance(1_000 + 2_000 + 4_000);
    const error = await pending;

    expect(RetryError.isInstance(error)).toBe(true);
    const retryError = error as RetryError;
    expect(retryError.code).toBe("retry_exhausted");
    expect(retryError.reason).toBe("max_retries");
    expect(retryError.errors).toEqual(errors);
    expect(retryError.lastError).toBe(errors[3]);
    expect(retryError.cause).toBe(errors[3]);
    expect(retryError.message).toContain("failed after 4 attempts (maxRetries: 3)");
    expect(retryError.metrics).toMatchObject({ attempts: 4, retries: 3, totalDelayMs: 7_000 });
    expect(getRetryMetrics(retryError)).toBe(retryError.metrics);
    expect(model.calls).toHaveLength(4);
  });

  it.each([
    ["400", status(400)],
    ["401", status(401)],
    ["403", status(403)],
    ["404", status(404)],
    ["ConfigError", new ConfigError("no such model")],
    ["budget stop", Object.assign(new Error("budget"), { code: "budget_exceeded" })],
    ["unknown bug", new RangeError("oops")],
  ])("fails at once on a non-retryable error (%s), metrics attached", async (_name, thrown) => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([thrown]);
    const call = createRetryMiddleware()(model);

    const error = await call(request(), context).catch((caught: unknown) => caught);

    expect(error).toBe(thrown);
    expect(model.calls).toHaveLength(1);
    expect(clock.pendingSleeps).toBe(0);
    expect(context.events.of("retry")).toEqual([]);
    expect(getRetryMetrics(error)).toMatchObject({ attempts: 1, retries: 0, errors: [expect.objectContaining({ attempt: 1 })] });
  });

  it("waits exactly the Retry-After the provider asked for, not the backoff", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([status(429, { retryAfterMs: 5_000 }), "ok"]);
    const call = createRetryMiddleware()(model);

    const pending = call(request(), context);
    await clock.advance(4_999);
    expect(model.calls).toHaveLength(1);
    await clock.advance(1);
    await expect(pending).resolves.toMatchObject({ text: "ok", retryMetrics: { totalDelayMs: 5_000 } });
    expect(context.events.of("retry")[0]).toMatchObject({ delayMs: 5_000 });
  });

  it("fails fast when Retry-After is beyond maxRetryAfterSeconds", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const tooLong = status(429, { retryAfterMs: 3_600_000 });
    const model = scriptedCall([tooLong]);
    const call = createRetryMiddleware({ policy: { maxRetryAfterSeconds: 120 } })(model);

    const error = (await call(request(), context).catch((caught: unknown) => caught)) as RetryError;

    expect(RetryError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("retry_after_too_long");
    expect(error.message).toContain("asked to wait 3600 s");
    expect(error.message).toContain("maxRetryAfterSeconds (120 s)");
    expect(error.lastError).toBe(tooLong);
    expect(clock.pendingSleeps).toBe(0);
    expect(context.events.of("retry")).toEqual([]);
  });

  it("ends a backoff sleep at once with the signal's reason when the run is aborted", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const context = callContext(clock, { signal: controller.signal });
    const model = scriptedCall([status(503), "never reached"]);
    const call = createRetryMiddleware()(model);

    const pending = call(request(), context).catch((error: unknown) => error);
    await clock.advance(100);
    expect(clock.pendingSleeps).toBe(1);
    const reason = new Error("user cancelled");
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    expect(model.calls).toHaveLength(1);
  });

  it("rethrows the abort reason when the run is aborted during an attempt, not retrying the attempt's error", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const model = scriptedCall([
      async () => {
        controller.abort(reason);
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) });
      },
    ]);
    const call = createRetryMiddleware()(model);
    const context = callContext(clock, { signal: controller.signal });

    const error = await call(request(), context).catch((caught: unknown) => caught);

    expect(error).toBe(reason);
    expect(model.calls).toHaveLength(1);
    expect(clock.pendingSleeps).toBe(0);
    expect(context.events.of("retry")).toEqual([]);
  });

  it("lets retryOn decide what is retried", async () => {
    const clock = new FakeClock(0);
    const retryOn = vi.fn(({ error }: RetryOnInput) => (error as ProviderError).status === 400);
    const model = scriptedCall([status(400), status(503)]);
    const call = createRetryMiddleware({ policy: { retryOn, baseDelay: 0, jitter: 0 } })(model);

    const error = await call(request(), callContext(clock)).catch((caught: unknown) => caught);

    expect((error as ProviderError).status).toBe(503);
    expect(model.calls).toHaveLength(2);
    expect(retryOn.mock.calls.map(([input]) => input.attempt)).toEqual([1, 2]);
  });

  it("retries a stream that failed mid-way from the start, reporting the discarded tokens", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([
      async (_request, inner) => {
        inner.streamProgress!.tokens += 3; // the streaming code counts each token event it emitted
        throw status(502);
      },
      async () => {
        throw status(503); // failed before its first token
      },
      async (request, inner) => {
        inner.streamProgress!.tokens += 5;
        return { text: "whole answer", toolCalls: [], usage: { inputTokens: 1, outputTokens: 5, totalTokens: 6 }, finishReason: "stop", model: request.model.name, latencyMs: 0 };
      },
    ]);
    const call = createRetryMiddleware({ policy: { baseDelay: 0, jitter: 0 } })(model);

    const response = await call(request("openai/gpt-4o-mini", { stream: true }), context);

    expect(response.text).toBe("whole answer");
    const retries = context.events.of("retry");
    expect(retries[0]).toMatchObject({ attempt: 1, discardedTokens: 3 });
    expect(retries[1]).toMatchObject({ attempt: 2 });
    expect(retries[1]).not.toHaveProperty("discardedTokens");
  });
});
