import type { ErrorInfo, RunStatus } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";
import { RunReport } from "../run/report/run-report.js";
import type { RunResult } from "../run/run-result.js";
import type { GroupRole } from "./group-config.js";

/** A team's failure in a group run. */
export interface GroupTeamError {
  teamId: string;
  error: ErrorInfo;
}

/** What a group run produced. */
export interface GroupResult {
  groupId: string;
  runId: string;
  role: GroupRole;
  /** True when the group completed: every team it needed succeeded (or a fallback did in its place). */
  success: boolean;
  status: RunStatus | "running";
  /**
   * The group's answer: by team id (report_collector), the last team's output (coordinator,
   * router), the merged outputs (aggregator), the chosen or synthesised output (arbiter).
   * Set from what the teams produced even when some failed.
   */
  output: unknown;
  /** Each team run, in the order they finished (a fallback's run included). */
  teamResults: RunResult[];
  /** The group's report with a section per team run: `report.toMarkdown()`, `report.toJSON()`. */
  report: RunReport;
  /** Every team failure, recovered by a fallback or not. */
  errors: GroupTeamError[];
  /** Why the group did not complete. */
  error?: Error;
  durationMs: number;
  /** Tokens of every team and of the orchestrator; USD when a cost layer reported it. */
  cost: { usage: Usage; totalUsd: number | undefined };
  /** The group's own run (teams as steps, routing decisions), folded from its events. */
  run: RunResult;
}

/** Builds a group's result from its own run and its teams' runs. */
export function groupResultOf(
  run: RunResult,
  role: GroupRole,
  output: unknown,
  teamResults: RunResult[],
  errors: GroupTeamError[],
): GroupResult {
  const own = run.report;
  const report = new RunReport({
    ...own.toJSON(),
    sections: teamResults.map((team) => ({
      title: `Team ${team.teamId}`,
      report: team.report.toJSON(),
    })),
  });
  const result: GroupResult = {
    groupId: run.teamId,
    runId: run.runId,
    role,
    success: run.success,
    status: run.status,
    output,
    teamResults,
    report,
    errors,
    durationMs: run.durationMs,
    cost: { usage: run.usage, totalUsd: own.costUsd },
    run,
  };
  if (run.error) result.error = run.error;
  return result;
}

/** What a group run's flow found while it ran: the pieces of its {@link GroupResult}. */
export interface GroupRunState {
  output: unknown;
  teamResults: RunResult[];
  errors: GroupTeamError[];
}

/** An empty {@link GroupRunState}, for a run about to start. */
export function newGroupRunState(): GroupRunState {
  return { output: undefined, teamResults: [], errors: [] };
}
