import { z } from "zod";
import { identifierSchema, strictObject } from "../config/strict-object.js";
import { ConfigError } from "../errors/config-error.js";
import { isZodSchema, prepareOutputSchema } from "./structured-output.js";

/** Agent kinds this version runs: `llm` (one model) and `team` (a nested team used as an agent). */
export const AGENT_TYPES = ["llm", "team"] as const;

/** The schema of one agent, as written in TypeScript, JSON or YAML. */
export const agentConfigSchema = strictObject(
  {
    /** Agent kind: `llm`, or `team` for a nested team (see `team`). */
    type: z.enum(AGENT_TYPES, {
      error: (issue) => `Unknown agent type ${JSON.stringify(issue.input)}. Valid types: ${AGENT_TYPES.join(", ")}.`,
    }),
    /** What the agent does in the team; unique in a team; names its output unless `outputKey` is set. */
    role: identifierSchema("role"),
    /** Unique id (default: the role). */
    id: identifierSchema("id").optional(),
    /** Display name. */
    name: z.string().optional(),
    /** What the agent is for (routers read it). */
    description: z.string().optional(),
    /**
     * The user message, a template: `{query}` reads the run input, `{triage}` an earlier agent's
     * output, `{review?}` an output that may not exist yet. Required for `llm` agents; for
     * `team` agents it becomes the nested team's `query`.
     */
    prompt: z.string({ error: "prompt must be a string (the agent's message template)." }).min(1, "prompt must not be empty.").optional(),
    /** The system message, a template too. */
    systemPrompt: z.string().optional(),
    /** Model name, `provider/model` (default: the team's model). */
    model: z.string().min(1).optional(),
    /** Sampling temperature, 0 to 2 (default: the provider's). */
    temperature: z.number().min(0).max(2).optional(),
    /** Most output tokens per model call (default: the team's, else the provider's). */
    maxTokens: z.number().int().positive().optional(),
    /** Name under which later prompts read this agent's output (default: the id). */
    outputKey: identifierSchema("outputKey").optional(),
    /** Stream tokens from the provider (default: the team's, else true). */
    stream: z.boolean().optional(),
    /**
     * Structured output: a JSON Schema of an object (zod allowed in TypeScript). The model is
     * asked for JSON, the answer is parsed and checked, and the output is the object, so
     * conditions and prompts can read its fields (`{triage.category}`).
     */
    outputSchema: z
      .union([z.record(z.string(), z.unknown()), z.custom<z.ZodType>(isZodSchema)], {
        error: "outputSchema must be a JSON Schema object (e.g. { type: object, properties: {...} }) or a zod schema.",
      })
      .optional(),
    /** For `type: team`: the nested team's configuration (teamId, agents, flow, ...) or an `LLMTeam`. */
    team: z
      .custom<object>((value) => typeof value === "object" && value !== null && !Array.isArray(value), {
        error: "team must be a team configuration object (teamId, agents, ...).",
      })
      .optional(),
  },
  "an agent",
).superRefine((agent, context) => {
  if (agent.type === "llm") {
    if (agent.prompt === undefined) {
      context.addIssue({ code: "custom", path: ["prompt"], message: "prompt must be a string (the agent's message template)." });
    }
    if (agent.team !== undefined) {
      context.addIssue({ code: "custom", path: ["team"], message: 'team is only for agents of type "team" (a nested team).' });
    }
  } else {
    if (agent.team === undefined) {
      context.addIssue({ code: "custom", path: ["team"], message: 'An agent of type "team" needs team: the nested team (teamId, agents, ...).' });
    }
    for (const key of ["outputSchema", "systemPrompt", "model", "temperature", "maxTokens", "stream"] as const) {
      if (agent[key] !== undefined) {
        context.addIssue({ code: "custom", path: [key], message: `${key} does not apply to an agent of type "team": set it on the nested team or its agents.` });
      }
    }
  }
  if (agent.outputSchema !== undefined) {
    try {
      prepareOutputSchema(agent.outputSchema, ["outputSchema"]);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      for (const issue of error.issues) context.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  }
});

/** An agent as users write it. */
export type AgentConfig = z.input<typeof agentConfigSchema>;
