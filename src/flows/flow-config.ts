import * as z from "zod";
import { strictObject } from "../config/strict-object.js";
import type { ConditionConfig } from "./condition.js";

const agentListSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: "Expected an agent id or a list of agent ids.",
});

/** A `when`: an expression string or a structured condition (checked when the flow is compiled). */
export const conditionSchema = z.union(
  [z.string().min(1, "when must not be empty."), z.record(z.string(), z.unknown())],
  {
    error:
      "when must be an expression such as 'triage.category == \"billing\"' or a condition object such as { path: triage.category, equals: billing }.",
  },
) as unknown as z.ZodType<ConditionConfig, ConditionConfig>;

/** One edge of a flow graph. */
export const flowEdgeSchema = strictObject(
  {
    /** The agent (or agents) the edge leaves. */
    from: agentListSchema,
    /** The agent (or agents) that run after `from`. */
    to: agentListSchema,
    /** Follow the edge only when this holds, evaluated when `from` has finished. */
    when: conditionSchema.optional(),
    /**
     * Marks an edge that goes back to an earlier agent (a loop): the agents from `to` onwards
     * run at most this many times in all, then the edge is no longer followed.
     */
    maxIterations: z.number().int().min(1, "maxIterations must be at least 1.").optional(),
  },
  "a flow edge",
);

/** A flow as an explicit graph. */
export const flowGraphSchema = strictObject(
  {
    /** The edges; agents run when their incoming edges have been decided and one holds. */
    edges: z
      .array(flowEdgeSchema, { error: "edges must be a list of { from, to, when } edges." })
      .min(1, "edges must not be empty."),
    /** The agent(s) that start; needed only when several agents have no incoming edge. */
    entry: agentListSchema.optional(),
  },
  "a flow graph",
);

/**
 * How a team's agents run: `"sequential"` (the order they were added), a chain such as
 * `"a -> b, c -> d"` (b and c run concurrently after a; d after both), or a graph
 * `{ edges: [{ from, to, when }] }`.
 */
export const flowSchema = z.union([z.string().min(1, "flow must not be empty."), flowGraphSchema], {
  error:
    'flow must be "sequential", a chain such as "a -> b, c -> d", or a graph { edges: [{ from, to, when }] }.',
});

/** A flow as users write it. */
export type FlowConfig = z.input<typeof flowSchema>;
/** An edge of a flow graph as users write it. */
export type FlowEdgeConfig = z.input<typeof flowEdgeSchema>;
