import { z } from "zod";
import type { GroupResult } from "../../groups/group-result.js";
import type { LLMGroup } from "../../groups/llm-group.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import type { GroupRun } from "../group-runs.js";
import { encodeSSE } from "../../events/sse.js";
import { runResultBody } from "../run-bodies.js";
import type { FedFrames } from "../run-event-feed.js";
import { mayUseTeam } from "../server-auth.js";
import type { ServerContext } from "../server-context.js";
import { sseResponse } from "../sse-response.js";
import { startAfter } from "./run-events-route.js";

const startBody = z.strictObject({
  input: z.union([z.record(z.string(), z.unknown()), z.string()], {
    error: 'input must be an object of named values, e.g. { "query": "..." }, or a string.',
  }),
});
const waitQuery = z.strictObject({ wait: z.enum(["true", "false"]).optional() });
const eventsQuery = z.strictObject({
  since: z.coerce.number().int().min(0, "since must be a sequence number, 0 or more.").optional(),
});

function groupLinks(groupId: string): Record<string, string> {
  return { self: `/groups/${groupId}`, runs: `/groups/${groupId}/runs` };
}

function groupRunLinks(runId: string): Record<string, string> {
  return {
    self: `/group-runs/${runId}`,
    events: `/group-runs/${runId}/events`,
    cancel: `/group-runs/${runId}/cancel`,
  };
}

function groupBody(group: LLMGroup): Record<string, unknown> {
  return {
    groupId: group.groupId,
    role: group.role,
    teams: group.teams.map(({ teamId, role }) => ({ teamId, role })),
    links: groupLinks(group.groupId),
  };
}

function groupResultBody(result: GroupResult): Record<string, unknown> {
  return {
    success: result.success,
    output: result.output,
    errors: result.errors,
    ...(result.error ? { error: result.error.message } : {}),
    durationMs: result.durationMs,
    cost: result.cost,
    teamResults: result.teamResults.map((team) => {
      const { links: _links, ...body } = runResultBody(team);
      return body;
    }),
    report: result.report.toJSON(),
  };
}

/** A group run as JSON: status, times, event count and, once ended, its result. */
function groupRunBody(run: GroupRun): Record<string, unknown> {
  return {
    ...groupRunSummary(run),
    ...(run.result ? groupResultBody(run.result) : {}),
    links: groupRunLinks(run.runId),
  };
}

/** A group run as `GET /group-runs` lists it (without its output and report). */
function groupRunSummary(run: GroupRun): Record<string, unknown> {
  return {
    runId: run.runId,
    groupId: run.groupId,
    status: run.status,
    live: run.status === "running",
    startedAt: new Date(run.startedAt).toISOString(),
    ...(run.endedAt === undefined ? {} : { endedAt: new Date(run.endedAt).toISOString() }),
    eventCount: run.events.length,
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.result ? { success: run.result.success } : {}),
    links: groupRunLinks(run.runId),
  };
}

/** A group run's events as SSE frames, one batch of frames per batch of events. */
async function* groupFrames(
  server: ServerContext,
  runId: string,
  after: number,
  signal: AbortSignal,
): AsyncGenerator<FedFrames> {
  for await (const events of server.groupRuns.feed(runId, after, signal)) {
    const text = events
      .map(({ seq, event }) => encodeSSE(event.type, seq, JSON.stringify(event)))
      .join("");
    yield { lastSeq: events.at(-1)!.seq, text };
  }
}

const groupOfParams = ({ params }: { params: Record<string, string> }) => params.groupId;
const groupOfRun = ({
  params,
  server,
}: {
  params: Record<string, string>;
  server: ServerContext;
}) => server.groupRuns.find(params.runId!).groupId;

/** `GET /groups`: the served groups the API key may use. */
const listGroups = defineRoute({
  method: "GET",
  path: "/groups",
  summary: "The served groups the API key may use (a key's team list names groups by id).",
  tag: "groups",
  scope: "read",
  responses: { 200: { description: "{ groups: [...] }" } },
  handle: ({ server, principal, context }) =>
    context.json({
      groups: server.teams
        .allGroups()
        .filter((group) => mayUseTeam(principal, group.groupId))
        .map(groupBody),
    }),
});

/** `GET /groups/:groupId`: a group with its role and teams. */
const getGroup = defineRoute({
  method: "GET",
  path: "/groups/:groupId",
  summary: "A group: its role and its teams with their roles.",
  tag: "groups",
  scope: "read",
  teamOf: groupOfParams,
  responses: { 200: { description: "The group." }, 404: { description: "Unknown group." } },
  handle: ({ params, server, context }) =>
    context.json(groupBody(server.teams.group(params.groupId!))),
});

/** `POST /groups/:groupId/runs`: run a group (202, or its result with ?wait=true). */
const startGroupRun = defineRoute<z.output<typeof startBody>, z.output<typeof waitQuery>>({
  method: "POST",
  path: "/groups/:groupId/runs",
  summary:
    "Run a group: 202 with the group run's id (follow /group-runs/{runId}/events); ?wait=true answers with the result. Group runs are kept in memory (not the run store).",
  tag: "groups",
  scope: "run",
  teamOf: groupOfParams,
  body: startBody,
  query: waitQuery,
  responses: {
    200: { description: "The group run with its result (?wait=true)." },
    202: { description: "The group run started." },
  },
  async handle({ params, body, query, server, context }) {
    const group = server.teams.group(params.groupId!);
    const input = typeof body.input === "string" ? { query: body.input } : body.input;
    const run = server.groupRuns.start(group, input);
    const headers = { location: `/group-runs/${run.runId}` };
    if (query.wait === "true") {
      await run.done;
      return context.json(groupRunBody(run), 200, headers);
    }
    return context.json(groupRunBody(run), 202, headers);
  },
});

/** `GET /group-runs`: the group runs this server keeps, newest first. */
const listGroupRuns = defineRoute({
  method: "GET",
  path: "/group-runs",
  summary: "The group runs this server keeps (live ones and the last ended ones), newest first.",
  tag: "groups",
  scope: "read",
  responses: { 200: { description: "{ groupRuns: [...] }" } },
  handle: ({ server, principal, context }) =>
    context.json({
      groupRuns: server.groupRuns
        .all()
        .filter((run) => mayUseTeam(principal, run.groupId))
        .map(groupRunSummary),
    }),
});

/** `GET /group-runs/:runId`: a group run, with its result once ended. */
const getGroupRun = defineRoute({
  method: "GET",
  path: "/group-runs/:runId",
  summary:
    "A group run: status and, once ended, its output, team results, errors, cost and report.",
  tag: "groups",
  scope: "read",
  teamOf: groupOfRun,
  responses: {
    200: { description: "The group run." },
    404: { description: "Unknown, or no longer kept." },
  },
  handle: ({ params, server, context }) =>
    context.json(groupRunBody(server.groupRuns.find(params.runId!))),
});

/** `GET /group-runs/:runId/events`: a group run's events as SSE (or JSON). */
const streamGroupRunEvents = defineRoute<undefined, z.output<typeof eventsQuery>>({
  method: "GET",
  path: "/group-runs/:runId/events",
  summary:
    "A group run's events (the group's and its teams') as Server-Sent Events, id: = sequence number; Last-Event-ID or ?since= resumes while the server keeps the run. Accept: application/json for a JSON array.",
  tag: "groups",
  scope: "read",
  teamOf: groupOfRun,
  query: eventsQuery,
  responses: {
    200: {
      description: "text/event-stream of the run's events.",
      contentType: "text/event-stream",
    },
    204: { description: "The run has ended and has no event after Last-Event-ID." },
    404: { description: "Unknown, or no longer kept." },
  },
  handle({ params, query, server, context }) {
    const run = server.groupRuns.find(params.runId!);
    const after = startAfter(context.req.header("last-event-id"), query.since);
    if ((context.req.header("accept") ?? "").includes("application/json")) {
      const events = run.events.filter((event) => event.seq > after);
      return context.json({
        runId: run.runId,
        events: events.map(({ seq, event }) => ({ ...event, seq })),
      });
    }
    const last = run.events.at(-1)?.seq ?? 0;
    if (run.status !== "running" && last <= after) return context.body(null, 204);
    const stop = new AbortController();
    const requestSignal = context.req.raw.signal;
    const onAbort = () => stop.abort();
    requestSignal.addEventListener("abort", onAbort, { once: true });
    return sseResponse(groupFrames(server, run.runId, after, stop.signal), {
      heartbeatMs: server.settings.heartbeatMs,
      signal: server.closing,
      onClose: () => {
        requestSignal.removeEventListener("abort", onAbort);
        stop.abort();
      },
    });
  },
});

/** `POST /group-runs/:runId/cancel`: cancel a live group run. */
const cancelGroupRun = defineRoute({
  method: "POST",
  path: "/group-runs/:runId/cancel",
  summary: "Cancel a live group run: its teams' model calls are aborted.",
  tag: "groups",
  scope: "run",
  teamOf: groupOfRun,
  responses: {
    200: { description: "The cancelled group run." },
    409: { description: "The run has ended." },
  },
  async handle({ params, server, context }) {
    const run = await server.groupRuns.cancel(
      params.runId!,
      "Cancelled with POST /group-runs/:runId/cancel.",
    );
    return context.json(groupRunBody(run));
  },
});

/** Routes of groups: list, read, run (wait or 202), group runs with their events (SSE) and result. */
export function groupRoutes(): ApiRoute[] {
  return [
    listGroups,
    getGroup,
    startGroupRun,
    listGroupRuns,
    getGroupRun,
    streamGroupRunEvents,
    cancelGroupRun,
  ];
}
