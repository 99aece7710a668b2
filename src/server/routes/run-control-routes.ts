import { z } from "zod";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import { cancelStoredRun } from "../../run/stored-run-control.js";
import { isEndedStatus } from "../../store/run-store-rows.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { runInHttpWords } from "../lifecycle-problem.js";
import type { LiveRun } from "../live-runs.js";
import { runLinks } from "../run-bodies.js";
import type { ServerContext } from "../server-context.js";
import { cancelQueued, pauseQueued, resumeQueued } from "./queued-run-handlers.js";
import { findRun, teamOfRun } from "./run-lookup.js";

const forceQuery = z.strictObject({ force: z.enum(["true", "false"]).optional() });

/** A run's answer to cancel, pause and resume: its id, status and links. */
function controlBody(runId: string, status: string): Record<string, unknown> {
  return { runId, status, links: runLinks(runId) };
}

/**
 * Resumes a run paused in this process.
 * @throws HttpProblem 409 when it is not paused, or its lifecycle refuses.
 */
function resumeLive(live: LiveRun): Record<string, unknown> {
  if (live.handle.state !== "paused") {
    throw new HttpProblem(
      409,
      `Run ${live.runId} is ${live.handle.state}, not paused; there is nothing to resume.`,
    );
  }
  try {
    live.handle.resume();
  } catch (error) {
    if (!LifecycleError.isInstance(error)) throw error;
    throw new HttpProblem(409, runInHttpWords(error.message, live.runId), { cause: error });
  }
  return controlBody(live.runId, "running");
}

/**
 * Resumes a stored run in this process from its last durable step. A run the store says is
 * still running somewhere (not `interrupted`) needs `force`.
 * @throws HttpProblem 404 for an unknown run; 409 when it has ended, or may run elsewhere.
 */
async function resumeStored(
  server: ServerContext,
  runId: string,
  force: boolean,
): Promise<Record<string, unknown>> {
  const run = await findRun(server, runId);
  if (isEndedStatus(run.status)) {
    throw new HttpProblem(
      409,
      `Run ${run.runId} has ${run.status}; an ended run cannot be resumed.`,
    );
  }
  if (run.status !== "interrupted" && !force) {
    throw new HttpProblem(
      409,
      `Run ${run.runId} is ${run.status} in the run store and not live in this server: another process may be running it (resume it there). If that process died, resume it here with POST /runs/${run.runId}/resume?force=true.`,
    );
  }
  const resumed = await server.runs.resume(server.teams.team(run.teamId), run);
  return controlBody(resumed.runId, "running");
}

/** `POST /runs/:runId/cancel`: a live run stops; a queued or parked one is marked cancelled. */
const cancelRun = defineRoute({
  method: "POST",
  path: "/runs/:runId/cancel",
  summary: "Cancel a run: a live one stops its model call; a parked one is marked cancelled.",
  tag: "runs",
  scope: "run",
  teamOf: teamOfRun,
  responses: {
    200: { description: "Cancelled (or requested)." },
    409: { description: "The run has ended." },
  },
  async handle({ params, server, context }) {
    const runId = params.runId!;
    const live = server.runs.get(runId);
    if (live) {
      const result = await live.handle.cancel("Cancelled with POST /runs/:runId/cancel.");
      return context.json(controlBody(live.runId, result.status));
    }
    if (server.queue) {
      const cancelled = await cancelQueued(server, server.queue, runId);
      return context.json({ ...cancelled, links: runLinks(cancelled.runId) });
    }
    const run = await findRun(server, runId);
    const cancelled = await cancelStoredRun(server.store, run, {
      now: Date.now(),
      how: "POST /runs/:runId/cancel",
    });
    if (!cancelled.ok) throw new HttpProblem(409, cancelled.message);
    const status = cancelled.outcome === "requested" ? "cancel_requested" : "cancelled";
    return context.json(controlBody(run.runId, status));
  },
});

/** `POST /runs/:runId/pause`: a live run (or one on a worker) pauses at its next step. */
const pauseRun = defineRoute({
  method: "POST",
  path: "/runs/:runId/pause",
  summary: "Pause a live run at its next step boundary (between agents or tool rounds).",
  tag: "runs",
  scope: "run",
  teamOf: teamOfRun,
  responses: {
    200: { description: "Paused." },
    409: { description: "Not running in this server, or ended." },
  },
  async handle({ params, server, context }) {
    const runId = params.runId!;
    const live = server.runs.get(runId);
    if (!live && server.queue) {
      const paused = await pauseQueued(server, server.queue, runId);
      return context.json({ ...paused, links: runLinks(paused.runId) });
    }
    if (!live) {
      const run = await findRun(server, runId);
      throw new HttpProblem(
        409,
        `Run ${run.runId} is ${run.status} and not running in this server; only a live run can be paused.`,
      );
    }
    await live.handle.pause();
    return context.json(controlBody(live.runId, live.handle.state));
  },
});

/** `POST /runs/:runId/resume`: a paused live run goes on; a stored one restarts here. */
const resumeRun = defineRoute<undefined, z.output<typeof forceQuery>>({
  method: "POST",
  path: "/runs/:runId/resume",
  summary:
    "Resume a paused run, or a stored run no process runs (interrupted, parked) from its last durable step. A stored run that another process may still run (running, paused, waiting_approval) needs ?force=true: use it only when that process died.",
  tag: "runs",
  scope: "run",
  teamOf: teamOfRun,
  query: forceQuery,
  responses: {
    200: { description: "Resumed." },
    409: { description: "Running already (here, or maybe in another process), or ended." },
  },
  async handle({ params, query, server, context }) {
    const runId = params.runId!;
    const force = query.force === "true";
    const live = server.runs.get(runId);
    if (live) return context.json(resumeLive(live));
    if (server.queue) {
      server.runs.assertAccepting();
      const resumed = await resumeQueued(server, server.queue, runId, force);
      return context.json({ ...resumed, links: runLinks(resumed.runId) });
    }
    return context.json(await resumeStored(server, runId, force));
  },
});

/** Routes that control a run: cancel, pause, resume (live here, on a worker, or stored). */
export function runControlRoutes(): ApiRoute[] {
  return [cancelRun, pauseRun, resumeRun];
}
