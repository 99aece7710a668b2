import type { StreamEventJSON } from "../events/stream-event.js";
import type { RunResult } from "../run/run-result.js";
import { storedAgents } from "../run/stored-run-summary.js";
import { readAllEvents } from "../store/read-all-events.js";
import type { StoredRun } from "../store/run-store.js";
import { runBudgetUsd } from "./run-budget.js";
import type { ServerContext } from "./server-context.js";

/** Links of a run's resources, relative to the server. */
export function runLinks(runId: string): Record<string, string> {
  return {
    self: `/runs/${runId}`,
    events: `/runs/${runId}/events`,
    approvals: `/runs/${runId}/approvals`,
    viewer: `/#/runs/${runId}`,
  };
}

/** A run's result as JSON (what `POST …/runs?wait=true` answers). */
export function runResultBody(result: RunResult): Record<string, unknown> {
  return {
    runId: result.runId,
    teamId: result.teamId,
    status: result.status,
    success: result.success,
    finalOutput: result.finalOutput,
    output: result.output,
    agentsCalled: result.agentsCalled,
    usage: result.usage,
    costUsd: result.cost.totalUsd,
    cost: result.cost,
    durationMs: result.durationMs,
    ...(result.error ? { error: result.error.message } : {}),
    ...(result.failedAgent ? { failedAgent: result.failedAgent } : {}),
    startedAt: result.startedAt,
    ...(result.completedAt ? { completedAt: result.completedAt } : {}),
    eventCount: result.eventCount,
    links: runLinks(result.runId),
  };
}

/**
 * A stored run as JSON: its row (without the config), agents, final output or error, and
 * `budgetUsd`, the run's own spending limit when its team has one.
 */
export async function storedRunBody(
  server: ServerContext,
  run: StoredRun,
): Promise<Record<string, unknown>> {
  const events = await readAllEvents(server.store, run.runId);
  const { config: _config, ...row } = run;
  const end = events.findLast(({ event }) => event.type.startsWith("run_"))?.event;
  const budgetUsd = runBudgetUsd(run.config);
  return {
    ...row,
    ...(budgetUsd === undefined ? {} : { budgetUsd }),
    live: server.runs.get(run.runId) !== undefined,
    agents: storedAgents(events),
    ...(end?.type === "run_completed" ? { finalOutput: outputOf(end) } : {}),
    links: runLinks(run.runId),
  };
}

function outputOf(event: StreamEventJSON): unknown {
  return (event.data as { output?: unknown }).output;
}
