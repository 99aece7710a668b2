import { describe, expect, it } from "vitest";
import { ConfigError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { callModel } from "../providers/call-model.js";
import {
  callContext,
  http,
  request,
  scriptedModel,
} from "../../test/support/resilience-fixtures.js";
import {
  CircuitOpenError,
  MemoryBreakerStore,
  createResiliencePipeline,
  getRetryMetrics,
  shouldEscalate,
} from "./index.js";

describe("resilience pipeline", () => {
  it("counts each attempt in the breaker and stops retrying once it opens", async () => {
    const clock = new FakeClock(0);
    const context = callContext(clock);
    const model = scriptedModel([http(503), http(503)]);
    const call = createResiliencePipeline({
      retryPolicy: { maxRetries: 5, jitter: 0 },
      circuitBreaker: { failureThreshold: 2 },
    })(callModel);

    const pending = call(request(model), context).catch((error: unknown) => error);
    await clock.advance(1_000 + 2_000);
    const error = await pending;

    expect(CircuitOpenError.isInstance(error)).toBe(true);
    expect(shouldEscalate(error)).toBe(true);
    expect(model.model.callsMade).toBe(2);
    expect(context.events.events.map((event) => event.type)).toEqual([
      "retry",
      "circuit_state_changed",
      "retry",
    ]);
    expect(getRetryMetrics(error)).toMatchObject({
      attempts: 3,
      retries: 2,
      totalDelayMs: 3_000,
      circuitState: "open",
    });
    expect(getRetryMetrics(error)!.errors.map((info) => info.code)).toEqual([
      "provider_error",
      "provider_error",
      "circuit_open",
    ]);
  });

  it("reports the breaker's state after the last attempt when retries run out", async () => {
    const clock = new FakeClock(0);
    const call = createResiliencePipeline({
      retryPolicy: { maxRetries: 1, jitter: 0 },
      circuitBreaker: { failureThreshold: 2 },
    })(callModel);
    const pending = call(request(scriptedModel([http(503), http(503)])), callContext(clock)).catch(
      (error: unknown) => error,
    );
    await clock.advance(1_000);
    const error = await pending;
    expect(error).toMatchObject({ code: "retry_exhausted", reason: "max_retries" });
    expect(getRetryMetrics(error)?.circuitState).toBe("open");
    expect(shouldEscalate(error)).toBe(true); // its own failures opened the breaker
  });

  it("reports metrics on success, with the breaker's state", async () => {
    const clock = new FakeClock(0);
    const call = createResiliencePipeline({ circuitBreaker: {}, retryPolicy: { jitter: 0 } })(
      callModel,
    );
    const pending = call(request(scriptedModel([http(503, {}), "ok"])), callContext(clock));
    await clock.advance(1_000);
    expect((await pending).retryMetrics).toEqual({
      attempts: 2,
      retries: 1,
      totalDelayMs: 1_000,
      circuitState: "closed",
      errors: [
        {
          name: "ProviderError",
          message: "openai/gpt-4o-mini: HTTP 503",
          code: "provider_error",
          status: 503,
          model: "openai/gpt-4o-mini",
          attempt: 1,
        },
      ],
    });
  });

  it("shares per-model breakers between the pipelines of several agents through one store", async () => {
    const clock = new FakeClock(0);
    const breakerStore = new MemoryBreakerStore();
    const options = {
      retryPolicy: false as const,
      circuitBreaker: { failureThreshold: 2, scope: "model" as const },
      breakerStore,
    };
    const model = scriptedModel([http(503), http(503)]);
    const writer = createResiliencePipeline(options)(callModel);
    const editor = createResiliencePipeline(options)(callModel);
    const planner = createResiliencePipeline(options)(callModel);

    await writer(request(model), callContext(clock, { agentId: "writer" })).catch(() => undefined);
    await editor(request(model), callContext(clock, { agentId: "editor" })).catch(() => undefined);
    const error = await planner(request(model), callContext(clock, { agentId: "planner" })).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({ code: "circuit_open", key: "model:openai/gpt-4o-mini" });
    expect(breakerStore.get("model:openai/gpt-4o-mini")?.state).toBe("open");
    expect(model.model.callsMade).toBe(2);
  });

  it("validates its policies when it is created", () => {
    expect(() => createResiliencePipeline({ retryPolicy: { maxRetries: -1 } })).toThrow(
      ConfigError,
    );
    expect(() =>
      createResiliencePipeline({ circuitBreaker: { failureTreshold: 3 } as never }),
    ).toThrow(/Unknown key "failureTreshold"/);
  });
});
