import { ConfigError } from "../errors/config-error.js";
import type { ConfigIssue } from "../errors/config-error.js";

/** What termination conditions look at, between two routing steps. */
export interface TerminationState {
  /** Agents (or teams) run so far. */
  iteration: number;
  /** Time since the run started, in ms. */
  elapsedMs: number;
  /** Spend so far in USD, when a cost layer reports it (`cost_update` events); else undefined. */
  costUsd: number | undefined;
  /** The agent that ran last. */
  lastAgent: string | undefined;
  /** Its output. */
  lastOutput: unknown;
  /** Agents run so far, in order. */
  agentsCalled: readonly string[];
}

/**
 * When a routed run stops, checked before every routing decision. Compose them with
 * `and` / `or`; stopping this way completes the run successfully.
 *
 * @example
 * const stop = maxIterations(8).or(textMention("TERMINATE")).or(terminateAtCostUsd(0.5));
 */
export class TerminationCondition {
  constructor(
    /** How the condition reads, e.g. `textMention("TERMINATE")`. */
    readonly description: string,
    private readonly test: (state: TerminationState) => boolean,
  ) {}

  /** The description of what fired, or undefined when the run goes on. */
  check(state: TerminationState): string | undefined {
    return this.test(state) ? this.description : undefined;
  }

  /** Fires when both fire. */
  and(other: TerminationCondition): TerminationCondition {
    return new TerminationCondition(
      `(${this.description} and ${other.description})`,
      (state) => this.test(state) && other.test(state),
    );
  }

  /** Fires when either fires (the description names the one that did). */
  or(other: TerminationCondition): TerminationCondition {
    const either = new TerminationCondition(
      `(${this.description} or ${other.description})`,
      (state) => this.test(state) || other.test(state),
    );
    either.check = (state) => this.check(state) ?? other.check(state);
    return either;
  }
}

/** Stops once `count` agents have run. */
export function maxIterations(count: number): TerminationCondition {
  return new TerminationCondition(`maxIterations(${count})`, (state) => state.iteration >= count);
}

/**
 * Stops routing once the run has spent `usd` or more (needs a cost layer that emits
 * `cost_update`). In files: `{ terminateAtCostUsd: usd }` (or `{ maxCostUsd: usd }`).
 */
export function terminateAtCostUsd(usd: number): TerminationCondition {
  return new TerminationCondition(
    `terminateAtCostUsd(${usd})`,
    (state) => state.costUsd !== undefined && state.costUsd >= usd,
  );
}

/**
 * Stops routing once `ms` have passed since the run started: a graceful stop, the run completes
 * (`timeoutMs` on the team is the hard one, which fails the run). In files:
 * `{ terminateAfterMs: ms }` (or `{ timeoutMs: ms }`).
 */
export function terminateAfterMs(ms: number): TerminationCondition {
  return new TerminationCondition(`terminateAfterMs(${ms})`, (state) => state.elapsedMs >= ms);
}

/** Stops when the last output mentions `text` (e.g. `"TERMINATE"`). */
export function textMention(text: string): TerminationCondition {
  return new TerminationCondition(`textMention(${JSON.stringify(text)})`, (state) => {
    const output = state.lastOutput;
    if (output === undefined) return false;
    return (typeof output === "string" ? output : JSON.stringify(output)).includes(text);
  });
}

/** Stops once `agentId` has run. */
export function agentCalled(agentId: string): TerminationCondition {
  return new TerminationCondition(`agentCalled(${JSON.stringify(agentId)})`, (state) =>
    state.agentsCalled.includes(agentId),
  );
}

/** A termination condition as data, for files: one key, or `any` / `all` of others. */
export type TerminationConfig =
  | { maxIterations: number }
  | { terminateAtCostUsd: number }
  | { terminateAfterMs: number }
  /** Older key of `terminateAtCostUsd`, still read. */
  | { maxCostUsd: number }
  /** Older key of `terminateAfterMs`, still read. */
  | { timeoutMs: number }
  | { textMention: string }
  | { agentCalled: string }
  | { any: TerminationConfig[] }
  | { all: TerminationConfig[] };

const KINDS = [
  "maxIterations",
  "terminateAtCostUsd",
  "terminateAfterMs",
  "maxCostUsd",
  "timeoutMs",
  "textMention",
  "agentCalled",
  "any",
  "all",
];

/** True for a {@link TerminationCondition} (from this or another copy of llmteam). */
export function isTerminationCondition(value: unknown): value is TerminationCondition {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as TerminationCondition).check === "function" &&
    typeof (value as TerminationCondition).description === "string"
  );
}

/**
 * Builds a condition from data, or from a condition object as it is.
 * @returns the condition, or the problems with their paths.
 */
export function compileTermination(
  value: unknown,
  path: (string | number)[],
  agentIds?: string[],
): TerminationCondition | ConfigIssue[] {
  if (isTerminationCondition(value)) return value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [
      {
        path,
        message: `A termination condition must be an object with one of: ${KINDS.join(", ")}; e.g. { textMention: TERMINATE }.`,
      },
    ];
  }
  const entries = Object.entries(value);
  if (entries.length !== 1 || !KINDS.includes(entries[0]![0])) {
    return [
      {
        path,
        message: `A termination condition has exactly one key of: ${KINDS.join(", ")}; got ${entries.map(([key]) => key).join(", ") || "none"}.`,
      },
    ];
  }
  const [kind, argument] = entries[0]!;
  const at = [...path, kind];
  const positive = (what: string): ConfigIssue[] | undefined =>
    typeof argument === "number" && argument > 0
      ? undefined
      : [{ path: at, message: `${kind} must be a positive ${what}.` }];
  switch (kind) {
    case "maxIterations":
      return (
        (typeof argument === "number" && Number.isInteger(argument)
          ? undefined
          : [{ path: at, message: "maxIterations must be a whole number." }]) ??
        positive("number") ??
        maxIterations(argument as number)
      );
    case "terminateAtCostUsd":
    case "maxCostUsd":
      return positive("number of USD") ?? terminateAtCostUsd(argument as number);
    case "terminateAfterMs":
    case "timeoutMs":
      return positive("number of ms") ?? terminateAfterMs(argument as number);
    case "textMention":
      return typeof argument === "string" && argument.length > 0
        ? textMention(argument)
        : [{ path: at, message: "textMention must be a non-empty string." }];
    case "agentCalled":
      if (typeof argument !== "string")
        return [{ path: at, message: "agentCalled must be an agent id." }];
      if (agentIds && !agentIds.includes(argument))
        return [
          {
            path: at,
            message: `agentCalled names unknown agent "${argument}". Known agents: ${agentIds.join(", ")}.`,
          },
        ];
      return agentCalled(argument);
    default: {
      if (!Array.isArray(argument) || argument.length === 0)
        return [
          { path: at, message: `${kind} must be a non-empty list of termination conditions.` },
        ];
      const parts = argument.map((item, index) =>
        compileTermination(item, [...at, index], agentIds),
      );
      const issues = parts.filter(Array.isArray).flat();
      if (issues.length > 0) return issues;
      const conditions = parts as TerminationCondition[];
      return conditions.reduce((left, right) =>
        kind === "any" ? left.or(right) : left.and(right),
      );
    }
  }
}

/**
 * The termination condition of an orchestrator: its `maxIterations` (default
 * `ORCHESTRATOR_DEFAULTS.maxIterations`), or-ed with its `terminateWhen`.
 * @throws ConfigError when `terminateWhen` is invalid.
 */
export function orchestratorTermination(
  orchestrator: { maxIterations?: number | undefined; terminateWhen?: unknown },
  defaultMaxIterations: number,
): TerminationCondition {
  let termination = maxIterations(orchestrator.maxIterations ?? defaultMaxIterations);
  if (orchestrator.terminateWhen !== undefined) {
    const extra = compileTermination(orchestrator.terminateWhen, ["orchestrator", "terminateWhen"]);
    if (Array.isArray(extra)) throw new ConfigError(extra);
    termination = termination.or(extra);
  }
  return termination;
}
