import * as z from "zod";
import { modelSchema } from "../agents/agent-config.js";
import { strictObject } from "../config/strict-object.js";
import {
  isTerminationCondition,
  type TerminationCondition,
  type TerminationConfig,
} from "./termination.js";

/** What the router does when the orchestrator's answer is invalid twice. */
export const INVALID_DECISION_RULES = ["next_unvisited", "stop", "fail"] as const;

/** Default orchestrator settings. */
export const ORCHESTRATOR_DEFAULTS = {
  /** Most agents (or teams) a routed run calls. */
  maxIterations: 10,
  /** Run the first agent in team order that has not run yet; stop when all have. */
  onInvalidDecision: "next_unvisited",
  /**
   * Most output tokens of one orchestrator call (a decision, or an arbiter's answer). A team's
   * lower `maxTokens` caps it.
   */
  maxTokens: 2_048,
} as const;

/** The orchestrator of a routed team (`orchestration: true`) or of a group's router/arbiter. */
export const orchestratorSchema = strictObject(
  {
    /** Model that decides, `provider/model` or an AI SDK model instance (default: the team's model). */
    model: modelSchema.optional(),
    /** Extra instructions for the orchestrator, added to its built-in ones. */
    prompt: z.string().optional(),
    /** Most agents run before the run stops (default 10). */
    maxIterations: z.number().int().positive().optional(),
    /**
     * When to stop besides the orchestrator saying done: `{ textMention: TERMINATE }`,
     * `{ terminateAtCostUsd }`, `{ terminateAfterMs }`, `{ agentCalled }`, `{ maxIterations }`, or `{ any: [...] }`
     * / `{ all: [...] }` of them. A `TerminationCondition` in TypeScript.
     */
    terminateWhen: z
      .union(
        [z.record(z.string(), z.unknown()), z.custom<TerminationCondition>(isTerminationCondition)],
        {
          error: "terminateWhen must be a termination condition, e.g. { textMention: TERMINATE }.",
        },
      )
      .optional() as unknown as z.ZodOptional<
      z.ZodType<TerminationConfig | TerminationCondition, TerminationConfig | TerminationCondition>
    >,
    /**
     * When the answer is invalid twice (unknown agent, not JSON): `next_unvisited` (default)
     * runs the first agent in team order that has not run yet, and stops when all have;
     * `stop` ends the run; `fail` fails it.
     */
    onInvalidDecision: z
      .enum(INVALID_DECISION_RULES, {
        error: (issue) =>
          `Unknown onInvalidDecision ${JSON.stringify(issue.input)}. Valid: ${INVALID_DECISION_RULES.join(", ")}.`,
      })
      .optional(),
    /**
     * Most output tokens of one orchestrator call (default 2,048, or the team's `maxTokens` when
     * lower).
     */
    maxTokens: z.number().int().positive().optional(),
    /** Sampling temperature of the orchestrator (default: the provider's). */
    temperature: z.number().min(0).max(2).optional(),
  },
  "the orchestrator",
);

/**
 * The orchestrator's output-token cap: its own `maxTokens`, else the default (2,048) or the
 * team's `maxTokens` when that is lower.
 */
export function orchestratorMaxTokens(
  orchestrator: { maxTokens?: number | undefined },
  teamMaxTokens: number | undefined,
): number {
  if (orchestrator.maxTokens !== undefined) return orchestrator.maxTokens;
  return Math.min(teamMaxTokens ?? Infinity, ORCHESTRATOR_DEFAULTS.maxTokens);
}

/** Orchestrator settings as users write them. */
export type OrchestratorConfig = z.input<typeof orchestratorSchema>;
