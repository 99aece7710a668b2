import type { Context } from "hono";
import { z } from "zod";
import { STORED_RUN_STATUSES } from "../../store/run-store-rows.js";
import type { StoredRunStatus } from "../../store/run-store.js";
import type { LLMTeam } from "../../team/llm-team.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { lifecycleProblem } from "../lifecycle-problem.js";
import { runLinks, runResultBody, storedRunBody } from "../run-bodies.js";
import type { Principal } from "../server-auth.js";
import type { ServerContext } from "../server-context.js";
import { runEventsRoute } from "./run-events-route.js";
import { approvalRoutes } from "./approval-routes.js";
import { findAnyRun, findRun, teamOfRun } from "./run-lookup.js";
import type { QueuedRuns } from "../queued-runs.js";
import { queuedRunBody, startQueued } from "./queued-run-handlers.js";
import { runControlRoutes } from "./run-control-routes.js";

const runInputSchema = z.union([z.record(z.string(), z.unknown()), z.string()], {
  error: 'input must be an object of named values, e.g. { "query": "..." }, or a string.',
});

const startRunBody = z.strictObject({ input: runInputSchema });
const waitQuery = z.strictObject({ wait: z.enum(["true", "false"]).optional() });

const listQuery = z.strictObject({
  status: z.enum(["queued", ...STORED_RUN_STATUSES] as [string, ...string[]]).optional(),
  teamId: z.string().min(1).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

type ListQuery = z.output<typeof listQuery>;

/** A run to start, as `POST /teams/:teamId/runs` asked for it. */
interface RunRequest {
  team: LLMTeam;
  input: Record<string, unknown>;
  options: { idempotencyKey: string | undefined; keyId: string | undefined };
  /** `?wait=true`: answer with the result instead of 202. */
  wait: boolean;
}

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

/**
 * The request's `Idempotency-Key` header, if it has one.
 * @throws HttpProblem 400 when it is empty or longer than 255 characters.
 */
function idempotencyKeyOf(context: Context): string | undefined {
  const key = context.req.header("idempotency-key");
  if (key !== undefined && (key.length === 0 || key.length > 255)) {
    throw new HttpProblem(400, "The Idempotency-Key header must be 1 to 255 characters.");
  }
  return key;
}

/** Queues the run for a worker (a server with a queue) and answers as `startQueued` says. */
async function answerQueuedStart(
  server: ServerContext,
  context: Context,
  request: RunRequest,
): Promise<Response> {
  const { team, input, options, wait } = request;
  const waited = wait ? untilShutdown : undefined;
  const { status, body, headers } = await startQueued(server, team, input, options, waited);
  return context.json(body, status, headers);
}

/**
 * Starts the run in this process: 202 with its links (200 for a run a repeated key names), or
 * with `wait`, its result once it ends.
 */
async function answerLocalStart(
  server: ServerContext,
  context: Context,
  request: RunRequest,
): Promise<Response> {
  const { team, input, options, wait } = request;
  const started = await server.runs.start(team, input, options).catch((error: unknown) => {
    throw lifecycleProblem(error, team.teamId);
  });
  const headers = { location: `/runs/${started.runId}` };
  if (wait) {
    if (started.live) {
      const result = await untilShutdown(started.live.handle.result, server, started.runId);
      return context.json(runResultBody(result), 200, headers);
    }
    const run = await findRun(server, started.runId);
    return context.json(await storedRunBody(server, run), 200, headers);
  }
  const body = {
    runId: started.runId,
    teamId: team.teamId,
    status: "running",
    created: started.created,
    links: runLinks(started.runId),
  };
  return context.json(body, started.created ? 202 : 200, headers);
}

/** Queued runs not started yet, as rows of `GET /runs` (only when the filters admit them). */
async function queuedRows(queue: QueuedRuns, query: ListQuery): Promise<Record<string, unknown>[]> {
  const fromQueue = [undefined, "queued", "paused", "failed"];
  if (!fromQueue.includes(query.status)) return [];
  const since = query.since === undefined ? 0 : Date.parse(query.since);
  const runs = await queue.queuedRuns({ teamId: query.teamId, limit: query.limit ?? 100 });
  return runs
    .filter(
      (run) =>
        run.createdAt >= since && (query.status === undefined || run.status === query.status),
    )
    .map((run) => ({ ...run, live: false, links: runLinks(run.runId) }));
}

/** Stored runs as rows of `GET /runs`, without their config (none for `?status=queued`). */
async function storedRows(
  server: ServerContext,
  query: ListQuery,
): Promise<Record<string, unknown>[]> {
  if (query.status === "queued") return [];
  const runs = await server.store.listRuns({
    status: query.status as StoredRunStatus | undefined,
    teamId: query.teamId,
    since: query.since === undefined ? undefined : Date.parse(query.since),
    limit: query.limit,
  });
  return runs.map(({ config: _config, ...row }) => ({
    ...row,
    live: server.runs.get(row.runId) !== undefined,
    links: runLinks(row.runId),
  }));
}

/**
 * The queue's rows of `GET /runs`, none without a queue. With Redis down the stored runs still
 * list: the queued ones are left out, and `problem` says why.
 */
async function queueRowsOrProblem(
  server: ServerContext,
  query: ListQuery,
): Promise<{ rows: Record<string, unknown>[]; problem?: string }> {
  if (!server.queue) return { rows: [] };
  try {
    return { rows: await queuedRows(server.queue, query) };
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { rows: [], problem: error.message };
  }
}

/** The rows the key may see (its teams), newest first, at most `limit` (default 100). */
function visibleRows(
  rows: Record<string, unknown>[],
  principal: Principal,
  limit: number | undefined,
): Record<string, unknown>[] {
  return rows
    .filter((row) => principal.teams === undefined || principal.teams.has(String(row.teamId)))
    .sort((left, right) => Number(right.createdAt) - Number(left.createdAt))
    .slice(0, limit ?? 100);
}

/** `POST /teams/:teamId/runs`: start a run (queued when workers execute runs). */
const startRun = defineRoute<z.output<typeof startRunBody>, z.output<typeof waitQuery>>({
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
      description: "The run's result (?wait=true), or the run a repeated Idempotency-Key names.",
    },
    202: { description: "The run started; follow it at links.events." },
  },
  async handle({ params, body, query, server, principal, context }) {
    const team = server.teams.team(params.teamId!);
    const input = typeof body.input === "string" ? { query: body.input } : body.input;
    const idempotencyKey = idempotencyKeyOf(context);
    team.validate(Object.keys(input));
    const request: RunRequest = {
      team,
      input,
      options: { idempotencyKey, keyId: principal.keyId },
      wait: query.wait === "true",
    };
    return server.queue
      ? answerQueuedStart(server, context, request)
      : answerLocalStart(server, context, request);
  },
});

/** `GET /runs`: stored and queued runs the key may see, newest first. */
const listRuns = defineRoute<undefined, ListQuery>({
  method: "GET",
  path: "/runs",
  summary: "List stored runs, newest first (filters: status, teamId, since, limit).",
  tag: "runs",
  scope: "read",
  query: listQuery,
  responses: { 200: { description: "{ runs: [...] }" } },
  async handle({ query, server, principal, context }) {
    const stored = await storedRows(server, query);
    const queued = await queueRowsOrProblem(server, query);
    return context.json({
      runs: visibleRows([...queued.rows, ...stored], principal, query.limit),
      ...(queued.problem === undefined ? {} : { queueUnavailable: queued.problem }),
    });
  },
});

/** `GET /runs/:runId`: one run, stored or still queued. */
const getRun = defineRoute({
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
});

/** Routes of runs: start, list, read, cancel, pause, resume, approvals, events. */
export function runRoutes(): ApiRoute[] {
  return [startRun, listRuns, getRun, ...runControlRoutes(), ...approvalRoutes(), runEventsRoute()];
}
