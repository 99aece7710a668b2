import type { StreamEvent } from "../../events/stream-event.js";
import type { RunResult } from "../run-result.js";
import { RunReport, type RunReportDecision } from "./run-report.js";

/** Collects, from a run's own events, what the report needs beyond the result. */
export class ReportRecorder {
  private mode = "";
  private runStartedAt = 0;
  private readonly starts = new Map<string, { at: number; order: number }>();
  private startCount = 0;
  /** Start of each entry of `agentResults`, in the same order. */
  private readonly resultStarts: { at: number; order: number }[] = [];
  private readonly decisions: RunReportDecision[] = [];
  private readonly warnings: string[] = [];

  apply(event: StreamEvent): void {
    switch (event.type) {
      case "run_started":
        this.mode = event.data.mode;
        this.runStartedAt = event.timestamp;
        break;
      case "agent_started":
        this.starts.set(event.agentId!, { at: event.timestamp, order: ++this.startCount });
        break;
      case "agent_completed":
      case "agent_failed":
        this.resultStarts.push(this.starts.get(event.agentId!) ?? { at: event.timestamp, order: ++this.startCount });
        break;
      case "agent_selected":
        this.decisions.push({
          iteration: event.data.iteration,
          nextAgent: event.data.nextAgent,
          reason: event.data.reason,
          done: event.data.done ?? false,
          fallback: event.data.fallback ?? false,
        });
        break;
      case "warning":
        this.warnings.push(event.data.message);
        break;
      default:
        break;
    }
  }

  /** Builds the report of `result` (the fold of the same events). */
  report(result: RunResult): RunReport {
    const agents = result.agentResults
      .map((agent, index) => {
        const start = this.resultStarts[index] ?? { at: this.runStartedAt, order: index + 1 };
        return {
          order: start.order,
          agentId: agent.agentId,
          role: agent.role,
          success: agent.success,
          startedAtMs: start.at - this.runStartedAt,
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
      decisions: this.decisions,
      errors,
      warnings: this.warnings,
    });
  }
}
