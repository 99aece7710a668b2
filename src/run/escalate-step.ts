import type { AgentResult, AgentResultDetails } from "../agents/agent-result.js";
import type { EscalationPolicy } from "../agents/escalation-config.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { ApprovalRejectedError } from "../errors/approval-rejected-error.js";
import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { EscalationError } from "../errors/escalation-error.js";
import { toErrorInfo } from "../events/error-info.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import { shouldEscalate } from "../resilience/retry-metrics.js";
import { AgentFailure } from "./run-failure.js";
import type { HumanAnswer, HumanTask } from "./workflow-step.js";

/** A team's escalation settings, resolved for a run (see docs/orchestration.md, "Escalation"). */
export interface EscalationPlan {
  /** Each agent's policy (its own, else the team's); an agent without one aborts. */
  readonly policies: ReadonlyMap<string, EscalationPolicy>;
  /** Most escalations in one step's chain. */
  readonly maxDepth: number;
}

/** What escalating a step needs of its run (`RunExecution`). */
export interface EscalationHost {
  readonly plan: {
    readonly agents: readonly PreparedAgent[];
    readonly clock: { now(): number };
    readonly signal: AbortSignal;
    /** Asks people (`team.start()`); absent when the run has nobody to ask. */
    readonly approver?:
      | {
          askHuman(
            agent: PreparedAgent,
            task: HumanTask,
            run: EscalationHost,
          ): Promise<HumanAnswer>;
        }
      | undefined;
  };
  /** Runs one agent step, without escalation. @throws AgentFailure */
  runStep(agent: PreparedAgent, step: number, signal: AbortSignal): Promise<AgentResult>;
  /** Ends the agent's step with `agent_completed` of `output` (a resumed run takes the stored one). */
  resolveStep(
    agent: PreparedAgent,
    started: number,
    output: unknown,
    details: AgentResultDetails,
  ): Promise<AgentResult>;
  emit(
    type: "escalation",
    data: StreamEventDataMap["escalation"],
    agentId: string,
  ): void | Promise<void>;
}

type Escalation = StreamEventDataMap["escalation"];

/** Why a step escalated: the failure it ended with, or its answer's request. */
type Trigger = { failure: AgentFailure } | { asked: string };

/**
 * Runs an agent step under the escalation policy: when the step escalates — the agent failed,
 * its breaker is open, or its structured answer has `escalate: true` — the policy retries it,
 * skips it (output `null`), reroutes it to another agent (whose output takes the step's output
 * key), asks a person for the output, or aborts (the run fails, as without a policy). Each
 * escalation emits an `escalation` event; a chain of them is bounded by `maxDepth`.
 * @throws AgentFailure when the policy aborts, or the chain's bounds are used up.
 */
export async function runEscalated(
  host: EscalationHost,
  escalation: EscalationPlan,
  agent: PreparedAgent,
  step: number,
  signal: AbortSignal,
  depth = 0,
): Promise<AgentResult> {
  const started = host.plan.clock.now();
  const policy = escalation.policies.get(agent.id) ?? { action: "abort" };
  let retries = 0;
  for (;;) {
    const trigger = await attempt(host, agent, step, signal);
    if ("result" in trigger) return trigger.result;
    depth++;
    const exhausted =
      depth > escalation.maxDepth || (policy.action === "retry" && retries >= policy.maxRetries);
    const action = exhausted ? "abort" : policy.action;
    await host.emit("escalation", eventOf(trigger, action, depth, policy, exhausted), agent.id);
    switch (action) {
      case "abort":
        throw failureOf(agent, trigger);
      case "retry":
        retries++;
        continue;
      case "skip":
        return host.resolveStep(agent, started, null, { escalation: { action, depth } });
      case "reroute": {
        const target = host.plan.agents.find(
          (candidate) => candidate.id === (policy as { agentId: string }).agentId,
        )!;
        const result = await runEscalated(host, escalation, target, step, signal, depth);
        const details = { escalation: { action, depth, to: target.id } };
        return host.resolveStep(agent, started, result.output, details);
      }
      case "human": {
        const output = await askPerson(host, agent, trigger, policy);
        return host.resolveStep(agent, started, output, { escalation: { action, depth } });
      }
    }
  }
}

/** Runs the step once: its result, or why it escalates. Errors that do not escalate are thrown. */
async function attempt(
  host: EscalationHost,
  agent: PreparedAgent,
  step: number,
  signal: AbortSignal,
): Promise<{ result: AgentResult } | Trigger> {
  let result: AgentResult;
  try {
    result = await host.runStep(agent, step, signal);
  } catch (error) {
    if (signal.aborted || !(error instanceof AgentFailure) || !escalates(error.error)) throw error;
    return { failure: error };
  }
  const asked = askedToEscalate(agent, result.output);
  return asked === undefined ? { result } : { asked };
}

/**
 * Whether a failure escalates: not a cancellation, a budget refusal (another agent would be
 * refused too) or a person's rejection (a person decided), nor an escalation that failed.
 */
function escalates(error: unknown): boolean {
  const inner = error instanceof Error ? error.cause : undefined;
  return ![error, inner].some(
    (candidate) =>
      BudgetExceededError.isInstance(candidate) ||
      ApprovalRejectedError.isInstance(candidate) ||
      EscalationError.isInstance(candidate),
  );
}

/**
 * The reason a structured answer gives for escalating: an object output with `escalate: true`
 * (its `escalationReason`, if a string, says why); `undefined` when it does not ask.
 */
function askedToEscalate(agent: PreparedAgent, output: unknown): string | undefined {
  if (agent.config.outputSchema === undefined) return undefined;
  if (typeof output !== "object" || output === null) return undefined;
  const { escalate, escalationReason } = output as Record<string, unknown>;
  if (escalate !== true) return undefined;
  return typeof escalationReason === "string" && escalationReason.length > 0
    ? escalationReason
    : `Agent "${agent.id}" asked to escalate.`;
}

function eventOf(
  trigger: Trigger,
  action: Escalation["action"],
  depth: number,
  policy: EscalationPolicy,
  exhausted: boolean,
): Escalation {
  const failure = "failure" in trigger ? trigger.failure.error : undefined;
  const data: Escalation = {
    trigger:
      failure === undefined ? "output" : shouldEscalate(failure) ? "breaker_open" : "failure",
    action,
    depth,
    reason: reasonOf(trigger),
  };
  if (action === "reroute" && policy.action === "reroute") data.to = policy.agentId;
  if (exhausted) data.exhausted = true;
  if (failure !== undefined) data.error = toErrorInfo(failure);
  return data;
}

function reasonOf(trigger: Trigger): string {
  if ("asked" in trigger) return trigger.asked;
  const error = trigger.failure.error;
  return error instanceof Error ? error.message : String(error);
}

/** The error an aborted escalation fails the run with: the agent's failure, or for an answer's request an `EscalationError`. */
function failureOf(agent: PreparedAgent, trigger: Trigger): AgentFailure {
  if ("failure" in trigger) return trigger.failure;
  const message = `Agent "${agent.id}" escalated (${trigger.asked}) and its escalation policy aborts the run.`;
  return new AgentFailure(agent.id, new EscalationError("aborted", agent.id, message));
}

/** Asks a person for the step's output; a rejection or no answer in time fails the run. */
async function askPerson(
  host: EscalationHost,
  agent: PreparedAgent,
  trigger: Trigger,
  policy: EscalationPolicy,
): Promise<unknown> {
  const settings: { assignee?: string | undefined; timeoutMs?: number | undefined } =
    policy.action === "human" ? policy : {};
  const fail = (reason: EscalationError["reason"], message: string): AgentFailure =>
    new AgentFailure(agent.id, new EscalationError(reason, agent.id, message));
  const approver = host.plan.approver;
  if (!approver)
    throw fail(
      "no_person",
      `Agent "${agent.id}" escalated to a person, and this run has nobody to ask: start it with team.start(input).`,
    );
  const answer = await approver.askHuman(
    agent,
    {
      prompt: `Agent "${agent.id}" (${agent.role}) escalated: ${reasonOf(trigger)}\nAnswer with the output the run should use as "${agent.outputKey}", or reject to fail the run.`,
      assignee: settings.assignee,
      timeoutMs: settings.timeoutMs,
      check: () => undefined,
    },
    host,
  );
  if (answer.timedOut)
    throw fail(
      "human_timeout",
      `Nobody answered the escalation of agent "${agent.id}" within ${settings.timeoutMs} ms.`,
    );
  if (!answer.approved)
    throw fail(
      "human_rejected",
      `A person rejected the escalation of agent "${agent.id}": ${answer.reason ?? "no reason given"}.`,
    );
  return answer.value ?? null;
}
