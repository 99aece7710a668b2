import { isEndedStatus } from "../../store/run-store-rows.js";
import type { StoredRun } from "../../store/run-store.js";
import type { LLMTeam } from "../../team/llm-team.js";
import {
  cancelQueuedRun,
  pauseQueuedRun,
  resumeQueuedRun,
  type QueuedControlRefusal,
} from "../../worker/queued-run-control.js";
import { HttpProblem } from "../http-problem.js";
import type { QueuedOnlyRun, QueuedRuns } from "../queued-runs.js";
import { runLinks, storedRunBody } from "../run-bodies.js";
import type { ServerContext } from "../server-context.js";

/** The handlers of the run routes when workers execute the runs (`createServer({ queue })`). */

/** A run's row from the store, else from the queue (queued, not started); a 404 when neither has it. */
export async function findQueuedRun(
  server: ServerContext,
  queue: QueuedRuns,
  runId: string,
): Promise<StoredRun | QueuedOnlyRun> {
  const run = await queue.find(runId);
  if (run) return run;
  throw new HttpProblem(404, `Unknown run "${runId}". List runs with GET /runs.`);
}

/** A queued-only run as `GET /runs/:runId` answers it. */
export function queuedRunBody(run: QueuedOnlyRun): Record<string, unknown> {
  return {
    ...run,
    lastSeq: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    live: false,
    agents: [],
    links: runLinks(run.runId),
  };
}

/**
 * `POST /teams/:teamId/runs` on a queue-backed server: queues the run and answers 202 (200 for a
 * run a repeated `Idempotency-Key` names); with `waitUntil` (`?wait=true`), waits for its job to
 * finish (or the server to shut down) and answers with the stored run.
 */
export async function startQueued(
  server: ServerContext,
  team: LLMTeam,
  input: Record<string, unknown>,
  options: { idempotencyKey: string | undefined; keyId: string | undefined },
  waitUntil?: <T>(result: Promise<T>, server: ServerContext, runId: string) => Promise<T>,
): Promise<{ status: 200 | 202; body: Record<string, unknown>; headers: Record<string, string> }> {
  const queue = server.queue!;
  server.runs.assertAccepting();
  const queued = await queue.enqueue(team, input, options);
  const headers = { location: `/runs/${queued.runId}` };
  if (waitUntil) {
    await waitUntil(queue.finished(queued.runId), server, queued.runId);
    const run = await findQueuedRun(server, queue, queued.runId);
    const body = "configHash" in run ? await storedRunBody(server, run) : queuedRunBody(run);
    return { status: 200, body, headers };
  }
  const body = {
    runId: queued.runId,
    teamId: team.teamId,
    status: "queued",
    created: queued.created,
    links: runLinks(queued.runId),
  };
  return { status: queued.created ? 202 : 200, body, headers };
}

/** `POST /runs/:runId/cancel` of a run on a worker (or still in the queue). */
export async function cancelQueued(
  server: ServerContext,
  queue: QueuedRuns,
  runId: string,
): Promise<{ runId: string; status: string }> {
  const how = "POST /runs/:runId/cancel";
  const queuedOnly = await queue.queuedOnly(runId);
  const outcome = await queue.answer("cancel", () =>
    cancelQueuedRun(queue.queue, server.store, runId, { how, waitMs: 5_000 }),
  );
  if (!outcome.ok) throw refusalProblem(outcome);
  if (outcome.outcome === "removed" && queuedOnly) {
    return { runId, status: await recordCancelled(server, queuedOnly, how) };
  }
  return { runId, status: outcome.outcome === "requested" ? "cancel_requested" : "cancelled" };
}

/** `POST /runs/:runId/pause` of a run on a worker. */
export async function pauseQueued(
  server: ServerContext,
  queue: QueuedRuns,
  runId: string,
): Promise<{ runId: string; status: string }> {
  const outcome = await queue.answer("pause", () =>
    pauseQueuedRun(queue.queue, server.store, runId, { waitMs: 4_000 }),
  );
  if (!outcome.ok) throw refusalProblem(outcome);
  return { runId, status: outcome.status };
}

/** `POST /runs/:runId/resume` of a run on a worker, or parked with no worker holding it. */
export async function resumeQueued(
  server: ServerContext,
  queue: QueuedRuns,
  runId: string,
  force: boolean,
): Promise<{ runId: string; status: string }> {
  const outcome = await queue.answer("resume", () =>
    resumeQueuedRun(queue.queue, server.store, runId, { force }),
  );
  if (!outcome.ok) throw refusalProblem(outcome);
  return { runId, status: outcome.status };
}

/**
 * A run cancelled before any worker took it is stored `cancelled` all the same (started and
 * cancelled at once by the server's copy of the team: no step runs), so that `GET /runs/:id`
 * and the run's events say what happened to it.
 */
async function recordCancelled(
  server: ServerContext,
  queued: QueuedOnlyRun,
  how: string,
): Promise<string> {
  let team: LLMTeam;
  try {
    team = server.teams.team(queued.teamId);
  } catch {
    return "cancelled"; // a team this server does not serve: the job is gone, nothing to store
  }
  const handle = team.start(queued.input, { runId: queued.runId });
  const result = await handle.cancel(`Cancelled with ${how} before a worker took it.`);
  return isEndedStatus(result.status) ? result.status : "cancelled";
}

function refusalProblem(refusal: QueuedControlRefusal): HttpProblem {
  return new HttpProblem(refusal.reason === "unknown" ? 404 : 409, refusal.message);
}
