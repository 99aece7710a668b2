import { APICallError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { ConfigError, ProviderError } from "llmteam";
import { CircuitOpenError, ModelTimeoutError, RetryError, isRetryableError } from "./index.js";

const apiError = (
  statusCode: number | undefined,
  extra: { isRetryable?: boolean; cause?: unknown } = {},
) =>
  new APICallError({
    message: "failed",
    url: "http://x",
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    ...extra,
  });

const networkError = (code: string) =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });

describe("isRetryableError", () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529])("retries HTTP %i", (status) => {
    expect(isRetryableError(new ProviderError("x", { status }))).toBe(true);
    expect(isRetryableError(apiError(status))).toBe(true);
  });

  it("lets the cause decide when the status is 200 (a connection cut mid-response)", () => {
    const cut = new TypeError("terminated", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    expect(isRetryableError(apiError(200, { cause: cut }))).toBe(true);
    expect(isRetryableError(apiError(200, { cause: new Error("Type validation failed") }))).toBe(
      false,
    );
    expect(isRetryableError(apiError(200, { cause: networkError("ENOTFOUND") }))).toBe(false);
  });

  it.each([400, 401, 403, 404, 413, 422])("never retries HTTP %i", (status) => {
    expect(isRetryableError(new ProviderError("x", { status, isRetryable: true }))).toBe(false);
    expect(isRetryableError(apiError(status, { isRetryable: true }))).toBe(false);
  });

  it.each(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET"])(
    "retries the network error %s, also wrapped by fetch and by the AI SDK",
    (code) => {
      expect(isRetryableError(Object.assign(new Error(code), { code }))).toBe(true);
      expect(isRetryableError(networkError(code))).toBe(true);
      expect(isRetryableError(apiError(undefined, { cause: networkError(code) }))).toBe(true);
      expect(isRetryableError(new ProviderError("x", { cause: networkError(code) }))).toBe(true);
    },
  );

  it("retries our per-call timeout and provider 'overloaded' errors", () => {
    expect(isRetryableError(new ModelTimeoutError({ timeoutMs: 10 }))).toBe(true);
    expect(isRetryableError(new Error("Overloaded"))).toBe(true);
    expect(isRetryableError(Object.assign(new Error("x"), { type: "overloaded_error" }))).toBe(
      true,
    );
  });

  it("never retries config, budget, breaker, retry, validation, abort or unknown errors", () => {
    expect(isRetryableError(new ConfigError("bad"))).toBe(false);
    expect(
      isRetryableError(Object.assign(new Error("over budget"), { code: "budget_exceeded" })),
    ).toBe(false);
    expect(isRetryableError(new CircuitOpenError({ key: "k", state: "open" }))).toBe(false);
    expect(isRetryableError(new RetryError("done", { reason: "max_retries", errors: [] }))).toBe(
      false,
    );
    expect(
      isRetryableError(Object.assign(new Error("bad output"), { name: "AI_TypeValidationError" })),
    ).toBe(false);
    expect(isRetryableError(new DOMException("aborted", "AbortError"))).toBe(false);
    expect(isRetryableError(new DOMException("timed out", "TimeoutError"))).toBe(false);
    expect(isRetryableError(new Error("bug"))).toBe(false);
    expect(isRetryableError("string")).toBe(false);
    expect(isRetryableError(undefined)).toBe(false);
  });

  it("never retries an unclassified network failure with ENOTFOUND (a wrong host name)", () => {
    expect(isRetryableError(networkError("ENOTFOUND"))).toBe(false);
  });
});
