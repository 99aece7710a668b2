import { describe, expect, it, vi } from "vitest";
import { ConfigError, LLMTeamError, ProviderError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { callModel } from "../providers/call-model.js";
import type { ModelCall } from "../providers/model-call.js";
import {
  callContext,
  http,
  networkError,
  request,
  scriptedModel,
} from "../../test/support/resilience-fixtures.js";
import {
  RetryError,
  createRetryMiddleware,
  getRetryMetrics,
  type RetryInfo,
  type RetryOnInput,
} from "./index.js";

/** Jitter off: the random factor is exactly 1. */
const noJitter = () => 0.5;

/** A budget stop as the cost module throws it. */
class BudgetStop extends LLMTeamError {
  override readonly code = "budget_exceeded";
}

describe("retry middleware", () => {
  it("retries a 503 then succeeds, waiting 1 s then 2 s", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel([http(503), http(503), "ok"]);
    const onRetry = vi.fn<(info: RetryInfo) => void>();
    const call = createRetryMiddleware({ policy: { onRetry }, random: noJitter })(callModel);

    const pending = call(request(model), context);
    await clock.advance(999);
    expect(model.model.callsMade).toBe(1);
    await clock.advance(1);
    expect(model.model.callsMade).toBe(2);
    await clock.advance(1_999);
    expect(model.model.callsMade).toBe(2);
    await clock.advance(1);
    const response = await pending;

    expect(response.text).toBe("ok");
    expect(response.retryMetrics).toMatchObject({
      attempts: 3,
      retries: 2,
      totalDelayMs: 3_000,
      circuitState: undefined,
    });
    expect(response.retryMetrics!.errors.map((error) => [error.status, error.attempt])).toEqual([
      [503, 1],
      [503, 2],
    ]);
    expect(context.events.of("retry")).toEqual([
      {
        attempt: 1,
        delayMs: 1_000,
        model: "openai/gpt-4o-mini",
        error: expect.objectContaining({ status: 503, code: "provider_error" }),
      },
      {
        attempt: 2,
        delayMs: 2_000,
        model: "openai/gpt-4o-mini",
        error: expect.objectContaining({ status: 503 }),
      },
    ]);
    expect(onRetry.mock.calls.map(([info]) => [info.attempt, info.delayMs])).toEqual([
      [1, 1_000],
      [2, 2_000],
    ]);
  });

  it("throws RetryError with every error after maxRetries", async () => {
    const clock = new FakeClock(0);
    const model = scriptedModel([http(500), http(502), http(429), http(503)]);
    const call = createRetryMiddleware({ random: noJitter })(callModel);

    const pending = call(request(model), callContext(clock)).catch((error: unknown) => error);
    await clock.advance(1_000 + 2_000 + 4_000);
    const error = await pending;

    expect(RetryError.isInstance(error)).toBe(true);
    const retryError = error as RetryError;
    expect(retryError.code).toBe("retry_exhausted");
    expect(retryError.reason).toBe("max_retries");
    expect(retryError.errors.map((each) => (each as ProviderError).status)).toEqual([
      500, 502, 429, 503,
    ]);
    expect(retryError.lastError).toBe(retryError.errors[3]);
    expect(retryError.cause).toBe(retryError.errors[3]);
    expect(retryError.message).toContain("failed after 4 attempts (maxRetries: 3)");
    expect(retryError.metrics).toMatchObject({ attempts: 4, retries: 3, totalDelayMs: 7_000 });
    expect(getRetryMetrics(retryError)).toBe(retryError.metrics);
    expect(model.model.callsMade).toBe(4);
  });

  it.each([
    ["400", http(400), (error: unknown) => (error as ProviderError).status === 400],
    ["401", http(401), (error: unknown) => (error as ProviderError).status === 401],
    ["403", http(403), (error: unknown) => (error as ProviderError).status === 403],
    ["404", http(404), (error: unknown) => (error as ProviderError).status === 404],
    [
      "ConfigError",
      { error: new ConfigError("no such model") },
      (error: unknown) => ConfigError.isInstance(error),
    ],
    [
      "budget stop",
      { error: new BudgetStop("budget exhausted") },
      (error: unknown) => error instanceof BudgetStop,
    ],
    [
      "an unknown bug",
      { error: new RangeError("oops") },
      (error: unknown) => (error as Error).message.includes("oops"),
    ],
  ])(
    "fails at once on a non-retryable error (%s), metrics attached",
    async (_name, response, isExpected) => {
      const clock = new FakeClock(0);
      const context = callContext(clock);
      const model = scriptedModel([response]);
      const call = createRetryMiddleware()(callModel);

      const error = await call(request(model), context).catch((caught: unknown) => caught);

      expect(isExpected(error)).toBe(true);
      expect(model.model.callsMade).toBe(1);
      expect(clock.pendingSleeps).toBe(0);
      expect(context.events.of("retry")).toEqual([]);
      expect(getRetryMetrics(error)).toMatchObject({
        attempts: 1,
        retries: 0,
        errors: [expect.objectContaining({ attempt: 1 })],
      });
    },
  );

  it("retries network errors (fetch failed, ECONNRESET)", async () => {
    const clock = new FakeClock(0);
    const model = scriptedModel([{ error: networkError("ECONNRESET") }, "ok"]);
    const call = createRetryMiddleware({ random: noJitter })(callModel);

    const pending = call(request(model), callContext(clock));
    await clock.advance(1_000);
    expect((await pending).text).toBe("ok");
  });

  it("waits exactly the Retry-After the provider asked for, not the backoff", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel([http(429, { "retry-after": "5" }), "ok"]);
    const call = createRetryMiddleware()(callModel);

    const pending = call(request(model), context);
    await clock.advance(4_999);
    expect(model.model.callsMade).toBe(1);
    await clock.advance(1);
    await expect(pending).resolves.toMatchObject({
      text: "ok",
      retryMetrics: { totalDelayMs: 5_000 },
    });
    expect(context.events.of("retry")[0]).toMatchObject({ delayMs: 5_000 });
  });

  it("reads Retry-After from the headers of a ProviderError that has no retryAfterMs", async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const custom: ModelCall = async (modelRequest, context) => {
      if (calls++ === 0)
        throw new ProviderError("busy", { status: 503, headers: { "Retry-After": "4" } });
      return callModel(modelRequest, context);
    };
    const pending = createRetryMiddleware()(custom)(
      request(scriptedModel(["ok"])),
      callContext(clock),
    );
    await clock.advance(3_999);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect((await pending).text).toBe("ok");
  });

  it("fails fast when Retry-After is beyond maxRetryAfterSeconds", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel([http(429, { "retry-after": "3600" })]);
    const call = createRetryMiddleware({ policy: { maxRetryAfterSeconds: 120 } })(callModel);

    const error = (await call(request(model), context).catch(
      (caught: unknown) => caught,
    )) as RetryError;

    expect(RetryError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("retry_after_too_long");
    expect(error.message).toContain("asked to wait 3600 s");
    expect(error.message).toContain("maxRetryAfterSeconds (120 s)");
    expect((error.lastError as ProviderError).retryAfterMs).toBe(3_600_000);
    expect(clock.pendingSleeps).toBe(0);
    expect(context.events.of("retry")).toEqual([]);
  });

  it("ends a backoff sleep at once with the signal's reason when the run is aborted", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const context = callContext(clock, { signal: controller.signal });
    const model = scriptedModel([http(503), "never reached"]);
    const call = createRetryMiddleware()(callModel);

    const pending = call(request(model), context).catch((error: unknown) => error);
    await clock.advance(100);
    expect(clock.pendingSleeps).toBe(1);
    const reason = new Error("user cancelled");
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    expect(model.model.callsMade).toBe(1);
  });

  it("rethrows the abort reason when the run is aborted during an attempt, not retrying the attempt's error", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const failsAfterAbort: ModelCall = async () => {
      controller.abort(reason);
      throw new ProviderError("socket closed", { status: 503 });
    };
    const context = callContext(clock, { signal: controller.signal });

    const error = await createRetryMiddleware()(failsAfterAbort)(
      request(scriptedModel([])),
      context,
    ).catch((caught: unknown) => caught);

    expect(error).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
    expect(context.events.of("retry")).toEqual([]);
  });

  it("lets retryOn decide what is retried", async () => {
    const clock = new FakeClock(0);
    const retryOn = vi.fn(({ error }: RetryOnInput) => (error as ProviderError).status === 400);
    const model = scriptedModel([http(400), http(503)]);
    const call = createRetryMiddleware({ policy: { retryOn, baseDelay: 0, jitter: 0 } })(callModel);

    const error = await call(request(model), callContext(clock)).catch((caught: unknown) => caught);

    expect((error as ProviderError).status).toBe(503);
    expect(model.model.callsMade).toBe(2);
    expect(retryOn.mock.calls.map(([input]) => input.attempt)).toEqual([1, 2]);
  });

  it("retries a stream that failed mid-way from the start, reporting the discarded tokens", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel([
      { chunks: ["The ", "answer ", "is "], streamError: networkError("ECONNRESET") },
      http(503), // fails before its first token
      { chunks: ["The ", "whole ", "answer."] },
    ]);
    const call = createRetryMiddleware({ policy: { baseDelay: 0, jitter: 0 } })(callModel);

    const response = await call(request(model, { stream: true }), context);

    expect(response.text).toBe("The whole answer.");
    const retries = context.events.of("retry");
    expect(retries[0]).toMatchObject({ attempt: 1, discardedTokens: 3 });
    expect(retries[1]).toMatchObject({ attempt: 2 });
    expect(retries[1]).not.toHaveProperty("discardedTokens");
    expect(
      context.events
        .of("token")
        .map((token) => token.token)
        .join(""),
    ).toBe("The answer is The whole answer.");
  });
});
