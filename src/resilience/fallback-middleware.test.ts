import { describe, expect, it } from "vitest";
import { ProviderError } from "llmteam";
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
  CircuitOpenError,
  RetryError,
  createFallbackMiddleware,
  createResiliencePipeline,
  getRetryMetrics,
  shouldEscalate,
} from "./index.js";

const PRIMARY = "openai/gpt-4o-mini";
const HAIKU = "anthropic/claude-3-5-haiku";

describe("fallback models", () => {
  it("moves to the next model when retries are exhausted; the response names who answered", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const primary = scriptedModel([http(503), http(503)]);
    const haiku = scriptedModel(["from haiku"], { name: HAIKU });
    const call = createResiliencePipeline({ retryPolicy: { maxRetries: 1, jitter: 0 } })(callModel);

    const pending = call(request(primary, { fallbackModels: [haiku] }), context);
    await clock.advance(1_000);
    const answer = await pending;

    expect(answer).toMatchObject({ text: "from haiku", model: HAIKU });
    expect([primary.model.callsMade, haiku.model.callsMade]).toEqual([2, 1]);
    expect(context.events.of("fallback")).toEqual([
      {
        fromModel: PRIMARY,
        toModel: HAIKU,
        reason: expect.objectContaining({ code: "retry_exhausted" }),
      },
    ]);
    expect(answer.retryMetrics).toMatchObject({ attempts: 3, retries: 1, totalDelayMs: 1_000 });
    expect(answer.retryMetrics!.errors.map((info) => info.model)).toEqual([PRIMARY, PRIMARY]);
  });

  it("tries the models in order and fails with every model's error when all fail", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const models = [PRIMARY, "b/one", "c/two"].map((name) => scriptedModel([http(503)], { name }));
    const call = createResiliencePipeline({ retryPolicy: false })(callModel);

    const error = (await call(
      request(models[0]!, { fallbackModels: models.slice(1) }),
      context,
    ).catch((caught: unknown) => caught)) as RetryError;

    expect(models.map((model) => model.model.callsMade)).toEqual([1, 1, 1]);
    expect(
      context.events.of("fallback").map((event) => `${event.fromModel}>${event.toModel}`),
    ).toEqual([`${PRIMARY}>b/one`, "b/one>c/two"]);
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
    const primary = scriptedModel([http(503)]);
    const haiku = scriptedModel(["haiku ok", http(401)], { name: HAIKU });
    const call = createResiliencePipeline({
      retryPolicy: false,
      circuitBreaker: { failureThreshold: 1 },
    })(callModel);

    await call(request(primary), context).catch(() => undefined); // opens the primary's breaker
    const answer = await call(request(primary, { fallbackModels: [haiku] }), context);
    expect(answer.model).toBe(HAIKU);
    expect(context.events.of("fallback")[0]!.reason).toMatchObject({ code: "circuit_open" });

    const error = await call(request(primary, { fallbackModels: [haiku] }), context).catch(
      (caught: unknown) => caught,
    );
    expect((error as ProviderError).status).toBe(401);
    expect(shouldEscalate(error)).toBe(true);
    expect([primary.model.callsMade, haiku.model.callsMade]).toEqual([1, 2]);
  });

  it("does not fall back on a request error: a 400 is thrown as it is", async () => {
    const clock = new FakeClock(0);
    const primary = scriptedModel([http(400)]);
    const other = scriptedModel([], { name: "b/one" });
    const call = createResiliencePipeline()(callModel);

    const error = await call(
      request(primary, { fallbackModels: [other] }),
      callContext(clock),
    ).catch((caught: unknown) => caught);

    expect((error as ProviderError).status).toBe(400);
    expect(other.model.callsMade).toBe(0);
    expect(getRetryMetrics(error)).toMatchObject({ attempts: 1 });
  });

  it("does not fall back when the run was aborted: it rethrows the reason", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const models: string[] = [];
    const failsAfterAbort: ModelCall = async (modelRequest) => {
      models.push(modelRequest.model.name);
      controller.abort(reason);
      throw new ProviderError("socket closed", { status: 503 });
    };
    const primary = scriptedModel([]);
    const call = createFallbackMiddleware()(failsAfterAbort);

    const error = await call(
      request(primary, { fallbackModels: [scriptedModel([], { name: "b/one" })] }),
      callContext(clock, { signal: controller.signal }),
    ).catch((caught: unknown) => caught);

    expect(error).toBe(reason);
    expect(models).toEqual([PRIMARY]);
  });

  it("reports the tokens a failed stream had emitted when it falls back", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const primary = scriptedModel([
      { chunks: ["Half ", "an ", "answer ", "then "], streamError: networkError() },
    ]);
    const other = scriptedModel(["A fresh answer."], { name: "b/one" });
    const call = createResiliencePipeline({ retryPolicy: false })(callModel);

    const answer = await call(request(primary, { stream: true, fallbackModels: [other] }), context);

    expect(answer.text).toBe("A fresh answer.");
    expect(context.events.of("fallback")[0]).toMatchObject({
      fromModel: PRIMARY,
      toModel: "b/one",
      discardedTokens: 4,
    });
  });

  it("counts each model's discarded tokens on its own", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const first = scriptedModel([
      { chunks: ["a ", "b ", "c ", "d "], streamError: networkError() },
    ]);
    const second = scriptedModel([{ chunks: ["e ", "f "], streamError: networkError() }], {
      name: "b/one",
    });
    const third = scriptedModel(["done"], { name: "c/two" });

    await createFallbackMiddleware()(callModel)(
      request(first, { stream: true, fallbackModels: [second, third] }),
      context,
    );

    expect(context.events.of("fallback").map((event) => event.discardedTokens)).toEqual([4, 2]);
  });

  it("makes a CircuitOpenError easy to turn into shouldEscalate", () => {
    expect(shouldEscalate(new CircuitOpenError({ key: "k", state: "open" }))).toBe(true);
    expect(shouldEscalate(new Error("x"))).toBe(false);
  });
});
