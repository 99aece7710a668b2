import type { AgentResult } from "../agents/agent-result.js";
import type { AgentOutput, PreparedAgent } from "../agents/llm-agent.js";
import { toErrorInfo } from "../events/error-info.js";
import type { Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { AgentStepHost } from "./agent-step-host.js";
import { AgentFailure, detailsOf, usageOf } from "./run-failure.js";

/** What ending a step needs of its run (`RunExecution`). */
interface StepRun extends Pick<AgentStepHost, "variables" | "emit" | "emitAt"> {
  readonly plan: {
    readonly clock: Clock;
    readonly journal?: { endLoop(agentId: string): void } | undefined;
  };
  readonly builder: { readonly lastAgentResult: AgentResult | undefined };
}

/**
 * Ends an agent's step with `agent_completed`; its output becomes a variable for later
 * prompts. Returns the agent's result (the fold's).
 */
export async function completeAgentStep(
  run: StepRun,
  agent: PreparedAgent,
  started: number,
  outcome: AgentOutput,
): Promise<AgentResult> {
  const ended = run.plan.clock.now();
  run.plan.journal?.endLoop(agent.id);
  run.variables[agent.outputKey] = outcome.output;
  for (const name of outcome.details.outputAliases ?? []) run.variables[name] = outcome.output;
  // The agent's output is the event's data, once its latency is in.
  outcome.latencyMs = ended - started;
  await run.emitAt(ended, "agent_completed", outcome, agent.id);
  // The fold has built the agent's result from this event: hand out the same object.
  return run.builder.lastAgentResult!;
}

/**
 * Ends an agent's step with `agent_failed`, its usage `spent` (what the agent's calls
 * reported) or else the usage `error` carries.
 * @throws AgentFailure wrapping `error`, always.
 */
export async function failAgentStep(
  run: StepRun,
  agent: PreparedAgent,
  model: string | undefined,
  started: number,
  error: unknown,
  spent?: Usage,
): Promise<never> {
  const latencyMs = run.plan.clock.now() - started;
  run.plan.journal?.endLoop(agent.id);
  const usage = spent ?? usageOf(error);
  const details = detailsOf(error);
  await run.emit(
    "agent_failed",
    { error: toErrorInfo(error), usage, model, latencyMs, ...(details ? { details } : {}) },
    agent.id,
    error,
  );
  throw new AgentFailure(agent.id, error);
}
