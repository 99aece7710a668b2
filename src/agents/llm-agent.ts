import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { EmptyAnswerError } from "../errors/empty-answer-error.js";
import { OutputValidationError } from "../errors/output-validation-error.js";
import { addUsage, type Usage } from "../events/usage.js";
import type { MeteredCall, UsageMeter } from "../cost/usage-meter.js";
import type { Clock } from "../internal/clock.js";
import type {
  CallContext,
  ModelCall,
  ModelRequest,
  ModelResponse,
  ResolvedModel,
} from "../providers/model-call.js";
import type { AnyToolDefinition } from "../tools/tool-definition.js";
import { ToolExecutor } from "../tools/tool-executor.js";
import type { ToolSource } from "../tools/tool-source.js";
import { runToolLoop, toolLoopDetails, type ToolLoopState } from "../tools/tool-loop.js";
import type { AgentConfig } from "./agent-config.js";
import type { AgentStep } from "./agent-step.js";
import { DEFAULT_KNOWLEDGE_QUERY, knowledgeStep } from "./knowledge-agent.js";
import { KnowledgeError } from "../errors/knowledge-error.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { AgentResultDetails } from "./agent-result.js";
import type { ToolApprovalFunction } from "../tools/tool-approval.js";
import {
  parseStructuredAnswer,
  prepareOutputSchema,
  type OutputSchema,
} from "./structured-output.js";
import { parseTemplate, renderTemplate, type Template } from "./template.js";

/** An agent checked and ready to run: its config as given plus what was derived from it. */
export interface PreparedAgent {
  id: string;
  role: string;
  outputKey: string;
  config: AgentConfig;
  prompt: Template;
  systemPrompt: Template | undefined;
  /** Runs the agent's tools; undefined for an agent without tools. */
  executor: ToolExecutor | undefined;
  /** The structured output schema, when the agent has one. */
  outputSchema: OutputSchema | undefined;
  /** The work of an agent that calls no model of the run (`rag`, `kag`); the run runs it as the step. */
  step?: AgentStep;
}

/**
 * Prepares an agent from a validated config, its resolved tools and its tool sources (MCP
 * servers); `rag` and `kag` agents open their knowledge base with `knowledge` (on first use).
 */
export function prepareAgent(
  config: AgentConfig,
  tools: readonly AnyToolDefinition[] = [],
  clock?: Clock,
  sources: readonly ToolSource[] = [],
  knowledge?: (name: string) => KnowledgeBase,
): PreparedAgent {
  const id = config.id ?? config.role;
  const retrieves = config.type === "rag" || config.type === "kag";
  const prompt = parseTemplate(
    retrieves
      ? (config.query ?? DEFAULT_KNOWLEDGE_QUERY)
      : (config.prompt ?? stepTemplateSource(config)),
  );
  const prepared: PreparedAgent = {
    id,
    role: config.role,
    outputKey: config.outputKey ?? id,
    config,
    prompt,
    systemPrompt:
      config.systemPrompt === undefined ? undefined : parseTemplate(config.systemPrompt),
    executor:
      tools.length > 0 || sources.length > 0
        ? new ToolExecutor({ tools, sources, ...(clock ? { clock } : {}) })
        : undefined,
    outputSchema:
      config.outputSchema === undefined
        ? undefined
        : prepareOutputSchema(config.outputSchema, ["outputSchema"]),
  };
  if (retrieves) {
    const name = config.knowledgeBase!;
    const open = (): KnowledgeBase => {
      if (!knowledge)
        throw new KnowledgeError(
          `Agent "${id}" reads knowledge base "${name}", but its team was given no knowledge catalog.`,
        );
      return knowledge(name);
    };
    prepared.step = knowledgeStep(id, config, prompt, open);
  }
  return prepared;
}

/**
 * The text of a workflow step's templates, so that the load-time check finds the variables
 * they read (a human task's prompt; an http step's URL and body).
 */
function stepTemplateSource(config: AgentConfig): string {
  if (config.human) return config.human.prompt;
  if (config.http)
    return [config.http.url, config.http.body ?? "", JSON.stringify(config.http.json ?? null)].join(
      "\n",
    );
  return "";
}

/** What an agent run can see: the run's variables, its model and the model-call pipeline. */
export interface AgentRunContext {
  /** How the agent calls its model (fixed for the team's runs). */
  settings: AgentCallSettings;
  /** Run input and earlier agents' outputs, by name. */
  variables: Record<string, unknown>;
  /** Whether the run's events are consumed as they happen (see {@link agentRequest}). */
  observed: boolean;
  /**
   * Asks a person before a tool with `needsApproval` runs (the tool loop's `approve`): pauses
   * the run until `handle.approve(callId)` / `handle.reject(callId, reason)`. It does not emit
   * `approval_requested` itself: the tool loop announces the call (approvalId = callId) first.
   * Absent when the run has nobody to ask (started with `run()`/`stream()`, not `start()`).
   */
  approveTool?: ToolApprovalFunction;
  /** A step boundary inside the agent (between tool rounds): waits while the run is paused. */
  checkpoint?: () => Promise<void>;
  /** The tool loop's saved state when a resumed run goes on inside this step. */
  resume?: ToolLoopState | undefined;
  /** Stores the tool loop's state at its durability points (a durable run). */
  saveState?: ((state: ToolLoopState) => Promise<void>) | undefined;
  /** Prefix of the idempotency keys of the agent's tool calls (run id and agent path). */
  idempotencyPrefix?: string | undefined;
  /** The run's usage meter (embedding calls of tools such as `knowledge_search`). */
  meter?: UsageMeter | undefined;
}

/** How an agent calls its model: resolved once per team plan and shared by its runs. */
export interface AgentCallSettings {
  /** The agent's model (resolved at run start). */
  model: ResolvedModel;
  /** Models to try in order when `model` fails for good. */
  fallbackModels: ResolvedModel[] | undefined;
  /** The model-call pipeline (resilience and budget layers around the provider call). */
  call: ModelCall;
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** Stream the model's answer; `undefined`: when the run's events are consumed as they happen. */
  stream: boolean | undefined;
}

/** What an agent returns on success. */
export interface AgentOutput {
  output: unknown;
  usage: Usage;
  /** The model that answered; undefined for agents that call none (`rag`, `kag`). */
  model: string | undefined;
  /** The agent's wall time: 0 here, set by the run when the step ends (this object is the `agent_completed` data). */
  latencyMs: number;
  /** Fields of the agent result beyond the common ones: at least `modelCalls`. */
  details: AgentDetails;
}

/** Extra fields of an agent result: model calls made, and what tools and resilience layers report. */
export type AgentDetails = AgentResultDetails & { modelCalls: number };

/**
 * Runs an `llm` agent that has tools: renders its prompts and runs its tool loop to a final
 * answer. Agents without tools take the shorter path of {@link agentRequest}, the pipeline's
 * call and {@link agentAnswer} (the run's `AgentCall`).
 * @throws the loop's error, or an `Error` when the model answered nothing.
 */
export async function runToolAgent(
  agent: PreparedAgent,
  executor: ToolExecutor,
  context: AgentRunContext,
  callContext: CallContext,
): Promise<AgentOutput> {
  const request = agentRequest(agent, context.settings, context.variables, context.observed);
  const result = await runToolLoop({
    request,
    call: context.settings.call,
    context: callContext,
    executor,
    ...(agent.config.maxToolRounds === undefined
      ? {}
      : { maxToolRounds: agent.config.maxToolRounds }),
    ...(context.approveTool ? { approve: context.approveTool } : {}),
    ...(context.checkpoint ? { checkpoint: context.checkpoint } : {}),
    resume: context.resume,
    saveState: context.saveState,
    idempotencyPrefix: context.idempotencyPrefix,
    ...(context.meter ? { meter: meterFor(context.meter, callContext) } : {}),
  });
  if (!result.success) throw result.error;
  if (result.text.trim().length === 0) {
    throw new EmptyAnswerError(
      `${result.model} returned an empty answer after ${result.rounds} tool rounds (finish reason: ${result.finishReason}).`,
    );
  }
  const details = toolLoopDetails(result);
  if (!agent.outputSchema) {
    return { output: result.text, usage: result.usage, model: result.model, latencyMs: 0, details };
  }
  try {
    const output = parseStructuredAnswer(result.text, agent.outputSchema, agent.id);
    return { output, usage: result.usage, model: result.model, latencyMs: 0, details };
  } catch (error) {
    if (!OutputValidationError.isInstance(error)) throw error;
    // Repaired once, without tools (so a grammar can apply), with what was wrong.
    await announceRepair(callContext, agent, error);
    const response = await context.settings.call(
      repairRequest(request, result.text, error),
      callContext,
    );
    const usage = addUsage({ ...result.usage }, response.usage);
    details.modelCalls += response.retryMetrics?.attempts ?? 1;
    return {
      output: parseStructuredOutput(agent, agent.outputSchema, response.text, usage),
      usage,
      model: response.model,
      latencyMs: 0,
      details,
    };
  }
}

/** The run's meter bound to the agent's call context: what a tool handler gets as `context.meter`. */
function meterFor(meter: UsageMeter, callContext: CallContext) {
  return <T>(call: MeteredCall<T>): Promise<T> => meter(call, callContext);
}

/**
 * The request that asks an agent once more for structured output: its request, its invalid
 * answer, and a message with what was wrong (JSON Schema limits such as `maximum` that a
 * provider's grammar does not enforce, or JSON cut short).
 */
export function repairRequest(
  request: ModelRequest,
  answer: string,
  error: OutputValidationError,
): ModelRequest {
  const problems =
    error.problems.length > 0 ? error.problems.join("; ") : "the answer is not valid JSON";
  return {
    ...request,
    prompt: [
      ...request.prompt,
      {
        role: "assistant",
        content: [{ type: "text", text: answer.slice(0, REPAIR_ANSWER_CHARS) }],
      },
      {
        role: "user",
        content: [
          {
            type: "text",
            text: `That answer does not match the required JSON Schema: ${problems}. Answer again with JSON only, matching this schema: ${JSON.stringify(request.responseFormat?.type === "json" ? request.responseFormat.schema : undefined)}`,
          },
        ],
      },
    ],
  };
}

/** Most characters of an invalid structured answer quoted back when repairing it. */
const REPAIR_ANSWER_CHARS = 1_000;

/** A `warning` (code `output_repair`): the agent's structured answer is asked for once more. */
export function announceRepair(
  context: CallContext,
  agent: PreparedAgent,
  error: OutputValidationError,
): void | Promise<void> {
  const problems = error.problems.length > 0 ? error.problems.join("; ") : "not valid JSON";
  return context.events.emit("warning", {
    message: `Agent "${agent.id}" answered output that does not match its outputSchema (${problems}); asking it once more with what was wrong.`,
    code: "output_repair",
  });
}

/**
 * The model request of an agent's step: its prompts rendered from `variables`, and its call
 * settings. `observed` (someone consumes the run's events as they happen) decides whether a
 * call without a `stream` setting streams.
 */
export function agentRequest(
  agent: PreparedAgent,
  settings: AgentCallSettings,
  variables: Record<string, unknown>,
  observed: boolean,
): ModelRequest {
  const prompt: LanguageModelV4Prompt = [];
  if (agent.systemPrompt) {
    prompt.push({
      role: "system",
      content: renderTemplate(agent.systemPrompt, variables, agent.id),
    });
  }
  prompt.push({
    role: "user",
    content: [{ type: "text", text: renderTemplate(agent.prompt, variables, agent.id) }],
  });
  // Optional fields are set one by one (no conditional spreads: this runs once per agent step).
  const request: ModelRequest = {
    model: settings.model,
    prompt,
    stream: settings.stream ?? observed,
  };
  if (settings.fallbackModels) request.fallbackModels = settings.fallbackModels;
  if (settings.maxTokens !== undefined) request.maxOutputTokens = settings.maxTokens;
  if (settings.temperature !== undefined) request.temperature = settings.temperature;
  if (agent.outputSchema)
    request.responseFormat = {
      type: "json",
      schema: agent.outputSchema.jsonSchema,
      name: agent.id,
    };
  return request;
}

/**
 * The agent's answer from its (tool-less) model call's response.
 * @throws EmptyAnswerError when the model answered nothing; an error when structured output does not match.
 */
export function agentAnswer(agent: PreparedAgent, response: ModelResponse): AgentOutput {
  if (response.text.trim().length === 0) {
    throw new EmptyAnswerError(
      `${response.model} returned an empty answer (finish reason: ${response.finishReason}).`,
    );
  }
  const metrics = response.retryMetrics;
  const details: AgentDetails = { modelCalls: metrics?.attempts ?? 1 };
  if (metrics) details.retryMetrics = metrics;
  return {
    output: agent.outputSchema
      ? parseStructuredOutput(agent, agent.outputSchema, response.text, response.usage)
      : response.text,
    usage: response.usage,
    model: response.model,
    latencyMs: 0,
    details,
  };
}

/** Parses a structured answer; a mismatch fails the agent with the spent tokens attached. */
function parseStructuredOutput(
  agent: PreparedAgent,
  schema: OutputSchema,
  text: string,
  usage: Usage,
): unknown {
  try {
    return parseStructuredAnswer(text, schema, agent.id);
  } catch (error) {
    // The tokens were spent: keep them in the run's usage (`agent_failed` reads `error.usage`).
    throw Object.assign(error as Error, { usage });
  }
}
