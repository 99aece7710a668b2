import * as z from "zod";
import type { CircuitState } from "../events/retry-metrics.js";
import { strictObject } from "../config/strict-object.js";
import {
  assignDefined,
  callback,
  numberAtLeast,
  parsePolicy,
  wholeNumber,
} from "./policy-schema.js";

/**
 * Which calls share a breaker:
 * - `agent` (default): one breaker per agent and model; an agent's failures never block another agent.
 * - `model`: one breaker per model, shared by every agent that calls it (a provider outage
 *   opens it once for everybody).
 */
export type CircuitBreakerScope = "agent" | "model";

/** What `onStateChange` is told. */
export interface CircuitStateChange {
  /** The breaker's key: `agent:<agentId>:<model>` or `model:<model>`. */
  key: string;
  from: CircuitState;
  to: CircuitState;
}

/**
 * The `circuitBreaker` object of an agent or a team, as written in TypeScript, JSON or YAML.
 * Strict: unknown keys are errors. Every field is optional; see {@link DEFAULT_CIRCUIT_BREAKER_POLICY}.
 */
export const circuitBreakerSchema = strictObject(
  {
    /** Failures inside `failureWindowSeconds` that open the breaker. Default 5. */
    failureThreshold: wholeNumber(1).optional(),
    /** How long an open breaker rejects calls before it admits a probe, in seconds. Default 30. */
    recoveryTimeoutSeconds: numberAtLeast(0, { exclusive: true }).optional(),
    /** Successful probes in a row that close a half-open breaker. Default 2. */
    successThreshold: wholeNumber(1).optional(),
    /** The sliding window failures are counted in, in seconds. Default 60. */
    failureWindowSeconds: numberAtLeast(0, { exclusive: true }).optional(),
    /** Which calls share a breaker. Default `agent`. */
    scope: z.enum(["agent", "model"], { error: 'must be "agent" or "model"' }).optional(),
    /** Called on every state change. */
    onStateChange: callback<(change: CircuitStateChange) => void>().optional(),
  },
  "circuitBreaker",
);

/** A circuit breaker policy as users write it (every field optional). */
export type CircuitBreakerOptions = z.input<typeof circuitBreakerSchema>;

/** A resolved circuit breaker policy: every default applied. */
export interface CircuitBreakerPolicy {
  failureThreshold: number;
  recoveryTimeoutSeconds: number;
  successThreshold: number;
  failureWindowSeconds: number;
  scope: CircuitBreakerScope;
  onStateChange?: (change: CircuitStateChange) => void;
}

/** The seed's defaults: open after 5 failures in 60 s, probe after 30 s, close after 2 successes. */
export const DEFAULT_CIRCUIT_BREAKER_POLICY: Readonly<CircuitBreakerPolicy> = Object.freeze({
  failureThreshold: 5,
  recoveryTimeoutSeconds: 30,
  successThreshold: 2,
  failureWindowSeconds: 60,
  scope: "agent",
});

/**
 * Validates and merges circuit breaker policies over {@link DEFAULT_CIRCUIT_BREAKER_POLICY}.
 * A breaker is opt-in, as in the seed: with no layer given this returns `undefined` (no
 * breaker). Later layers override earlier ones field by field (team defaults first, agent
 * last); `false` turns the breaker off from that layer on, a later object turns it back on.
 *
 * @throws {ConfigError} a layer has an unknown key or a bad value.
 * @example
 * resolveCircuitBreakerPolicy({ scope: "model" }, { failureThreshold: 3 });
 * // { failureThreshold: 3, recoveryTimeoutSeconds: 30, successThreshold: 2, failureWindowSeconds: 60, scope: "model" }
 * resolveCircuitBreakerPolicy({ scope: "model" }, false); // undefined
 */
export function resolveCircuitBreakerPolicy(
  ...layers: Array<CircuitBreakerOptions | false | undefined>
): CircuitBreakerPolicy | undefined {
  let policy: CircuitBreakerPolicy | undefined;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer === false) {
      policy = undefined;
      continue;
    }
    const parsed = parsePolicy(circuitBreakerSchema, layer, [
      "circuitBreaker",
    ]) as Partial<CircuitBreakerPolicy>;
    policy = assignDefined(policy ?? { ...DEFAULT_CIRCUIT_BREAKER_POLICY }, parsed);
  }
  return policy;
}
