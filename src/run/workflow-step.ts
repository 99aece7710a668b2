import type { AgentResult, AgentResultDetails } from "../agents/agent-result.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import type { StepType } from "../agents/step-config.js";
import type { JsonSchema } from "../agents/structured-output.js";
import type { EventSink } from "../events/event-sink.js";
import { emptyUsage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { AgentStepHost } from "./agent-step-host.js";
import { failAgentStep } from "./agent-step-end.js";

/** A task for a person, as a human step asks it. */
export interface HumanTask {
  /** What the person is asked (the step's prompt, filled in). */
  prompt: string;
  assignee?: string | undefined;
  /** The JSON Schema the answer's value must match. */
  form?: JsonSchema | undefined;
  /** How long to wait, in ms on the run's clock; `undefined`: no limit. */
  timeoutMs?: number | undefined;
  /** Checks an answer's value against the form: a problem's text, or `undefined` when it fits. */
  check: (value: unknown) => string | undefined;
}

/** How a human task was answered. */
export type HumanAnswer =
  | { timedOut: false; approved: boolean; value?: unknown; reason?: string | undefined }
  | { timedOut: true };

/** What a workflow step sees of the run it is a step of. */
export interface StepRun {
  readonly runId: string;
  readonly clock: Clock;
  /** The run's input and earlier outputs, by name (read-only for steps). */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
  /** Events of the step (retries, breaker changes), tagged with its agent. */
  readonly events: EventSink;
  /** Asks a person and waits for the answer; absent when the run has nobody to ask. */
  readonly askHuman: ((task: HumanTask) => Promise<HumanAnswer>) | undefined;
}

/** What a workflow step produced. */
export interface StepOutcome {
  output: unknown;
  details?: AgentResultDetails;
}

/**
 * A workflow step of a flow (`transform`, `http`, `human`, `switch`): built from its agent's
 * settings when the team plans its runs, run by `RunExecution.runAgent` like any agent step.
 */
export interface WorkflowStep {
  readonly kind: StepType;
  /** Runs the step. @throws what made it fail (the step fails with it). */
  run(run: StepRun): Promise<StepOutcome>;
}

/** What running a step needs of its run (`RunExecution`). */
export interface StepHost extends AgentStepHost {
  readonly plan: AgentStepHost["plan"] & {
    readonly journal?: { endLoop(agentId: string): void } | undefined;
  };
  readonly builder: { readonly lastAgentResult: AgentResult | undefined };
  sinkFor(agentId: string): EventSink;
}

/**
 * Runs a workflow step as an agent step of the run: `agent_started`, the step, then
 * `agent_completed` (its output becomes a variable, as an agent's does) or `agent_failed`.
 * A step calls no model: its usage is zero and its model `undefined`.
 * @throws AgentFailure wrapping the step's error.
 */
export async function runWorkflowStep(
  host: StepHost,
  agent: PreparedAgent,
  step: WorkflowStep,
  run: Omit<StepRun, "events" | "runId" | "clock" | "variables">,
  stepNumber: number,
): Promise<AgentResult> {
  const { clock } = host.plan;
  const started = clock.now();
  await host.emitAt(
    started,
    "agent_started",
    { role: agent.role, model: undefined, step: stepNumber },
    agent.id,
  );
  let outcome: StepOutcome;
  try {
    outcome = await step.run({
      ...run,
      runId: host.plan.runId,
      clock,
      variables: host.variables,
      events: host.sinkFor(agent.id),
    });
  } catch (error) {
    return failAgentStep(host, agent, undefined, started, error, emptyUsage());
  }
  const ended = clock.now();
  host.variables[agent.outputKey] = outcome.output;
  const details: AgentResultDetails = { ...outcome.details, modelCalls: 0, step: step.kind };
  await host.emitAt(
    ended,
    "agent_completed",
    {
      output: outcome.output,
      usage: emptyUsage(),
      model: undefined,
      latencyMs: ended - started,
      details,
    },
    agent.id,
  );
  return host.builder.lastAgentResult!;
}
