import { z } from "zod";
import { cancelStoredRun } from "../../run/stored-run-control.js";
import { isEndedStatus, STORED_RUN_STATUSES } from "../../store/run-store-rows.js";
import type { StoredRunStatus } from "../../store/run-store.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import { lifecycleProblem, runInHttpWords } from "../lifecycle-problem.js";
import { runLinks, runResultBody, storedRunBody } from "../run-bodies.js";
import type { ServerContext } from "../server-context.js";
import { runEventsRoute } from "./run-events-route.js";
import { approvalRoutes } from "./approval-routes.js";
import { findAnyRun, findRun, teamOfRun } from "./run-lookup.js";
import type { QueuedRuns } from "../queued-runs.js";
import {
  cancelQueued,
  pauseQueued,
  queuedRunBody,
  resumeQueued,
  startQueued,
} from "./queued-run-handlers.js";

const runInputSchema = z.union([z.record(z.string(), z.unknown()), z.string()], {
  error: 'input must be an object of named values, e.g. { "query": "..." }, or a string.',
});

const startRunBody = z.strictObject({ input: runInputSchema });
const waitQuery = z.strictObject({ wait: z.enum(["true", "false"]).optional() });
const forceQuery = z.strictObject({ force: z.enum(["true", "false"]).optional() });

const listQuery = z.strictObject({
  status: z.enum(["queued", ...STORED_RUN_STATUSES] as [string, ...string[]]).optional(),
  teamId: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * The run's result, or a 503 once the server shuts down first (the run is parked in the store,
 * and the next server resumes it).
 */
function untilShutdown<T>(result: Promise<T>, server: ServerContext, runId: string): Promise<T> {
  const stopped = new Promise<never>((_, reject) => {
    const onClose = () =>
      reject(
        new HttpProblem(
          503,
          `The server shut down before run ${runId} ended; it is stored and the next server resumes it with POST /runs/${runId}/resume.`,
          { extra: { runId, links: runLinks(runId) }, headers: { "retry-after": "5" } },
        ),
      );
    if (server.closing.aborted) onClose();
    else server.closing.addEventListener("abort", onClose, { once: true });
    void result.finally(() => server.closing.removeEventListener("abort", onClose)).catch(() => {});
  });
  stopped.catch(() => {});
  return Promise.race([result, stopped]);
}

/** Queued runs not started yet, as rows of `GET /runs` (only when the filters admit them). */
async function queuedRows(
  queue: QueuedRuns,
  query: z.output<typeof listQuery>,
): Promise<Record<string, unknown>[]> {
  if (query.status !== undefined && query.status !== "queued" && query.status !== "paused")
    return [];
  const since = query.since === undefined ? 0 : Date.parse(query.since);
  const runs = await queue.queuedRuns({ teamId: query.teamId, limit: query.limit ?? 100 });
  return runs
    .filter(
      (run) =>
        run.createdAt >= since && (query.status === undefined || run.status === query.status),
    )
    .map((run) => ({ ...run, live: false, links: runLinks(run.runId) }));
}

/** Routes of runs: start, list, read, cancel, pause, resume, approvals, events. */
export function runRoutes(): ApiRoute[] {
  const routes = [
    defineRoute<z.output<typeof startRunBody>, z.output<typeof waitQuery>>({
      method: "POST",
      path: "/teams/:teamId/runs",
      summary:
        "Start a run of a team. 202 with the run id; ?wait=true answers with the result. An Idempotency-Key header returns the same run for a repeated request.",
      tag: "runs",
      scope: "run",
      teamOf: ({ params }) => params.teamId,
      body: startRunBody,
      query: waitQuery,
      responses: {
        200: {
          description:
            "The run's result (?wait=true), or the run a repeated Idempotency-Key names.",
        },
        202: { description: "The run started; follow it at links.events." },
      },
      async handle({ params, body, query, server, principal, context }) {
        const team = server.teams.team(params.teamId!);
        const input = typeof body.input === "string" ? { query: body.input } : body.input;
        const key = context.req.header("idempotency-key");
        if (key !== undefined && (key.length === 0 || key.length > 255)) {
          throw new HttpProblem(400, "The Idempotency-Key header must be 1 to 255 characters.");
        }
        team.validate(Object.keys(input));
        if (server.queue) {
          const options = { idempotencyKey: key, keyId: principal.keyId };
          const waited = query.wait === "true" ? untilShutdown : undefined;
          const {
            status,
            body: answer,
            headers,
          } = await startQueued(server, team, input, options, waited);
          return context.json(answer, status, headers);
        }
        const started = await server.runs
          .start(team, input, { idempotencyKey: key, keyId: principal.keyId })
          .catch((error: unknown) => {
            throw lifecycleProblem(error, team.teamId);
          });
        const headers = { location: `/runs/${started.runId}` };
        if (query.wait === "true") {
          if (started.live) {
            const result = await untilShutdown(started.live.handle.result, server, started.runId);
            return context.json(runResultBody(result), 200, headers);
          }
          const run = await findRun(server, started.runId);
          return context.json(await storedRunBody(server, run), 200, headers);
        }
        const body202 = {
          runId: started.runId,
          teamId: team.teamId,
          status: "running",
          created: started.created,
          links: runLinks(started.runId),
        };
        return context.json(body202, started.created ? 202 : 200, headers);
      },
    }),
    defineRoute<undefined, z.output<typeof listQuery>>({
      method: "GET",
      path: "/runs",
      summary: "List stored runs, newest first (filters: status, teamId, since, limit).",
      tag: "runs",
      scope: "read",
      query: listQuery,
      responses: { 200: { description: "{ runs: [...] }" } },
      async handle({ query, server, principal, context }) {
        const onlyQueued = query.status === "queued";
        const runs = onlyQueued
          ? []
          : await server.store.listRuns({
              status: query.status as StoredRunStatus | undefined,
              teamId: query.teamId,
              since: query.since === undefined ? undefined : Date.parse(query.since),
              limit: query.limit,
            });
        const rows: Record<string, unknown>[] = runs.map(({ config: _config, ...row }) => ({
          ...row,
          live: server.runs.get(row.runId) !== undefined,
          links: runLinks(row.runId),
        }));
        // Redis down: the stored runs still list; the queued ones are left out, and it says so.
        let queueProblem: string | undefined;
        const queued = server.queue
          ? await queuedRows(server.queue, query).catch((error: unknown) => {
              if (!(error instanceof HttpProblem)) throw error;
              queueProblem = error.message;
              return [];
            })
          : [];
        const visible = [...queued, ...rows]
          .filter((row) => principal.teams === undefined || principal.teams.has(String(row.teamId)))
          .sort((left, right) => Number(right.createdAt) - Number(left.createdAt))
          .slice(0, query.limit ?? 100);
        return context.json({
          runs: visible,
          ...(queueProblem === undefined ? {} : { queueUnavailable: queueProblem }),
        });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/runs/:runId",
      summary: "A run: status, totals, agents with outputs, final output.",
      tag: "runs",
      scope: "read",
      teamOf: teamOfRun,
      responses: { 200: { description: "The run." }, 404: { description: "Unknown run." } },
      async handle({ params, server, context }) {
        const run = await findAnyRun(server, params.runId!);
        return context.json(
          "configHash" in run ? await storedRunBody(server, run) : queuedRunBody(run),
        );
      },
    }),
    defineRoute({
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
        const live = server.runs.get(params.runId!);
        if (live) {
          const result = await live.handle.cancel("Cancelled with POST /runs/:runId/cancel.");
          return context.json({
            runId: live.runId,
            status: result.status,
            links: runLinks(live.runId),
          });
        }
        if (server.queue) {
          const cancelled = await cancelQueued(server, server.queue, params.runId!);
          return context.json({ ...cancelled, links: runLinks(cancelled.runId) });
        }
        const run = await findRun(server, params.runId!);
        const cancelled = await cancelStoredRun(server.store, run, {
          now: Date.now(),
          how: "POST /runs/:runId/cancel",
        });
        if (!cancelled.ok) throw new HttpProblem(409, cancelled.message);
        const status = cancelled.outcome === "requested" ? "cancel_requested" : "cancelled";
        return context.json({ runId: run.runId, status, links: runLinks(run.runId) });
      },
    }),
    defineRoute({
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
        const live = server.runs.get(params.runId!);
        if (!live && server.queue) {
          const paused = await pauseQueued(server, server.queue, params.runId!);
          return context.json({ ...paused, links: runLinks(paused.runId) });
        }
        if (!live) {
          const run = await findRun(server, params.runId!);
          throw new HttpProblem(
            409,
            `Run ${run.runId} is ${run.status} and not running in this server; only a live run can be paused.`,
          );
        }
        await live.handle.pause();
        return context.json({
          runId: live.runId,
          status: live.handle.state,
          links: runLinks(live.runId),
        });
      },
    }),
    defineRoute<undefined, z.output<typeof forceQuery>>({
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
        const live = server.runs.get(params.runId!);
        if (live) {
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
          return context.json({
            runId: live.runId,
            status: "running",
            links: runLinks(live.runId),
          });
        }
        if (server.queue) {
          server.runs.assertAccepting();
          const force = query.force === "true";
          const resumed = await resumeQueued(server, server.queue, params.runId!, force);
          return context.json({ ...resumed, links: runLinks(resumed.runId) });
        }
        const run = await findRun(server, params.runId!);
        if (isEndedStatus(run.status)) {
          throw new HttpProblem(
            409,
            `Run ${run.runId} has ${run.status}; an ended run cannot be resumed.`,
          );
        }
        if (run.status !== "interrupted" && query.force !== "true") {
          throw new HttpProblem(
            409,
            `Run ${run.runId} is ${run.status} in the run store and not live in this server: another process may be running it (resume it there). If that process died, resume it here with POST /runs/${run.runId}/resume?force=true.`,
          );
        }
        const resumed = await server.runs.resume(server.teams.team(run.teamId), run);
        return context.json({
          runId: resumed.runId,
          status: "running",
          links: runLinks(resumed.runId),
        });
      },
    }),
    ...approvalRoutes(),
    runEventsRoute(),
  ];
  return routes;
}
