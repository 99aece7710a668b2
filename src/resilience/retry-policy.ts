import * as z from "zod";
import { ConfigError } from "../errors/config-error.js";
import { strictObject } from "../config/strict-object.js";
import {
  assignDefined,
  callback,
  numberAtLeast,
  parsePolicy,
  wholeNumber,
} from "./policy-schema.js";

/** How the wait between attempts grows: `exponential` (1, 2, 4 s…), `linear` (1, 2, 3 s…), `constant`. */
export type RetryBackoff = "exponential" | "linear" | "constant";

/** What `retryOn` is asked about. */
export interface RetryOnInput {
  /** The error of the attempt that failed. */
  error: unknown;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  /** The model the attempt called. */
  model: string;
}

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** 1-based number of the attempt that failed (the next one is `attempt + 1`). */
  attempt: number;
  /** The wait before the next attempt, in ms. */
  delayMs: number;
  /** The error of the attempt that failed. */
  error: unknown;
  /** The model the attempt called. */
  model: string;
  /** Tokens the failed attempt had streamed; the retry streams the answer again from the start. */
  discardedTokens?: number;
}

/**
 * The `retryPolicy` object of an agent or a team, as written in TypeScript, JSON or YAML.
 * Strict: unknown keys are errors. Every field is optional; see {@link DEFAULT_RETRY_POLICY}.
 * Durations follow the seed: `baseDelay`, `maxDelay` and `maxRetryAfterSeconds` are seconds.
 */
export const retryPolicySchema = strictObject(
  {
    /** Retries after the first attempt (0 turns retrying off). Default 3. */
    maxRetries: wholeNumber(0, 100).optional(),
    /** Default `exponential`. */
    backoff: z
      .enum(["exponential", "linear", "constant"], {
        error: 'must be one of "exponential", "linear", "constant"',
      })
      .optional(),
    /** First wait, in seconds. Default 1. */
    baseDelay: numberAtLeast(0).optional(),
    /** Longest wait, in seconds (jitter included). Default 30. */
    maxDelay: numberAtLeast(0).optional(),
    /** Growth factor of `exponential` backoff. Default 2. */
    multiplier: numberAtLeast(1).optional(),
    /** Random spread of each wait, as a fraction: 0.1 means ±10 %. Default 0.1. */
    jitter: numberAtLeast(0, { max: 1 }).optional(),
    /** Longest `Retry-After` we wait for, in seconds; a longer one fails at once. Default 60. */
    maxRetryAfterSeconds: numberAtLeast(0).optional(),
    /** Decides which errors are retried. Default `isRetryableError`. */
    retryOn: callback<(input: RetryOnInput) => boolean>().optional(),
    /** Called before each wait. */
    onRetry: callback<(info: RetryInfo) => void>().optional(),
  },
  "retryPolicy",
);

/** A retry policy as users write it (every field optional). */
export type RetryPolicyOptions = z.input<typeof retryPolicySchema>;

/** A resolved retry policy: every default applied. */
export interface RetryPolicy {
  maxRetries: number;
  backoff: RetryBackoff;
  /** Seconds. */
  baseDelay: number;
  /** Seconds. */
  maxDelay: number;
  multiplier: number;
  jitter: number;
  maxRetryAfterSeconds: number;
  retryOn?: (input: RetryOnInput) => boolean;
  onRetry?: (info: RetryInfo) => void;
}

/**
 * The seed's defaults: 3 retries, exponential backoff from 1 s doubling up to 30 s, ±10 %
 * jitter; plus ours: a `Retry-After` longer than 60 s fails at once instead of waiting.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  backoff: "exponential",
  baseDelay: 1,
  maxDelay: 30,
  multiplier: 2,
  jitter: 0.1,
  maxRetryAfterSeconds: 60,
});

/**
 * Validates and merges retry policies over {@link DEFAULT_RETRY_POLICY}. Later layers override
 * earlier ones field by field, so team defaults go first and the agent's policy last.
 * `false` turns retrying off (`maxRetries: 0`) from that layer on.
 *
 * @param layers policies in order of precedence, lowest first; `undefined` ones are skipped.
 * @throws {ConfigError} a layer has an unknown key or a bad value, or `baseDelay > maxDelay`.
 * @example
 * const team = { maxRetries: 5, backoff: "linear" } as const;
 * resolveRetryPolicy(team, { maxRetries: 1 }); // { maxRetries: 1, backoff: "linear", baseDelay: 1, … }
 */
export function resolveRetryPolicy(
  ...layers: Array<RetryPolicyOptions | false | undefined>
): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer === false) {
      policy.maxRetries = 0;
      continue;
    }
    assignDefined(
      policy,
      parsePolicy(retryPolicySchema, layer, ["retryPolicy"]) as Partial<RetryPolicy>,
    );
  }
  if (policy.baseDelay > policy.maxDelay) {
    throw new ConfigError([
      {
        path: ["retryPolicy", "baseDelay"],
        message: `baseDelay (${policy.baseDelay} s) must not exceed maxDelay (${policy.maxDelay} s).`,
      },
    ]);
  }
  return policy;
}
