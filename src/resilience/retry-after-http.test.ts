import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ProviderError } from "llmteam";
import { FakeClock } from "llmteam/testing";
import type { ModelCall } from "../providers/model-call.js";
import { callContext, request } from "../../test/support/scripted-model-call.js";
import { createRetryMiddleware, toProviderError } from "./index.js";

const START_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_767_268_800,
  model: "test-model",
  choices: [{ index: 0, message: { role: "assistant", content: "hello after the wait" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
};

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server speaking the OpenAI chat-completions wire format: 429 with `headers` once, then 200. */
async function rateLimitedServer(headers: Record<string, string>): Promise<{ baseURL: string; hits: () => number }> {
  let hits = 0;
  server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    incoming.resume();
    incoming.on("end", () => {
      hits++;
      if (hits === 1) {
        outgoing.writeHead(429, { "content-type": "application/json", ...headers });
        outgoing.end(JSON.stringify({ error: { message: "Rate limit reached", type: "rate_limit_error" } }));
        return;
      }
      outgoing.writeHead(200, { "content-type": "application/json" });
      outgoing.end(JSON.stringify(completion));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, hits: () => hits };
}

/** The core's model call in miniature: `doGenerate`, errors converted with `toProviderError`. */
function openAICompatibleCall(baseURL: string, clock: FakeClock): ModelCall {
  const model = createOpenAICompatible({ name: "local", baseURL }).chatModel("test-model");
  return async (modelRequest, context) => {
    try {
      const result = await model.doGenerate({ prompt: modelRequest.prompt, abortSignal: context.signal });
      const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
      return { text, toolCalls: [], usage: { inputTokens: 5, outputTokens: 4, totalTokens: 9 }, finishReason: "stop", model: modelRequest.model.name, latencyMs: 0 };
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      throw toProviderError(error, { provider: "local", model: "test-model", now: clock.now() });
    }
  };
}

describe("Retry-After read from real response headers", () => {
  it.each([
    ["seconds", { "retry-after": "2" }, 2_000],
    ["an HTTP date", { "retry-after": new Date(START_MS + 3_000).toUTCString() }, 3_000],
    ["milliseconds", { "retry-after-ms": "1500" }, 1_500],
  ])("waits what a 429 with Retry-After in %s asks, on the fake clock", async (_form, headers, expectedDelayMs) => {
    const { baseURL, hits } = await rateLimitedServer(headers);
    const clock = new FakeClock(START_MS);
    const context = callContext(clock);
    const call = createRetryMiddleware()(openAICompatibleCall(baseURL, clock));

    const pending = call(request("local/test-model", { prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }), context);
    await vi.waitFor(() => expect(clock.pendingSleeps).toBe(1)); // the 429 came back over real HTTP

    const [retry] = context.events.of("retry");
    expect(retry).toMatchObject({ attempt: 1, delayMs: expectedDelayMs, error: { status: 429, code: "provider_error" } });
    await clock.advance(expectedDelayMs - 1);
    expect(hits()).toBe(1);
    await clock.advance(1);
    const answer = await pending;

    expect(answer.text).toBe("hello after the wait");
    expect(hits()).toBe(2);
    expect(answer.retryMetrics).toMatchObject({ attempts: 2, retries: 1, totalDelayMs: expectedDelayMs });
  });

  it("converts the SDK's APICallError with status, headers and retryAfterMs", async () => {
    const { baseURL } = await rateLimitedServer({ "retry-after": "2" });
    const clock = new FakeClock(START_MS);
    const error = await openAICompatibleCall(baseURL, clock)(request(), callContext(clock)).catch((caught: unknown) => caught);

    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, isRetryable: true, retryAfterMs: 2_000, provider: "local", model: "test-model" });
    expect((error as ProviderError).headers?.["retry-after"]).toBe("2");
  });
});
