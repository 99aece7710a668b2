import type { AgentResult } from "../agents/agent-result.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { renderTemplate } from "../agents/template.js";
import { toErrorInfo } from "../events/error-info.js";
import { emptyUsage } from "../events/usage.js";
import type { AgentStepHost } from "./agent-step-host.js";
import type { RunResult } from "./run-result.js";

/**
 * A team that can run inside another run (as an agent of a team, or in a group) of type
 * `Parent` (the team's `RunExecution`).
 */
export interface NestedTeam<Parent> {
  readonly teamId: string;
  /**
   * Runs the team as a step of `parent`: same run id, events forwarded into the parent's log
   * under the path `<parent path>/<agentId>/…`, pauses at the parent's step boundaries.
   * @throws ConfigError when the input lacks what the team's prompts read.
   */
  runNested(
    input: Record<string, unknown>,
    parent: Parent,
    agentId: string,
    signal: AbortSignal,
  ): Promise<RunResult>;
}

/** Who a nested run is, in the parent's log. */
export interface NestedStepIdentity {
  /** The id the step has in the parent (the agent id, or the team id in a group). */
  agentId: string;
  /** Shown as the step's role (`agent_started.role`). */
  role: string;
  /** When set, the team's final output becomes this variable of the parent run. */
  outputKey?: string;
}

/** How a nested step ended. */
export interface NestedStepOutcome {
  agentResult: AgentResult;
  /** The nested run's own result (undefined when it could not start). */
  result: RunResult | undefined;
  /** Why the step failed, when it did. */
  error?: unknown;
}

/** The input a `type: team` agent gives its team: the run input, `query` set from its prompt. */
export function nestedTeamInput(
  agent: PreparedAgent,
  execution: AgentStepHost,
): Record<string, unknown> {
  if (agent.config.prompt === undefined) return { ...execution.plan.input };
  return {
    ...execution.plan.input,
    query: renderTemplate(agent.prompt, execution.variables, agent.id),
  };
}

/**
 * Runs a nested team as one step of `execution`: `agent_started`, the team's own events
 * (forwarded), then `agent_completed` with the team's final output and total usage, or
 * `agent_failed`. Never throws for a failed team: the outcome says.
 */
export async function runTeamStep<Parent extends AgentStepHost>(
  execution: Parent,
  who: NestedStepIdentity,
  nested: NestedTeam<Parent>,
  input: Record<string, unknown>,
  step: number,
  signal: AbortSignal,
): Promise<NestedStepOutcome> {
  const { clock } = execution.plan;
  await execution.emit("agent_started", { role: who.role, model: undefined, step }, who.agentId);
  const started = clock.now();
  let result: RunResult | undefined;
  let thrown: unknown;
  try {
    result = await nested.runNested(input, execution, who.agentId, signal);
  } catch (error) {
    thrown = error;
  }
  const latencyMs = clock.now() - started;
  const usage = result?.usage ?? emptyUsage();
  const modelCalls = result?.agentResults.reduce((sum, agent) => sum + agent.modelCalls, 0) ?? 0;
  const details = {
    modelCalls,
    team: {
      teamId: nested.teamId,
      status: result?.status ?? "failed",
      agentsCalled: result?.agentsCalled ?? [],
    },
  };
  if (result?.success) {
    if (who.outputKey !== undefined) execution.variables[who.outputKey] = result.finalOutput;
    await execution.emit(
      "agent_completed",
      { output: result.finalOutput, usage, model: undefined, latencyMs, details },
      who.agentId,
    );
    const agentResult: AgentResult = {
      ...details,
      agentId: who.agentId,
      role: who.role,
      output: result.finalOutput,
      success: true,
      usage,
      model: undefined,
      latencyMs,
    };
    return { agentResult, result };
  }
  const error = signal.aborted
    ? (signal.reason as unknown)
    : (thrown ?? result?.error ?? new Error(`Team "${nested.teamId}" did not complete.`));
  const info = toErrorInfo(error);
  await execution.emit(
    "agent_failed",
    { error: info, usage, model: undefined, latencyMs, details },
    who.agentId,
    error,
  );
  const agentResult: AgentResult = {
    ...details,
    agentId: who.agentId,
    role: who.role,
    output: undefined,
    success: false,
    error: info,
    usage,
    model: undefined,
    latencyMs,
  };
  return { agentResult, result, error };
}
