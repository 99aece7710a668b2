import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProviderError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { callModel } from "../providers/call-model.js";
import type { ResolvedModel } from "../providers/model-call.js";
import { callContext, request } from "../../test/support/resilience-fixtures.js";
import { startOpenAIWireServer } from "../../test/support/openai-wire-server.js";
import { createRetryMiddleware } from "./index.js";

const START_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A real OpenAI-compatible server on 127.0.0.1: a 429 with `headers`, then an answer. */
async function rateLimitedModel(headers: Record<string, string>, stream = false) {
  const server = await startOpenAIWireServer([
    { status: 429, headers, error: "Rate limit reached" },
    stream ? { chunks: ["hello ", "after ", "the wait"] } : { text: "hello after the wait" },
  ]);
  close = server.close;
  const model: ResolvedModel = {
    name: "local/test-model",
    model: createOpenAICompatible({ name: "local", baseURL: server.baseURL }).chatModel(
      "test-model",
    ),
  };
  return { model, requests: server.requests };
}

describe("Retry-After read from real response headers", () => {
  it.each([
    ["seconds", { "retry-after": "2" }, 2_000],
    ["an HTTP date", { "retry-after": new Date(START_MS + 3_000).toUTCString() }, 3_000],
    ["milliseconds", { "retry-after-ms": "1500" }, 1_500],
  ])(
    "waits what a 429 with Retry-After in %s asks, on the fake clock",
    async (_form, headers, expectedDelayMs) => {
      const { model, requests } = await rateLimitedModel(headers);
      const clock = new FakeClock(START_MS);
      const context = callContext(clock);
      const call = createRetryMiddleware()(callModel);

      const pending = call(request(model), context);
      await vi.waitFor(() => expect(context.events.of("retry")).toHaveLength(1)); // the 429 came back over real HTTP

      const [retry] = context.events.of("retry");
      expect(retry).toMatchObject({
        attempt: 1,
        delayMs: expectedDelayMs,
        error: { status: 429, code: "provider_error" },
      });
      await clock.advance(expectedDelayMs - 1);
      expect(requests).toHaveLength(1);
      await clock.advance(1);
      const answer = await pending;

      expect(answer.text).toBe("hello after the wait");
      expect(requests).toHaveLength(2);
      expect(answer.retryMetrics).toMatchObject({
        attempts: 2,
        retries: 1,
        totalDelayMs: expectedDelayMs,
      });
    },
  );

  it("gives the core's ProviderError the status, headers and retryAfterMs of the response", async () => {
    const { model } = await rateLimitedModel({ "retry-after": "2" });
    const clock = new FakeClock(START_MS);
    const error = await callModel(request(model), callContext(clock)).catch(
      (caught: unknown) => caught,
    );

    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 429,
      isRetryable: true,
      retryAfterMs: 2_000,
      model: "local/test-model",
    });
    expect((error as ProviderError).headers?.["retry-after"]).toBe("2");
  });

  it("retries a streamed call the same way", async () => {
    const { model } = await rateLimitedModel({ "retry-after": "2" }, true);
    const clock = new FakeClock(START_MS);
    const context = callContext(clock);
    const pending = createRetryMiddleware()(callModel)(request(model, { stream: true }), context);
    await vi.waitFor(() => expect(context.events.of("retry")).toHaveLength(1));
    await clock.advance(2_000);
    expect((await pending).text).toBe("hello after the wait");
    expect(context.events.of("token").map((token) => token.token)).toEqual([
      "hello ",
      "after ",
      "the wait",
    ]);
  });
});
