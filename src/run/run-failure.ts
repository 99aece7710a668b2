import { LLMTeamError } from "../errors/llmteam-error.js";
import type { ErrorInfo } from "../events/error-info.js";
import { emptyUsage, type Usage } from "../events/usage.js";
import type { RunStatus } from "../events/stream-event.js";
import { getRetryMetrics, shouldEscalate } from "../resilience/retry-metrics.js";

/** An agent failed; carries which one, so the run can name it. */
export class AgentFailure extends Error {
  override readonly name = "AgentFailure";
  constructor(
    readonly agentId: string,
    readonly error: unknown,
  ) {
    super(`Agent "${agentId}" failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** The status a failed run ends with, as its error says. */
export function statusOf(error: unknown): RunStatus {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "budget_exceeded") return "budget_exceeded";
  if (code === "run_timeout" || (error instanceof Error && error.name === "TimeoutError"))
    return "timeout";
  return "failed";
}

/** The usage an error carries (a failed call's tokens), or none. */
export function usageOf(error: unknown): Usage {
  const usage = (error as { usage?: Usage } | undefined)?.usage;
  return usage && typeof usage.totalTokens === "number" ? usage : emptyUsage();
}

/** The `details` of an `agent_failed` event: the error's own, its retry metrics, escalation. */
export function detailsOf(error: unknown): Record<string, unknown> | undefined {
  const found = (error as { details?: unknown } | undefined)?.details;
  const details: Record<string, unknown> =
    typeof found === "object" && found !== null ? { ...(found as Record<string, unknown>) } : {};
  const retryMetrics = getRetryMetrics(error);
  if (retryMetrics) {
    details.retryMetrics = retryMetrics;
    details.modelCalls ??= retryMetrics.attempts;
  }
  if (shouldEscalate(error)) details.shouldEscalate = true;
  return Object.keys(details).length > 0 ? details : undefined;
}

/** The error of a stored failed agent result (a resumed run replays it): its name, message and code. */
export function storedError(result: { agentId: string; error?: ErrorInfo }): Error {
  const info = result.error ?? { name: "Error", message: `Agent "${result.agentId}" failed.` };
  const error = new LLMTeamError(info.message) as LLMTeamError & { code?: string };
  error.name = info.name;
  if (info.code !== undefined) Object.defineProperty(error, "code", { value: info.code });
  return error;
}
