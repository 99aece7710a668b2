import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { EmptyAnswerError } from "../errors/empty-answer-error.js";
import type { EventSink } from "../events/event-sink.js";
import type { Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { ModelCall, ResolvedModel } from "../providers/model-call.js";
import type { AgentConfig } from "./agent-config.js";
import type { ToolApprovalFunction } from "./tool-approval.js";
import { parseTemplate, renderTemplate, type Template } from "./template.js";

/** An agent checked and ready to run: its config as given plus what was derived from it. */
export interface PreparedAgent {
  id: string;
  role: string;
  outputKey: string;
  config: AgentConfig;
  prompt: Template;
  systemPrompt: Template | undefined;
}

/** Prepares an agent from a validated config. */
export function prepareAgent(config: AgentConfig): PreparedAgent {
  const id = config.id ?? config.role;
  return {
    id,
    role: config.role,
    outputKey: config.outputKey ?? id,
    config,
    prompt: parseTemplate(config.prompt),
    systemPrompt: config.systemPrompt === undefined ? undefined : parseTemplate(config.systemPrompt),
  };
}

/** What an agent run can see: the run's variables, its model and the model-call pipeline. */
export interface AgentRunContext {
  runId: string;
  signal: AbortSignal;
  clock: Clock;
  /** Sends events tagged with this agent. */
  events: EventSink;
  /** Run input and earlier agents' outputs, by name. */
  variables: Record<string, unknown>;
  /** The agent's model (resolved at run start). */
  model: ResolvedModel;
  /** The model-call pipeline (resilience and budget layers around the provider call). */
  call: ModelCall;
  temperature: number | undefined;
  maxTokens: number | undefined;
  stream: boolean;
  /**
   * Asks a person before a tool with `needsApproval` runs (the tool loop's `approve`): pauses
   * the run until `handle.approve(callId)` / `handle.reject(callId, reason)`. It does not emit
   * `approval_requested` itself: the tool loop announces the call (approvalId = callId) first.
   * Absent when the run has nobody to ask (started with `run()`/`stream()`, not `start()`).
   */
  approveTool?: ToolApprovalFunction;
  /** A step boundary inside the agent (between tool rounds): waits while the run is paused. */
  checkpoint?: () => Promise<void>;
}

/** What an agent returns on success. */
export interface AgentOutput {
  output: unknown;
  usage: Usage;
  model: string;
  modelCalls: number;
  details?: Record<string, unknown>;
}

/**
 * Runs an `llm` agent: renders its prompts, makes one model call and returns the answer.
 * @throws the model call's error, or an `Error` when the model answered nothing.
 */
export async function runLlmAgent(agent: PreparedAgent, context: AgentRunContext): Promise<AgentOutput> {
  const where = `agent "${agent.id}"`;
  const prompt: LanguageModelV4Prompt = [];
  if (agent.systemPrompt) {
    prompt.push({ role: "system", content: renderTemplate(agent.systemPrompt, context.variables, where) });
  }
  prompt.push({ role: "user", content: [{ type: "text", text: renderTemplate(agent.prompt, context.variables, where) }] });
  const response = await context.call(
    {
      model: context.model,
      prompt,
      stream: context.stream,
      ...(context.maxTokens === undefined ? {} : { maxOutputTokens: context.maxTokens }),
      ...(context.temperature === undefined ? {} : { temperature: context.temperature }),
    },
    { signal: context.signal, clock: context.clock, events: context.events, runId: context.runId, agentId: agent.id },
  );
  if (response.text.trim().length === 0) {
    throw new EmptyAnswerError(
      `${response.model} returned an empty answer (finish reason: ${response.finishReason}).`,
    );
  }
  return { output: response.text, usage: response.usage, model: response.model, modelCalls: 1 };
}

