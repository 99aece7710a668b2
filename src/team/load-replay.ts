import { ConfigError } from "../errors/config-error.js";
import { LifecycleError } from "../errors/lifecycle-error.js";
import { RunReplay } from "../run/run-replay.js";
import type { RunStore, StoredRun, StoredRunStatus } from "../store/run-store.js";
import { hashConfig } from "./lifecycle/run-snapshot.js";
import type { TeamConfig } from "./team-config.js";

/** Stored runs that can go on: every status but the three ends. */
const RESUMABLE: ReadonlySet<StoredRunStatus> = new Set([
  "running",
  "paused",
  "waiting_approval",
  "interrupted",
]);

/**
 * Reads what a resumed run starts from: the stored run, its log, snapshot and decisions.
 * @throws ConfigError for an unknown run, a run of another team, or a team whose agents or
 *   flow changed since the run started (the rule in docs/durable-runs.md).
 * @throws LifecycleError for a run that has ended (completed, failed or cancelled).
 */
export async function loadReplay(
  store: RunStore,
  runId: string,
  teamId: string,
  config: TeamConfig,
): Promise<RunReplay> {
  const run = await store.getRun(runId);
  if (!run) throw new ConfigError(await unknownRunMessage(store, runId, teamId));
  if (run.teamId !== teamId) {
    throw new ConfigError(
      `Run "${runId}" belongs to team "${run.teamId}", not "${teamId}". Resume it with that team.`,
    );
  }
  if (!RESUMABLE.has(run.status)) {
    throw new LifecycleError(
      run.status,
      "running",
      `Run "${runId}" has ${run.status === "completed" ? "completed" : `ended (${run.status})`}; only running, paused, waiting or interrupted runs resume.`,
    );
  }
  checkCompatible(run, config);
  const [events, snapshot, decisions] = await Promise.all([
    store.readEvents(runId),
    store.readSnapshot(runId),
    store.readDecisions(runId),
  ]);
  return new RunReplay({ run, events, snapshot, decisions });
}

async function unknownRunMessage(store: RunStore, runId: string, teamId: string): Promise<string> {
  const resumable = await store.listRuns({ teamId, status: [...RESUMABLE], limit: 5 });
  const known = resumable.map((run) => run.runId);
  return `No run "${runId}" in the run store. ${known.length > 0 ? `Runs of team "${teamId}" that can resume: ${known.join(", ")}.` : `Team "${teamId}" has no run that can resume.`} List runs with: llmteam runs list`;
}

/**
 * A run resumes with the configuration it started with, or one that keeps its agents (ids, in
 * order) and its flow: prompts, models and limits may change, and the remaining steps use them.
 * @throws ConfigError naming what changed.
 */
function checkCompatible(run: StoredRun, config: TeamConfig): void {
  if (run.configHash === hashConfig(config)) return;
  const stored = run.config as Partial<TeamConfig> | undefined;
  const before = (stored?.agents ?? []).map((agent) => agent.role);
  const now = (config.agents ?? []).map((agent) => agent.role);
  const problems: string[] = [];
  if (before.join(",") !== now.join(","))
    problems.push(`its agents were ${before.join(", ")}; now they are ${now.join(", ")}`);
  if (JSON.stringify(stored?.flow) !== JSON.stringify(config.flow))
    problems.push(
      `its flow was ${JSON.stringify(stored?.flow)}; now it is ${JSON.stringify(config.flow)}`,
    );
  if (Boolean(stored?.orchestration) !== Boolean(config.orchestration))
    problems.push(
      `it ran ${stored?.orchestration ? "with" : "without"} the router (orchestration); now the team runs ${config.orchestration ? "with" : "without"} it`,
    );
  if (problems.length === 0) return;
  throw new ConfigError(
    `Run "${run.runId}" cannot resume with this team: ${problems.join("; ")}. A run resumes with the same agents (in the same order) and flow; prompts, models and limits may change.`,
  );
}
