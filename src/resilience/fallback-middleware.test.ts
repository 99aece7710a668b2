import { describe, expect, it } from "vitest";
import { ProviderError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { callContext, request, resolvedModel, scriptedCall } from "../../test/support/scripted-model-call.js";
import {
  CircuitOpenError,
  RetryError,
  createFallbackMiddleware,
  createResiliencePipeline,
  getRetryMetrics,
  shouldEscalate,
} from "./index.js";

const unavailable = () => new ProviderError("HTTP 503", { status: 503 });
const PRIMARY = "openai/gpt-4o-mini";
const withFallbacks = (...names: string[]) => request(PRIMARY, { fallbackModels: names.map(resolvedModel) });

describe("fallback models", () => {
  it("moves to the next model when retries are exhausted; the response names who answered", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([unavailable(), unavailable(), "from haiku"]);
    const call = createResiliencePipeline({ retryPolicy: { maxRetries: 1, jitter: 0 } })(model);

    const pending = call(withFallbacks("anthropic/claude-3-5-haiku"), context);
    await clock.advance(1_000);
    const answer = await pending;

    expect(answer).toMatchObject({ text: "from haiku", model: "anthropic/claude-3-5-haiku" });
    expect(model.calls.map((entry) => entry.model)).toEqual([PRIMARY, PRIMARY, "anthropic/claude-3-5-haiku"]);
    expect(context.events.of("fallback")).toEqual([
      { fromModel: PRIMARY, toModel: "anthropic/claude-3-5-haiku", reason: expect.objectContaining({ code: "retry_exhausted" }) },
    ]);
    expect(answer.retryMetrics).toMatchObject({ attempts: 3, retries: 1, totalDelayMs: 1_000 });
    expect(answer.retryMetrics!.errors.map((info) => info.model)).toEqual([PRIMARY, PRIMARY]);
  });

  it("tries the models in order and fails with every model's error when all fail", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([unavailable(), unavailable(), unavailable()]);
    const call = createResiliencePipeline({ retryPolicy: false })(model);

    const error = (await call(withFallbacks("b/one", "c/two"), context).catch((caught: unknown) => caught)) as RetryError;

    expect(model.calls.map((entry) => entry.model)).toEqual([PRIMARY, "b/one", "c/two"]);
    expect(context.events.of("fallback").map((event) => `${event.fromModel}>${event.toModel}`)).toEqual([
      `${PRIMARY}>b/one`,
      "b/one>c/two",
    ]);
    expect(RetryError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("fallbacks_exhausted");
    expect(error.errors).toHaveLength(3);
    expect(error.message).toContain(`All 3 models failed: ${PRIMARY} (`);
    expect(error.metrics?.attempts).toBe(3);
    expect(shouldEscalate(error)).toBe(false);
  });

  it("falls back at once when the breaker is open, and escalates if the fallback fails too", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([unavailable(), "haiku ok", new ProviderError("HTTP 401", { status: 401 })]);
    const call = createResiliencePipeline({ retryPolicy: false, circuitBreaker: { failureThreshold: 1 } })(model);

    await call(request(), context).catch(() => undefined); // opens the primary's breaker
    const answer = await call(withFallbacks("anthropic/haiku"), context);
    expect(answer.model).toBe("anthropic/haiku");
    expect(context.events.of("fallback")[0]!.reason).toMatchObject({ code: "circuit_open" });

    const error = await call(withFallbacks("anthropic/haiku"), context).catch((caught: unknown) => caught);
    expect((error as ProviderError).status).toBe(401);
    expect(shouldEscalate(error)).toBe(true);
    expect(model.calls.map((entry) => entry.model)).toEqual([PRIMARY, "anthropic/haiku", "anthropic/haiku"]);
  });

  it("does not fall back on a request error: a 400 is thrown as it is", async () => {
    const clock = new FakeClock(0);
    const badRequest = new ProviderError("HTTP 400", { status: 400 });
    const model = scriptedCall([badRequest]);
    const call = createResiliencePipeline()(model);

    const error = await call(withFallbacks("b/one"), callContext(clock)).catch((caught: unknown) => caught);

    expect(error).toBe(badRequest);
    expect(model.calls).toHaveLength(1);
    expect(getRetryMetrics(error)).toMatchObject({ attempts: 1 });
  });

  it("does not fall back when the run was aborted: it rethrows the reason", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const model = scriptedCall([
      async () => {
        controller.abort(reason);
        throw unavailable();
      },
    ]);
    const call = createFallbackMiddleware()(model);

    const error = await call(withFallbacks("b/one"), callContext(clock, { signal: controller.signal })).catch((caught: unknown) => caught);

    expect(error).toBe(reason);
    expect(model.calls).toHaveLength(1);
  });

  it("reports the tokens a failed stream had emitted when it falls back", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedCall([
      async (_request, inner) => {
        inner.streamProgress!.tokens += 4;
        throw unavailable();
      },
      "fresh answer",
    ]);
    const call = createResiliencePipeline({ retryPolicy: false })(model);

    await call({ ...withFallbacks("b/one"), stream: true }, context);

    expect(context.events.of("fallback")[0]).toMatchObject({ fromModel: PRIMARY, toModel: "b/one", discardedTokens: 4 });
  });

  it("makes a CircuitOpenError easy to turn into shouldEscalate", () => {
    const error = new CircuitOpenError({ key: "k", state: "open" });
    expect(shouldEscalate(error)).toBe(true);
    expect(shouldEscalate(new Error("x"))).toBe(false);
  });
});
