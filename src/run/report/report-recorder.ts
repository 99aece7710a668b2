import type { AgentResult } from "../../agents/agent-result.js";
import type { RunCost } from "../../cost/cost-tracker.js";
import type { RunStatus, StreamEventDataMap } from "../../events/stream-event.js";
import type { Usage } from "../../events/usage.js";
import { RunReport, type RunReportDecision, type RunReportEscalation } from "./run-report.js";

/**
 * What a report reads of its run's result (a `RunResult` has all of it): declared here so the
 * report does not depend on the result that holds it.
 */
export interface ReportedRun {
  readonly runId: string;
  readonly teamId: string;
  readonly status: RunStatus | "running";
  readonly success: boolean;
  readonly durationMs: number;
  readonly startedAt: string;
  readonly usage: Usage;
  readonly cost: Pick<RunCost, "calls" | "totalUsd" | "unpricedModels">;
  readonly agentResults: readonly AgentResult[];
  readonly error?: Error;
}

/**
 * Collects, from a run's own events, what the report needs beyond the result: the result fold
 * (`RunResultBuilder`) calls it from its own cases, so each event is dispatched once.
 */
export class ReportRecorder {
  private mode = "";
  private runStartedAt = 0;
  /** Agent starts in order (`agent_started`): who, in which role, when. Arrays, not a map of objects: one of these lives per run. */
  private readonly startIds: string[] = [];
  private readonly startRoles: string[] = [];
  private readonly startTimes: number[] = [];
  /** For each entry of `agentResults`, in the same order: the index of its start. */
  private readonly resultStarts: number[] = [];
  /** Made on the first decision or warning: most runs have none. */
  private decisions: RunReportDecision[] | undefined;
  private warnings: string[] | undefined;
  private escalations: RunReportEscalation[] | undefined;

  /** @param roles the role of each agent id, for an agent that ends without having started. */
  constructor(private readonly roles?: ReadonlyMap<string, string>) {}

  /** `run_started`. */
  runStarted(mode: string, at: number): void {
    this.mode = mode;
    this.runStartedAt = at;
  }

  /** `agent_started`. */
  agentStarted(agentId: string, role: string, at: number): void {
    this.startIds.push(agentId);
    this.startRoles.push(role);
    this.startTimes.push(at);
  }

  /**
   * `agent_completed` or `agent_failed`: ties the agent's result to its latest start and returns
   * the role it started in. An agent that ends without a start (e.g. an approval that was
   * refused) starts and ends here, in its role from `roles` (else its id).
   */
  agentEnded(agentId: string, at: number): string {
    const index = this.startIds.lastIndexOf(agentId);
    if (index >= 0) {
      this.resultStarts.push(index);
      return this.startRoles[index]!;
    }
    const role = this.roles?.get(agentId) ?? agentId;
    this.resultStarts.push(this.startIds.length);
    this.agentStarted(agentId, role, at);
    return role;
  }

  /** `agent_selected`. */
  decision(data: StreamEventDataMap["agent_selected"]): void {
    (this.decisions ??= []).push({
      iteration: data.iteration,
      nextAgent: data.nextAgent,
      reason: data.reason,
      done: data.done ?? false,
      fallback: data.fallback ?? false,
    });
  }

  /** `escalation`. */
  escalation(agentId: string, data: StreamEventDataMap["escalation"]): void {
    (this.escalations ??= []).push({ agentId, ...data });
  }

  /** `warning`. */
  warning(message: string): void {
    (this.warnings ??= []).push(message);
  }

  /** Builds the report of `result` (the fold of the same events). */
  report(result: ReportedRun): RunReport {
    const agents = result.agentResults
      .map((agent, index) => {
        const start = this.resultStarts[index];
        const at = start === undefined ? this.runStartedAt : this.startTimes[start]!;
        return {
          order: start === undefined ? index + 1 : start + 1,
          agentId: agent.agentId,
          role: agent.role,
          success: agent.success,
          startedAtMs: at - this.runStartedAt,
          latencyMs: agent.latencyMs,
          usage: agent.usage,
          model: agent.model,
          modelCalls: agent.modelCalls,
          ...(agent.error ? { error: agent.error } : {}),
        };
      })
      .sort((left, right) => left.order - right.order);
    const errors = result.agentResults
      .filter((agent) => agent.error)
      .map((agent) => ({ agentId: agent.agentId, ...agent.error! }));
    if (result.error && !errors.some((error) => error.message === result.error!.message)) {
      const code = (result.error as { code?: unknown }).code;
      errors.push({
        name: result.error.name,
        message: result.error.message,
        ...(typeof code === "string" ? { code } : {}),
      } as (typeof errors)[number]);
    }
    return new RunReport({
      runId: result.runId,
      teamId: result.teamId,
      mode: this.mode,
      status: result.status,
      success: result.success,
      durationMs: result.durationMs,
      startedAt: result.startedAt,
      usage: result.usage,
      costUsd: result.cost.calls > 0 ? result.cost.totalUsd : undefined,
      unpricedModels: result.cost.unpricedModels,
      agents,
      decisions: this.decisions ?? [],
      escalations: this.escalations ?? [],
      errors,
      warnings: this.warnings ?? [],
    });
  }
}
