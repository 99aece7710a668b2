import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { EmptyAnswerError } from "../errors/empty-answer-error.js";
import type { EventSink } from "../events/event-sink.js";
import type { Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { ModelCall, ModelResponse, ResolvedModel } from "../providers/model-call.js";
import type { AgentConfig } from "./agent-config.js";
import { parseStructuredAnswer, prepareOutputSchema, type OutputSchema } from "./structured-output.js";
import { parseTemplate, renderTemplate, type Template } from "./template.js";

/** An agent checked and ready to run: its config as given plus what was derived from it. */
export interface PreparedAgent {
  id: string;
  role: string;
  outputKey: string;
  config: AgentConfig;
  prompt: Template;
  systemPrompt: Template | undefined;
  /** The structured output schema, when the agent has one. */
  outputSchema: OutputSchema | undefined;
}

/** Prepares an agent from a validated config. */
export function prepareAgent(config: AgentConfig): PreparedAgent {
  const id = config.id ?? config.role;
  return {
    id,
    role: config.role,
    outputKey: config.outputKey ?? id,
    config,
    prompt: parseTemplate(config.prompt ?? ""),
    systemPrompt: config.systemPrompt === undefined ? undefined : parseTemplate(config.systemPrompt),
    outputSchema: config.outputSchema === undefined ? undefined : prepareOutputSchema(config.outputSchema, ["outputSchema"]),
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
      ...(agent.outputSchema ? { responseFormat: { type: "json" as const, schema: agent.outputSchema.jsonSchema, name: agent.id } } : {}),
    },
    { signal: context.signal, clock: context.clock, events: context.events, runId: context.runId, agentId: agent.id },
  );
  if (response.text.trim().length === 0) {
    throw new EmptyAnswerError(
      `${response.model} returned an empty answer (finish reason: ${response.finishReason}).`,
    );
  }
  const output = agent.outputSchema ? parseStructuredOutput(agent, agent.outputSchema, response) : response.text;
  return { output, usage: response.usage, model: response.model, modelCalls: 1 };
}

/** Parses a structured answer; a mismatch fails the agent with the call's usage attached. */
function parseStructuredOutput(agent: PreparedAgent, schema: OutputSchema, response: ModelResponse): unknown {
  try {
    return parseStructuredAnswer(response.text, schema, agent.id);
  } catch (error) {
    // The tokens were spent: keep them in the run's usage (`agent_failed` reads `error.usage`).
    throw Object.assign(error as Error, { usage: response.usage });
  }
}

