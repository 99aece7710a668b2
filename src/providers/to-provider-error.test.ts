import { APICallError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { ConfigError, ProviderError } from "llmteam";
import { toProviderError } from "./to-provider-error.js";

const where = {
  provider: "openai",
  model: "openai/gpt-4o-mini",
  now: Date.UTC(2026, 0, 1, 12, 0, 0),
};

function rateLimited(headers: Record<string, string>): APICallError {
  return new APICallError({
    message: "Rate limit",
    url: "http://x",
    requestBodyValues: {},
    statusCode: 429,
    responseHeaders: headers,
    isRetryable: true,
  });
}

describe("toProviderError", () => {
  it("keeps status and headers of an APICallError and reads Retry-After into retryAfterMs", () => {
    const error = rateLimited({ "retry-after": "3" });
    const converted = toProviderError(error, where) as ProviderError;
    expect(ProviderError.isInstance(converted)).toBe(true);
    expect(converted).toMatchObject({
      status: 429,
      isRetryable: true,
      retryAfterMs: 3_000,
      provider: "openai",
      model: "openai/gpt-4o-mini",
    });
    expect(converted.headers).toEqual({ "retry-after": "3" });
    expect(converted.cause).toBe(error);
  });

  it("reads the HTTP-date and milliseconds forms against the given time", () => {
    expect(
      (
        toProviderError(
          rateLimited({ "retry-after": "Thu, 01 Jan 2026 12:00:07 GMT" }),
          where,
        ) as ProviderError
      ).retryAfterMs,
    ).toBe(7_000);
    expect(
      (toProviderError(rateLimited({ "retry-after-ms": "250" }), where) as ProviderError)
        .retryAfterMs,
    ).toBe(250);
    expect((toProviderError(rateLimited({}), where) as ProviderError).retryAfterMs).toBeUndefined();
  });

  it("passes our own errors through unchanged", () => {
    const config = new ConfigError("bad");
    expect(toProviderError(config, where)).toBe(config);
  });

  it("turns a cut 200 response into a retryable error without status, in one line", () => {
    const cut = new APICallError({
      message: "Failed to process successful response",
      url: "http://127.0.0.1:8080/v1/chat/completions",
      requestBodyValues: {},
      statusCode: 200,
      cause: new TypeError("terminated", {
        cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
      }),
    });
    const converted = toProviderError(cut, where) as ProviderError;
    expect(converted.status).toBeUndefined();
    expect(converted.isRetryable).toBe(true);
    expect(converted.message).toBe(
      "openai/gpt-4o-mini: connection lost while reading the response of /v1/chat/completions (HTTP 200): UND_ERR_SOCKET: other side closed",
    );
  });

  it("cuts a multi-line provider message to one line of at most 240 characters", () => {
    const dump = `Type validation failed: Value: ${"x".repeat(5_000)}\nError message: [${"{}\n".repeat(1_400)}]`;
    const converted = toProviderError(new Error(dump), where) as ProviderError;
    expect(converted.message).not.toContain("\n");
    expect(converted.message.length).toBeLessThanOrEqual(where.model.length + 2 + 241);
  });
});
