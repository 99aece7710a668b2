import * as z from "zod";

/** What an escalation policy can do with a step that escalated (see docs/orchestration.md, "Escalation"). */
export const ESCALATION_ACTIONS = ["retry", "skip", "reroute", "human", "abort"] as const;

/** One of {@link ESCALATION_ACTIONS}. */
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

/** Default bound of a chain of escalations in one step (`maxEscalationDepth`). */
export const DEFAULT_MAX_ESCALATION_DEPTH = 3;

/** The task a `human` policy asks: who answers and how long the run waits. */
export interface EscalationHumanSettings {
  /** Who should answer. */
  assignee?: string | undefined;
  /** How long to wait for the answer, in ms on the run's clock (default: no limit). */
  timeoutMs?: number | undefined;
}

/**
 * An escalation policy as users write it: `"retry"`, `"skip"`, `"human"` or `"abort"`;
 * `{ retry: 2 }` (up to 2 more runs); `{ reroute: "<agent id>" }`; `{ human: { assignee, timeoutMs } }`.
 */
export type EscalationPolicyInput =
  | "retry"
  | "skip"
  | "human"
  | "abort"
  | { retry: number }
  | { reroute: string }
  | { human: EscalationHumanSettings };

/** A policy, resolved: what to do, and its settings. */
export type EscalationPolicy =
  | { action: "retry"; maxRetries: number }
  | { action: "skip" }
  | { action: "abort" }
  | { action: "reroute"; agentId: string }
  | { action: "human"; assignee?: string | undefined; timeoutMs?: number | undefined };

const VALID =
  'Valid policies: "retry", "skip", "human", "abort", { retry: <1-10> }, { reroute: "<agent id>" }, { human: { assignee, timeoutMs } }.';

/** Resolves a policy as written; a string says what is wrong with it (and what is valid). */
export function resolveEscalationPolicy(value: unknown): EscalationPolicy | string {
  if (value === "retry") return { action: "retry", maxRetries: 1 };
  if (value === "skip" || value === "abort") return { action: value };
  if (value === "human") return { action: "human" };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `Unknown escalation policy ${JSON.stringify(value)}. ${VALID}`;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !["retry", "reroute", "human"].includes(keys[0]!))
    return `An escalation policy object has exactly one key: retry, reroute or human (got ${keys.map((key) => `"${key}"`).join(", ") || "none"}). ${VALID}`;
  const record = value as Record<string, unknown>;
  if ("retry" in record) {
    const count = record.retry;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 10)
      return `escalation retry must be a whole number of retries from 1 to 10 (got ${JSON.stringify(count)}).`;
    return { action: "retry", maxRetries: count };
  }
  if ("reroute" in record) {
    const agentId = record.reroute;
    if (typeof agentId !== "string" || agentId.length === 0)
      return "escalation reroute must name an agent of the team (its id).";
    return { action: "reroute", agentId };
  }
  return resolveHuman(record.human);
}

function resolveHuman(human: unknown): EscalationPolicy | string {
  if (typeof human !== "object" || human === null || Array.isArray(human))
    return "escalation human must be an object: { assignee?: string, timeoutMs?: number }.";
  const { assignee, timeoutMs, ...rest } = human as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    return `Unknown key ${unknown.map((key) => `"${key}"`).join(", ")} in escalation human. Valid keys: assignee, timeoutMs.`;
  if (assignee !== undefined && typeof assignee !== "string")
    return "escalation human.assignee must be a string.";
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs <= 0)
  )
    return "escalation human.timeoutMs must be a whole number of ms above 0.";
  return {
    action: "human",
    ...(assignee === undefined ? {} : { assignee }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

/** The schema of an `escalation:` key (on a team or an agent). */
export const escalationPolicySchema = z
  .custom<EscalationPolicyInput>()
  .superRefine((value, context) => {
    const resolved = resolveEscalationPolicy(value);
    if (typeof resolved === "string") context.addIssue({ code: "custom", message: resolved });
  });

/** The schema of a team's `maxEscalationDepth`. */
export const maxEscalationDepthSchema = z
  .number({ error: "maxEscalationDepth must be a whole number from 1 to 10." })
  .int("maxEscalationDepth must be a whole number from 1 to 10.")
  .min(1, "maxEscalationDepth must be a whole number from 1 to 10.")
  .max(10, "maxEscalationDepth must be a whole number from 1 to 10.");
