import type { LanguageModelV4 } from "@ai-sdk/provider";
import * as z from "zod";
import { identifierSchema, strictObject } from "../config/strict-object.js";
import { ConfigError } from "../errors/config-error.js";
import {
  checkKnowledgeKeys,
  isKnowledgeType,
  knowledgeAgentShape,
  type KnowledgeType,
} from "./knowledge-agent-config.js";
import { isZodSchema, prepareOutputSchema } from "./structured-output.js";
import { circuitBreakerSchema } from "../resilience/circuit-breaker-policy.js";
import { retryPolicySchema } from "../resilience/retry-policy.js";
import { ToolDefinition, type AnyToolDefinition } from "../tools/tool-definition.js";
import { checkStepSettings } from "./check-step-settings.js";
import { escalationPolicySchema } from "./escalation-config.js";
import {
  httpStepSchema,
  humanStepSchema,
  isStepType,
  STEP_TYPES,
  switchStepSchema,
  transformStepSchema,
} from "./step-config.js";
import { mcpToolReferenceSchema } from "../tools/mcp/mcp-server-config.js";

/**
 * A ready AI SDK model instance (TypeScript only): an object with `doGenerate`. Teams register it
 * under its `provider/modelId` name (see `ModelRegistry.nameOf`).
 */
export const modelInstanceSchema = z.custom<LanguageModelV4>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as { doGenerate?: unknown }).doGenerate === "function",
  {
    error:
      'model must be "provider/model", an AI SDK language model, or a list of them (the first, then fallbacks).',
  },
);

/** A model: its name, `provider/model`, or (in TypeScript) a ready AI SDK model instance. */
export const modelSchema = z.union([z.string().min(1), modelInstanceSchema], {
  error: 'a model must be "provider/model" or an AI SDK language model instance.',
});

/**
 * The name of a model setting once its team has named its instances (they are registered and
 * replaced by their names when the configuration is given).
 */
export function modelNameOf(model: string | LanguageModelV4): string {
  if (typeof model === "string") return model;
  throw new ConfigError(
    `The model instance ${model.provider}/${model.modelId} was not registered: give it through LLMTeam (model, fallbackModels, orchestrator.model) or register it with team.registerModel(name, model).`,
  );
}

/** A model, or a list: the first model, then fallbacks in order. */
export const modelListSchema = z.union([modelSchema, z.array(modelSchema).min(1)], {
  error:
    'model must be "provider/model", an AI SDK language model, or a list of them (the first, then fallbacks).',
});

/** The resilience keys shared by teams (defaults) and agents (overrides). */
export const resilienceShape = {
  /** Retries of failed model calls (default: 3, exponential backoff); `false` turns them off. */
  retryPolicy: z.union([retryPolicySchema, z.literal(false)]).optional(),
  /** Circuit breaker around the model calls (off unless set); `false` turns an inherited one off. */
  circuitBreaker: z.union([circuitBreakerSchema, z.literal(false)]).optional(),
};

/**
 * Agent kinds this version runs: `llm` (one model), `team` (a nested team used as an agent),
 * `rag` (passages of a knowledge base) and `kag` (facts of its entity graph), see
 * docs/knowledge.md, and the workflow steps `transform`, `http`, `human` and `switch` (see
 * docs/workflows.md).
 */
export const AGENT_TYPES = ["llm", "team", "rag", "kag", ...STEP_TYPES] as const;

/** The keys of one agent (checked together by {@link agentConfigSchema}). */
const agentShape = strictObject(
  {
    /** Agent kind: `llm`, `team` for a nested team (see `team`), `rag`, `kag` or a workflow step. */
    type: z.enum(AGENT_TYPES, {
      error: (issue) =>
        `Unknown agent type ${JSON.stringify(issue.input)}. Valid types: ${AGENT_TYPES.join(", ")}.`,
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
    prompt: z
      .string({ error: "prompt must be a string (the agent's message template)." })
      .min(1, "prompt must not be empty.")
      .optional(),
    /** The system message, a template too. */
    systemPrompt: z.string().optional(),
    /** Model name, `provider/model`, or a list: the first, then fallbacks (default: the team's model). */
    model: modelListSchema.optional(),
    /** Models to try in order when the agent's model fails for good (after retries, or an open breaker). */
    fallbackModels: z.array(modelSchema).optional(),
    /** Longest time one model call (one attempt) may take, in ms (default 300,000; `0`: no limit). */
    timeoutMs: z.number().int().nonnegative().optional(),
    /**
     * Longest wait of a streamed model call (one attempt) for its first delta, in ms
     * (default 60,000; `0`: no limit).
     */
    firstTokenTimeoutMs: z.number().int().nonnegative().optional(),
    ...resilienceShape,
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
        error:
          "outputSchema must be a JSON Schema object (e.g. { type: object, properties: {...} }) or a zod schema.",
      })
      .optional(),
    /** For `type: team`: the nested team's configuration (teamId, agents, flow, ...) or an `LLMTeam`. */
    team: z
      .custom<object>(
        (value) => typeof value === "object" && value !== null && !Array.isArray(value),
        {
          error: "team must be a team configuration object (teamId, agents, ...).",
        },
      )
      .optional(),
    /** For `type: transform`: the JSONata expression and its limits. */
    transform: transformStepSchema.optional(),
    /** For `type: http`: the request (method, URL template, headers, body) and its guards. */
    http: httpStepSchema.optional(),
    /** For `type: human`: the task (prompt, assignee, form, timeout). */
    human: humanStepSchema.optional(),
    /** For `type: switch`: the cases (first match) and the default branch. */
    switch: switchStepSchema.optional(),
    /**
     * Tools the agent may call: names of registered or built-in tools (or `ToolDefinition`s in
     * TypeScript), and `{ mcp: server }` for the tools of one of the team's `mcpServers`.
     */
    tools: z
      .array(
        z.union([
          z.string().min(1),
          mcpToolReferenceSchema,
          z.custom<AnyToolDefinition>(
            (value) => ToolDefinition.isInstance(value),
            "Expected a tool name or a ToolDefinition.",
          ),
        ]),
      )
      .optional(),
    /** Tool rounds before the agent must answer (default 5); reaching it fails the agent. */
    maxToolRounds: z.number().int().min(0).optional(),
    /**
     * A person must approve each run of this agent (default false): the run pauses with an
     * `approval_requested` event until `handle.approve(id)`; `handle.reject(id, reason)` fails
     * the agent. Such teams run through `team.start()`, which returns the handle.
     */
    requiresApproval: z.boolean().optional(),
    /**
     * What happens when this agent's step escalates (fails, meets an open breaker, or answers
     * `escalate: true`): `retry`, `skip`, `{ reroute: id }`, `human` or `abort`; overrides the
     * team's `escalation` (see docs/orchestration.md, "Escalation").
     */
    escalation: escalationPolicySchema.optional(),
    ...knowledgeAgentShape,
  },
  "an agent",
);

/** The schema of one agent, as written in TypeScript, JSON or YAML. */
export const agentConfigSchema = agentShape.superRefine((agent, context) => {
  checkKindKeys(agent, context);
  for (const issue of [...checkStepSettings(agent), ...checkKnowledgeKeys(agent)])
    context.addIssue({ code: "custom", path: issue.path, message: issue.message });
  if (agent.outputSchema !== undefined) {
    try {
      prepareOutputSchema(agent.outputSchema, ["outputSchema"]);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      for (const issue of error.issues)
        context.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  }
});

/** An agent as users write it. */
export type AgentConfig = z.input<typeof agentConfigSchema>;

/** Keys that only a model-calling agent (`llm`) has; `team`, `rag`, `kag` and steps call none. */
const MODEL_KEYS = [
  "outputSchema",
  "systemPrompt",
  "model",
  "fallbackModels",
  "timeoutMs",
  "firstTokenTimeoutMs",
  "retryPolicy",
  "circuitBreaker",
  "temperature",
  "maxTokens",
  "stream",
  "tools",
  "maxToolRounds",
] as const;

/** The settings key each kind of agent needs (`team: {...}`, `http: {...}`...). */
const KIND_KEYS = ["team", ...STEP_TYPES] as const;

/** Checks the keys that depend on the agent's type: what it needs, what does not apply. */
function checkKindKeys(agent: z.output<typeof agentShape>, context: z.RefinementCtx): void {
  const issue = (path: string, message: string): void =>
    context.addIssue({ code: "custom", path: [path], message });
  for (const key of KIND_KEYS) {
    if (key === agent.type) {
      if (agent[key] === undefined)
        issue(key, `An agent of type "${key}" needs ${key}: ${KIND_NEEDS[key]}.`);
    } else if (agent[key] !== undefined) {
      issue(
        key,
        `${key} is only for agents of type "${key}"; this agent is of type "${agent.type}".`,
      );
    }
  }
  if (agent.type === "llm") {
    if (agent.prompt === undefined)
      issue("prompt", "prompt must be a string (the agent's message template).");
    return;
  }
  if (isKnowledgeType(agent.type) && agent.knowledgeBase === undefined)
    issue(
      "knowledgeBase",
      `An agent of type "${agent.type}" needs knowledgeBase: the name of a knowledge base (see llmteam kb list).`,
    );
  // An http step's resilience keys are its own: retries and a breaker around its request.
  const allowed = agent.type === "http" ? ["retryPolicy", "circuitBreaker"] : [];
  for (const key of MODEL_KEYS) {
    if (agent[key] === undefined || allowed.includes(key)) continue;
    issue(key, notApplying(key, agent.type));
  }
  if (agent.prompt === undefined) return;
  if (isStepType(agent.type))
    issue(
      "prompt",
      `prompt does not apply to a ${agent.type} step${agent.type === "human" ? ": the task's text is human.prompt" : ""}.`,
    );
  else if (isKnowledgeType(agent.type))
    issue(
      "prompt",
      `prompt does not apply to an agent of type "${agent.type}": its search text is query (default {query}).`,
    );
}

/** Why a model key does not apply to an agent of `type` (which calls no model). */
function notApplying(
  key: string,
  type: "team" | KnowledgeType | (typeof STEP_TYPES)[number],
): string {
  if (type === "team")
    return `${key} does not apply to an agent of type "team": set it on the nested team or its agents.`;
  if (isKnowledgeType(type))
    return `${key} does not apply to an agent of type "${type}" (it calls no model).`;
  return `${key} does not apply to a ${type} step: it calls no model.`;
}

const KIND_NEEDS: Record<(typeof KIND_KEYS)[number], string> = {
  team: "the nested team (teamId, agents, ...)",
  transform: "{ expression: <JSONata> }",
  http: "{ url, method?, headers?, body?, response? }",
  human: "{ prompt, form?, timeoutMs?, onTimeout? }",
  switch: "{ cases: [{ when, to }], default? }",
};
