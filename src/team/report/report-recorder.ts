import type { StreamEvent } from "../../events/stream-event.js";
import type { RunResult } from "../run-result.js";
import { RunReport, type RunReportDecision } from "./run-report.js";

/** Collects, from a run's own events, what the report needs beyond the result. */
export class ReportRecorder {
  private mode = "";
  private runStartedAt = 0;
  /** Agent starts in order (`agent_started`): who and when. Arrays, not a map of objects: one of these lives per run. */
  private readonly startIds: string[] = [];
  private readonly startTimes: number[] = [];
  /** For each entry of `agentResults`, in the same order: the index of its start. */
  private readonly resultStarts: number[] = [];
  /** Made on the first decision or warning: most runs have none. */
  private decisions: RunReportDecision[] | undefined;
  private warnings: string[] | undefined;

  apply(event: StreamEvent): void {
    switch (event.type) {
      case "run_started":
        this.mode = event.data.mode;
        this.runStartedAt = event.timestamp;
        break;
      case "agent_started":
        this.startIds.push(event.agentId!);
        this.startTimes.push(event.timestamp);
        break;
      case "agent_completed":
      case "agent_failed": {
        const index = this.startIds.lastIndexOf(event.agentId!);
        if (index >= 0) this.resultStarts.push(index);
        else {
          // A failure before the start (e.g. an approval that was refused) starts and ends here.
          this.resultStarts.push(this.startIds.length);
          this.startIds.push(event.agentId!);
          this.startTimes.push(event.timestamp);
        }
        break;
      }
      case "agent_selected":
        (this.decisions ??= []).push({
          iteration: event.data.iteration,
          nextAgent: event.data.nextAgent,
          reason: event.data.reason,
          done: event.data.done ?? false,
          fallback: event.data.fallback ?? false,
        });
        break;
      case "warning":
        (this.warnings ??= []).push(event.data.message);
        break;
      default:
        break;
    }
  }

  /** Builds the report of `result` (the fold of the same events). */
  report(result: RunResult): RunReport {
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
      errors.push({ name: result.error.name, message: result.error.message, ...(typeof code === "string" ? { code } : {}) } as (typeof errors)[number]);
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
      errors,
      warnings: this.warnings ?? [],
    });
  }
}
