import { toErrorInfo } from "../events/error-info.js";
import { RunTimeoutError } from "../errors/run-timeout-error.js";
import type { RunExecution } from "./run-execution.js";
import { AgentFailure, statusOf } from "./run-failure.js";
import type { RunResult } from "./run-result.js";

/** Ends the run with `run_completed`. */
export async function completeRun(execution: RunExecution, output: unknown): Promise<RunResult> {
  const now = execution.plan.clock.now();
  await execution.emitAt(now, "run_completed", {
    output,
    usage: execution.builder.result.usage,
    durationMs: now - execution.startedAt,
  });
  return execution.builder.result;
}

/** Ends the run with `run_cancelled` or `run_failed`, as the error says. */
export async function failRun(execution: RunExecution, thrown: unknown): Promise<RunResult> {
  const failedAgent = thrown instanceof AgentFailure ? thrown.agentId : undefined;
  const error = thrown instanceof AgentFailure ? thrown.error : thrown;
  const usage = execution.builder.result.usage;
  const { signal } = execution.plan;
  const abortReason = signal.aborted ? (signal.reason as unknown) : undefined;
  if (signal.aborted && !RunTimeoutError.isInstance(abortReason)) {
    const message =
      abortReason instanceof Error
        ? abortReason.message
        : typeof abortReason === "string"
          ? abortReason
          : "cancelled";
    const data = { reason: message, usage, durationMs: execution.elapsedMs() };
    await execution.emit("run_cancelled", data, undefined, abortReason);
    return execution.builder.result;
  }
  const failure = abortReason ?? error;
  await execution.emit(
    "run_failed",
    {
      error: toErrorInfo(failure),
      status: statusOf(failure),
      ...(failedAgent ? { failedAgent } : {}),
      usage,
      durationMs: execution.elapsedMs(),
    },
    undefined,
    failure,
  );
  return execution.builder.result;
}
