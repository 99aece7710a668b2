import { z } from "zod";
import { decideStoredApproval, pendingStoredApprovals } from "../../run/stored-run-control.js";
import { isEndedStatus } from "../../store/run-store-rows.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { decideLive } from "./run-events-route.js";
import { findAnyRun, findRun, teamOfRun } from "./run-lookup.js";

const reasonBody = z.strictObject({ reason: z.string().min(1, "reason must not be empty.") });
const answerBody = z.strictObject({ value: z.unknown() });

/**
 * Routes of a run's approvals: list, approve, reject, answer. A run live in this process is
 * decided on its handle; any other (on a worker, parked) through the store, where the process
 * running it looks for decisions.
 */
export function approvalRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/runs/:runId/approvals",
      summary: "The approvals a run waits for.",
      tag: "approvals",
      scope: "read",
      teamOf: teamOfRun,
      responses: { 200: { description: "{ approvals: [...] }" } },
      async handle({ params, server, context }) {
        const live = server.runs.get(params.runId!);
        if (live)
          return context.json({ runId: live.runId, approvals: live.handle.pendingApprovals });
        const run = await findAnyRun(server, params.runId!);
        // A run no worker has started yet (queued) has asked for nothing.
        const asked = "configHash" in run && !isEndedStatus(run.status);
        const approvals = asked ? await pendingStoredApprovals(server.store, run.runId) : [];
        return context.json({ runId: run.runId, approvals });
      },
    }),
    ...(["approve", "reject", "answer"] as const).map((action) =>
      defineRoute<{ reason?: string; value?: unknown } | undefined>({
        method: "POST",
        path: `/runs/:runId/approvals/:approvalId/${action}`,
        summary: {
          approve: "Approve a pending approval: the agent or tool runs.",
          reject: "Reject a pending approval, with a reason.",
          answer: "Answer a human task with a value matching its form.",
        }[action],
        tag: "approvals",
        scope: "approve",
        teamOf: teamOfRun,
        ...(action === "reject"
          ? { body: reasonBody }
          : action === "answer"
            ? { body: answerBody }
            : {}),
        responses: {
          200: { description: "Decided." },
          404: { description: "The run never asked for this approval." },
          409: { description: "Decided already, or the run has ended." },
          422: { description: "The answer does not match the form." },
        },
        async handle({ params, body, server, context }) {
          const runId = params.runId!;
          const approvalId = params.approvalId!;
          const decision = { action, approvalId, reason: body?.reason, value: body?.value };
          const live = server.runs.get(runId);
          if (live) {
            decideLive(live.handle, decision);
            return context.json({ runId, approvalId, decided: action });
          }
          const run = await findRun(server, runId);
          const decided = await decideStoredApproval(server.store, run, {
            ...decision,
            now: Date.now(),
            answerHint: `POST /runs/${runId}/approvals/${approvalId}/answer with { "value": ... }`,
          });
          if (!decided.ok) {
            const status = { ended: 409, decided: 409, not_asked: 404, invalid: 422 }[
              decided.reason
            ];
            throw new HttpProblem(status, decided.message);
          }
          return context.json({ runId, approvalId, decided: action, status: decided.status });
        },
      }),
    ),
  ];
}
