import * as z from "zod";
import { toConfigIssues } from "../../config/zod-issues.js";
import { ConfigError } from "../../errors/config-error.js";
import type { StreamEventJSON } from "../../events/stream-event.js";
import { StreamEventType } from "../../events/stream-event-type.js";
import type { ApprovalRequest, RunState } from "./run-controller.js";

/** The version of the {@link RunSnapshot} shape this package writes. */
export const RUN_SNAPSHOT_VERSION = 1;

/**
 * The state of one run as plain JSON (`handle.snapshot()`), so that a run store can persist
 * it and another process can pick the run up.
 *
 * Version 1. Resuming means: rebuild the team from the same configuration (check
 * `configHash`), keep `runId`, start from `variables`, skip `completedAgents`, and number new
 * events after the last of `events`. An agent that was in flight when the snapshot was taken
 * is not in `completedAgents` and runs again. Pending approvals are asked again.
 */
export interface RunSnapshot {
  /** Shape version: {@link RUN_SNAPSHOT_VERSION}. */
  version: 1;
  runId: string;
  teamId: string;
  /** The team's `configVersion` when the run started (counted per process). */
  configVersion: number;
  /** SHA-256 of the team configuration the run started with (keys sorted): detects a changed team. */
  configHash: string;
  /** running, paused, completed or failed. */
  state: RunState;
  /** The run input, as named values. */
  input: Record<string, unknown>;
  /** The input plus every completed agent's output, by name: what later prompts read. */
  variables: Record<string, unknown>;
  /** Ids of the agents that completed, in the order they completed. */
  completedAgents: string[];
  /** Approvals the run was waiting for. */
  pendingApprovals: ApprovalRequest[];
  /** Every event so far, as JSON, in order (`seq` 1, 2, 3…). */
  events: StreamEventJSON[];
  /** When it was taken, in ms since the epoch (the run's clock). */
  takenAt: number;
}

const eventSchema = z.looseObject({
  type: z.enum(Object.values(StreamEventType) as [string, ...string[]]),
  runId: z.string(),
  seq: z.number().int().positive(),
  timestamp: z.number(),
  data: z.unknown(),
});

const snapshotSchema = z.strictObject({
  version: z.literal(RUN_SNAPSHOT_VERSION, {
    error: (issue) =>
      `Unsupported run snapshot version ${JSON.stringify(issue.input)}: this llmteam reads version ${RUN_SNAPSHOT_VERSION}.`,
  }),
  runId: z.string().min(1),
  teamId: z.string().min(1),
  configVersion: z.number().int().positive(),
  configHash: z.string().regex(/^[0-9a-f]{64}$/, "configHash must be a SHA-256 hex digest."),
  state: z.enum(["running", "paused", "completed", "failed"]),
  input: z.record(z.string(), z.unknown()),
  variables: z.record(z.string(), z.unknown()),
  completedAgents: z.array(z.string()),
  pendingApprovals: z.array(
    z.looseObject({
      approvalId: z.string(),
      kind: z.enum(["agent", "tool"]),
      agentId: z.string(),
      requestedAt: z.number(),
    }),
  ),
  events: z.array(eventSchema),
  takenAt: z.number(),
});

/**
 * Checks a snapshot read back from storage (e.g. `JSON.parse` of a stored one).
 * @throws ConfigError naming each bad field, or an unsupported version.
 * @example
 * const snapshot = parseRunSnapshot(JSON.parse(await readFile("run.json", "utf8")));
 */
export function parseRunSnapshot(value: unknown): RunSnapshot {
  const parsed = snapshotSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, ["snapshot"]));
  return value as RunSnapshot;
}

/**
 * SHA-256 of a configuration as JSON with sorted keys, in hex. Values JSON cannot hold
 * (functions, schema objects met twice) are hashed by their place, never followed in a loop.
 */
export function hashConfig(config: unknown): string {
  // node:crypto is loaded here, on first use, so `import("llmteam")` does not pay for it.
  return process
    .getBuiltinModule("node:crypto")
    .createHash("sha256")
    .update(canonicalJson(config, new WeakSet()))
    .digest("hex");
}

/** A configuration as plain JSON with sorted keys (what {@link hashConfig} hashes). */
export function configJson(config: unknown): unknown {
  return JSON.parse(canonicalJson(config, new WeakSet())) as unknown;
}

/** {@link hashConfig} and {@link configJson} of one configuration, written as JSON once. */
export function configRecord(config: unknown): { hash: string; json: unknown } {
  const text = canonicalJson(config, new WeakSet());
  return {
    hash: process.getBuiltinModule("node:crypto").hash("sha256", text, "hex"),
    json: JSON.parse(text) as unknown,
  };
}

function canonicalJson(value: unknown, seen: WeakSet<object>): string {
  if (typeof value === "function") return '"<function>"';
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (seen.has(value)) return '"<cycle>"';
  seen.add(value);
  try {
    if (Array.isArray(value))
      return `[${value.map((item) => canonicalJson(item, seen)).join(",")}]`;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, seen)}`).join(",")}}`;
  } finally {
    seen.delete(value);
  }
}
