import { describe, expect, it, vi } from "vitest";
import { ProviderError } from "llmteam";
import { FakeClock, type ScriptedResponse } from "llmteam/testing";
import { callModel } from "../providers/call-model.js";
import type { ModelCall } from "../providers/model-call.js";
import {
  callContext,
  http,
  request,
  scriptedModel,
  settle,
} from "../../test/support/resilience-fixtures.js";
import {
  CircuitOpenError,
  MemoryBreakerStore,
  createCircuitBreakerMiddleware,
  type CircuitBreakerOptions,
  type CircuitStateChange,
} from "./index.js";

const KEY = "agent:writer:openai/gpt-4o-mini";

function setup(
  policy: CircuitBreakerOptions,
  responses: ScriptedResponse[],
  inner: ModelCall = callModel,
) {
  const clock = new FakeClock(0);
  const context = callContext(clock);
  const model = scriptedModel(responses, { clock });
  const store = new MemoryBreakerStore();
  const call = createCircuitBreakerMiddleware({ policy, store })(inner);
  const outcome = (agentId = "writer") =>
    call(request(model), { ...context, agentId }).then(
      (answer) => answer.text,
      (error: unknown) => error,
    );
  return { clock, context, model, store, call, outcome };
}

const failures = (count: number) => Array.from({ length: count }, () => http(503));

describe("circuit breaker", () => {
  it("opens after 5 failures inside the window and then rejects at once without calling the model", async () => {
    const { clock, context, model, outcome, store } = setup({}, failures(5));
    for (let index = 0; index < 5; index++) {
      expect(await outcome()).toBeInstanceOf(ProviderError);
      await clock.advance(1_000);
    }
    const rejected = await outcome();

    expect(CircuitOpenError.isInstance(rejected)).toBe(true);
    expect(rejected).toMatchObject({
      code: "circuit_open",
      key: KEY,
      state: "open",
      retryAfterMs: 29_000,
      shouldEscalate: true,
    });
    expect(model.model.callsMade).toBe(5);
    expect(context.events.of("circuit_state_changed")).toEqual([
      { key: KEY, from: "closed", to: "open" },
    ]);
    expect(store.get(KEY)).toMatchObject({ state: "open", openedAtMs: 4_000 });
  });

  it("forgets failures older than failureWindowSeconds", async () => {
    const { clock, outcome, store } = setup({}, failures(6));
    for (let index = 0; index < 4; index++) {
      await outcome();
      await clock.advance(1_000); // failures at 0, 1, 2, 3 s
    }
    await clock.setTime(60_500); // the failure at 0 s has left the window
    await outcome();
    expect(store.get(KEY)?.state).toBe("closed");
    await outcome(); // failures at 1, 2, 3, 60.5, 60.5 s: 5 inside 60 s
    expect(store.get(KEY)?.state).toBe("open");
  });

  it("lets a single probe through when half-open: concurrent callers are rejected, not probing", async () => {
    const { clock, context, model, call, outcome } = setup(
      { failureThreshold: 1, successThreshold: 2 },
      [http(503), { text: "probe ok", delayMs: 5_000 }, "second probe ok"],
    );
    await outcome();
    await clock.advance(30_000);

    const probing = call(request(model), context);
    await settle();
    const concurrent = await Promise.all([outcome(), outcome(), outcome()]);

    expect(model.model.callsMade).toBe(2);
    for (const error of concurrent) {
      expect(CircuitOpenError.isInstance(error)).toBe(true);
      expect((error as CircuitOpenError).state).toBe("half_open");
    }
    await clock.advance(5_000);
    expect((await probing).text).toBe("probe ok");
    expect(context.events.of("circuit_state_changed").map((change) => change.to)).toEqual([
      "open",
      "half_open",
    ]);

    // One success of two: still half-open, the next caller is the next probe; the second closes it.
    expect(await outcome()).toBe("second probe ok");
    expect(
      context.events.of("circuit_state_changed").map((change) => `${change.from}>${change.to}`),
    ).toEqual(["closed>open", "open>half_open", "half_open>closed"]);
  });

  it("reopens when the probe fails, for another full recovery timeout", async () => {
    const { clock, context, model, outcome } = setup({ failureThreshold: 1 }, [
      http(503),
      http(503),
      "ok",
    ]);
    await outcome();
    await clock.advance(30_000);
    expect(await outcome()).toBeInstanceOf(ProviderError); // the probe fails
    await clock.advance(29_999);
    expect(CircuitOpenError.isInstance(await outcome())).toBe(true);
    await clock.advance(1);
    expect(await outcome()).toBe("ok");
    expect(model.model.callsMade).toBe(3);
    expect(context.events.of("circuit_state_changed").map((change) => change.to)).toEqual([
      "open",
      "half_open",
      "open",
      "half_open",
    ]);
  });

  it("does not count errors that say nothing about the model's health (a 400)", async () => {
    const { outcome, store } = setup({ failureThreshold: 2 }, [
      ...Array.from({ length: 10 }, () => http(400)),
      "ok",
    ]);
    for (let index = 0; index < 10; index++) await outcome();
    expect(store.get(KEY)?.state ?? "closed").toBe("closed");
    expect(await outcome()).toBe("ok");
  });

  it("does not count a call the run aborted, whatever error the model threw", async () => {
    const controller = new AbortController();
    const failsAfterAbort: ModelCall = async () => {
      controller.abort(new Error("cancelled"));
      throw new ProviderError("socket closed", { status: 503 });
    };
    const { context, model, call, store } = setup({ failureThreshold: 1 }, [], failsAfterAbort);
    await call(request(model), { ...context, signal: controller.signal }).catch(() => undefined);
    expect(store.get(KEY)?.state ?? "closed").toBe("closed");
  });

  it("frees the probe slot when the probe ends without a verdict", async () => {
    const { clock, outcome, store } = setup({ failureThreshold: 1 }, [http(503), http(400), "ok"]);
    await outcome();
    await clock.advance(30_000);
    await outcome(); // the probe gets a 400: no verdict
    expect(store.get(KEY)).toMatchObject({ state: "half_open" });
    expect(store.get(KEY)?.probeId).toBeUndefined();
    expect(await outcome()).toBe("ok"); // the next caller probes
  });

  it("does not let a probe that never reports block the breaker forever", async () => {
    const hangs = new Set<number>([1]);
    let calls = 0;
    const probeDies: ModelCall = async (modelRequest, context) =>
      hangs.has(calls++) ? new Promise(() => undefined) : callModel(modelRequest, context);
    const { clock, model, outcome } = setup(
      { failureThreshold: 1, successThreshold: 1 },
      [http(503), "ok"],
      probeDies,
    );
    await outcome();
    await clock.advance(30_000);
    void outcome(); // a probe whose process died: it never settles
    await settle();
    expect(CircuitOpenError.isInstance(await outcome())).toBe(true);
    await clock.advance(30_000);
    expect(await outcome()).toBe("ok");
    expect(model.model.callsMade).toBe(2);
  });

  it("keeps agents apart by default", async () => {
    const { outcome } = setup({ failureThreshold: 1 }, [http(503), "other agent ok"]);
    await outcome("writer");
    expect(await outcome("editor")).toBe("other agent ok");
  });

  it("shares one breaker per model between agents with scope model", async () => {
    const { context, outcome } = setup({ failureThreshold: 2, scope: "model" }, failures(2));
    await outcome("writer");
    await outcome("editor");
    const rejected = await outcome("planner");
    expect(rejected).toMatchObject({ key: "model:openai/gpt-4o-mini", state: "open" });
    expect(context.events.of("circuit_state_changed")).toEqual([
      { key: "model:openai/gpt-4o-mini", from: "closed", to: "open" },
    ]);
  });

  it("calls onStateChange with one object per change", async () => {
    const onStateChange = vi.fn<(change: CircuitStateChange) => void>();
    const { outcome } = setup({ failureThreshold: 1, onStateChange }, [http(503)]);
    await outcome();
    expect(onStateChange).toHaveBeenCalledWith({ key: KEY, from: "closed", to: "open" });
  });
});
