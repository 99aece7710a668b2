import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigError } from "llmteam";
import {
  DEFAULT_CIRCUIT_BREAKER_POLICY,
  DEFAULT_RETRY_POLICY,
  circuitBreakerSchema,
  resolveCircuitBreakerPolicy,
  resolveRetryPolicy,
  retryPolicySchema,
} from "./index.js";

function configIssues(action: () => unknown): { path: (string | number)[]; message: string }[] {
  try {
    action();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("retry policy", () => {
  it("has the seed's defaults", () => {
    expect(resolveRetryPolicy()).toEqual({
      maxRetries: 3,
      backoff: "exponential",
      baseDelay: 1,
      maxDelay: 30,
      multiplier: 2,
      jitter: 0.1,
      maxRetryAfterSeconds: 60,
    });
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("lets an agent override team defaults field by field", () => {
    const team = { maxRetries: 5, backoff: "linear" as const, baseDelay: 2 };
    const agent = { maxRetries: 1 };
    expect(resolveRetryPolicy(team, agent)).toMatchObject({
      maxRetries: 1,
      backoff: "linear",
      baseDelay: 2,
      maxDelay: 30,
    });
    expect(resolveRetryPolicy(team, undefined)).toMatchObject({ maxRetries: 5 });
  });

  it("turns retries off with false", () => {
    expect(resolveRetryPolicy({ maxRetries: 5 }, false).maxRetries).toBe(0);
  });

  it("rejects unknown keys, naming the valid ones", () => {
    const issues = configIssues(() => resolveRetryPolicy({ maxRetry: 5 } as never));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(["retryPolicy", "maxRetry"]);
    expect(issues[0]!.message).toContain(
      'Unknown key "maxRetry" in retryPolicy. Valid keys: maxRetries, backoff',
    );
  });

  it("rejects bad values with their path and what is valid", () => {
    const issues = configIssues(() =>
      resolveRetryPolicy({ maxRetries: -1, backoff: "fibonacci", jitter: 2 } as never),
    );
    expect(issues).toEqual([
      { path: ["retryPolicy", "maxRetries"], message: "must be a whole number from 0 to 100" },
      {
        path: ["retryPolicy", "backoff"],
        message: 'must be one of "exponential", "linear", "constant"',
      },
      { path: ["retryPolicy", "jitter"], message: "must be a number >= 0 and <= 1" },
    ]);
  });

  it("rejects a baseDelay above maxDelay after merging", () => {
    const issues = configIssues(() => resolveRetryPolicy({ maxDelay: 5 }, { baseDelay: 10 }));
    expect(issues[0]!.path).toEqual(["retryPolicy", "baseDelay"]);
  });

  it("parses as a strict object, as agent config and team files embed it", () => {
    expect(retryPolicySchema.safeParse({ maxRetries: 5, backoff: "exponential" }).success).toBe(
      true,
    );
    expect(retryPolicySchema.safeParse({ maxRetries: 5, extra: 1 }).success).toBe(false);
    expect(retryPolicySchema.safeParse({ onRetry: "not a function" }).success).toBe(false);
    const jsonSchema = z.toJSONSchema(retryPolicySchema, { unrepresentable: "any" }) as {
      additionalProperties: boolean;
    };
    expect(jsonSchema.additionalProperties).toBe(false);
  });
});

describe("circuit breaker policy", () => {
  it("is opt-in, with the seed's defaults once configured", () => {
    expect(resolveCircuitBreakerPolicy()).toBeUndefined();
    expect(resolveCircuitBreakerPolicy({})).toEqual({
      failureThreshold: 5,
      recoveryTimeoutSeconds: 30,
      successThreshold: 2,
      failureWindowSeconds: 60,
      scope: "agent",
    });
    expect(resolveCircuitBreakerPolicy({})).toEqual(DEFAULT_CIRCUIT_BREAKER_POLICY);
  });

  it("merges team defaults and agent overrides; false turns it off, a later object back on", () => {
    expect(resolveCircuitBreakerPolicy({ scope: "model" }, { failureThreshold: 3 })).toMatchObject({
      scope: "model",
      failureThreshold: 3,
    });
    expect(resolveCircuitBreakerPolicy({ scope: "model" }, false)).toBeUndefined();
    expect(resolveCircuitBreakerPolicy(false, { failureThreshold: 2 })).toMatchObject({
      failureThreshold: 2,
      scope: "agent",
    });
  });

  it("rejects unknown keys and bad values", () => {
    expect(
      configIssues(() => resolveCircuitBreakerPolicy({ threshold: 3 } as never))[0]!.message,
    ).toContain('Unknown key "threshold" in circuitBreaker');
    expect(
      configIssues(() =>
        resolveCircuitBreakerPolicy({ recoveryTimeoutSeconds: 0, scope: "team" } as never),
      ),
    ).toEqual([
      { path: ["circuitBreaker", "recoveryTimeoutSeconds"], message: "must be a number > 0" },
      { path: ["circuitBreaker", "scope"], message: 'must be "agent" or "model"' },
    ]);
    expect(circuitBreakerSchema.safeParse({ failureThreshold: 1.5 }).success).toBe(false);
  });
});
