import { z } from "zod";
import { LLMTeamError } from "../../errors/llmteam-error.js";
import { isEndedStatus } from "../../store/run-store-rows.js";
import type { RunHandle } from "../../team/lifecycle/run-handle.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { runEventFeed } from "../run-event-feed.js";
import type { ServerContext } from "../server-context.js";
import { sseResponse } from "../sse-response.js";
import { readAllEvents } from "../../store/read-all-events.js";

const eventsQuery = z.strictObject({
  since: z.coerce.number().int().min(0, "since must be a sequence number, 0 or more.").optional(),
});

/** A decision on an approval of a run live in this process. */
export interface LiveDecision {
  action: "approve" | "reject" | "answer";
  approvalId: string;
  reason?: string | undefined;
  value?: unknown;
}

/**
 * Decides an approval of a live run.
 * @throws HttpProblem 409 when it is not pending (decided already, or never asked), 422 when a
 * human task's answer does not match its form.
 */
export function decideLive(handle: RunHandle, decision: LiveDecision): void {
  const pending = handle.pendingApprovals.map((approval) => approval.approvalId);
  if (!pending.includes(decision.approvalId)) {
    throw new HttpProblem(
      409,
      `Approval "${decision.approvalId}" of run ${handle.runId} is not pending (decided already, or never asked). Pending: ${pending.join(", ") || "none"}.`,
    );
  }
  try {
    if (decision.action === "approve") handle.approve(decision.approvalId);
    else if (decision.action === "reject")
      handle.reject(decision.approvalId, decision.reason ?? "Rejected.");
    else handle.answer(decision.approvalId, decision.value);
  } catch (error) {
    if (LLMTeamError.isInstance(error)) throw new HttpProblem(422, error.message, { cause: error });
    throw error;
  }
}

/** The `Last-Event-ID` header or `?since=`, whichever is later; 0 when neither. */
export function startAfter(header: string | undefined, since: number | undefined): number {
  const fromHeader = header === undefined || header.trim() === "" ? 0 : Number(header);
  if (!Number.isSafeInteger(fromHeader) || fromHeader < 0) {
    throw new HttpProblem(
      400,
      `Last-Event-ID must be an event's sequence number (0 or more), not "${header}".`,
    );
  }
  return Math.max(fromHeader, since ?? 0);
}

/** `GET /runs/:runId/events`: the run's events as SSE (or JSON with `Accept: application/json`). */
export function runEventsRoute(): ApiRoute {
  return defineRoute<undefined, z.output<typeof eventsQuery>>({
    method: "GET",
    path: "/runs/:runId/events",
    summary:
      "The run's events as Server-Sent Events (id: = sequence number; reconnect with Last-Event-ID or ?since= to get every later event once), live or finished. With Accept: application/json, the stored events as a JSON array.",
    tag: "runs",
    scope: "read",
    teamOf: async ({ params, server }) =>
      server.runs.get(params.runId!)?.teamId ??
      (await (server.queue?.find(params.runId!) ?? server.store.getRun(params.runId!)))?.teamId,
    query: eventsQuery,
    responses: {
      200: {
        description: "text/event-stream of the run's events.",
        contentType: "text/event-stream",
      },
      204: {
        description:
          "The run has ended and has no event after Last-Event-ID (an EventSource stops reconnecting).",
      },
      404: { description: "Unknown run." },
    },
    async handle({ params, query, server, context }) {
      const runId = params.runId!;
      const after = startAfter(context.req.header("last-event-id"), query.since);
      const live = server.runs.get(runId);
      const found = live
        ? undefined
        : server.queue
          ? await server.queue.find(runId)
          : await server.store.getRun(runId);
      if (!live && !found)
        throw new HttpProblem(404, `Unknown run "${runId}". List runs with GET /runs.`);
      const run = found && "configHash" in found ? found : undefined;
      // A job that failed before any worker started the run has no events, and will have none.
      if (found?.status === "failed" && !run) return context.body(null, 204);
      if ((context.req.header("accept") ?? "").includes("application/json")) {
        const events = await readAllEvents(server.store, runId, after);
        return context.json({ runId, events: events.map(({ seq, event }) => ({ ...event, seq })) });
      }
      if (run && isEndedStatus(run.status) && run.lastSeq <= after) return context.body(null, 204);
      return eventStream(server, runId, after, context.req.raw.signal);
    },
  });
}

function eventStream(
  server: ServerContext,
  runId: string,
  after: number,
  requestSignal: AbortSignal,
): Response {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  requestSignal.addEventListener("abort", onAbort, { once: true });
  return sseResponse(runEventFeed(server, runId, after, stop.signal), {
    heartbeatMs: server.settings.heartbeatMs,
    signal: server.closing,
    onClose: () => {
      requestSignal.removeEventListener("abort", onAbort);
      stop.abort();
    },
  });
}
