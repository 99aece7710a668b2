import type { RunResult } from "../../run/run-result.js";
import { HttpProblem } from "../http-problem.js";
import { openAIError } from "./openai-wire.js";

/** HTTP status of a chat completion whose run did not complete, by the run's status. */
const STATUS_OF: Record<string, number> = {
  failed: 502,
  budget_exceeded: 402,
  timeout: 504,
  cancelled: 409,
};

/** What the run's end says, e.g. `Run run_x failed at agent "draft": the provider answered 500.` */
export function runFailureMessage(result: RunResult): string {
  const how = result.status === "budget_exceeded" ? "stopped: budget exceeded" : result.status;
  const where = result.failedAgent ? ` at agent "${result.failedAgent}"` : "";
  return `Run ${result.runId} ${how}${where}: ${result.error?.message ?? "no reason given"}`;
}

/**
 * The problem a chat completion answers when its run did not complete: 502 (failed), 402
 * (budget exceeded), 504 (timeout), 409 (cancelled), with the run's id and status, OpenAI's
 * `error` member (`type: "run_failed"`, `code`: the run's status) and `x-should-retry: false`,
 * so that OpenAI clients do not start the run again on their own.
 */
export function runFailureProblem(result: RunResult): HttpProblem {
  const message = runFailureMessage(result);
  return new HttpProblem(STATUS_OF[result.status] ?? 502, message, {
    title: "Run Did Not Complete",
    extra: {
      runId: result.runId,
      runStatus: result.status,
      error: openAIError(message, "run_failed", result.status),
    },
    headers: { "x-should-retry": "false", "x-llmteam-run-id": result.runId },
    cause: result.error,
  });
}
