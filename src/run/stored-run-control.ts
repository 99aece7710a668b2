import { formProblem, formValidator } from "../agents/check-step-settings.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { RunStore, StoredRun, StoredRunStatus } from "../store/run-store.js";

/** What a run asked for, as its `approval_requested` event says. */
interface AskedApproval {
  approvalId: string;
  kind: "agent" | "tool" | "human";
  form?: Record<string, unknown>;
}

/** A decision on an approval of a stored run, from a process that may not be running it. */
export interface StoredDecisionRequest {
  action: "approve" | "reject" | "answer";
  approvalId: string;
  reason?: string | undefined;
  /** A human task's answer (`answer`). */
  value?: unknown;
  /** How to answer a human task with a form, for the message refusing `approve` (e.g. the command). */
  answerHint: string;
  /** ms since the epoch. */
  now: number;
}

/** Why a decision or cancel was not taken; `message` says what is wrong and what is valid. */
export interface StoredControlRefusal {
  ok: false;
  /** `ended`: the run has ended; `not_asked`: no such approval; `invalid`: the answer does not fit; `decided`: decided already. */
  reason: "ended" | "not_asked" | "invalid" | "decided";
  message: string;
}

/**
 * Keeps a decision in the store, checked against what the run asked (a human task's form):
 * the process running the run (it polls the store) or the next to resume it goes on with it.
 * One path for `llmteam runs approve|reject|answer` and the server.
 */
export async function decideStoredApproval(
  store: RunStore,
  run: StoredRun,
  request: StoredDecisionRequest,
): Promise<{ ok: true; status: StoredRunStatus } | StoredControlRefusal> {
  const { runId } = run;
  const { action, approvalId, value } = request;
  if (isEndedStatus(run.status)) {
    return {
      ok: false,
      reason: "ended",
      message: `Run ${runId} has ${run.status}: it waits for no approval.`,
    };
  }
  const asked = await askedApprovals(store, runId);
  const approval = asked.get(approvalId);
  if (!approval) {
    return {
      ok: false,
      reason: "not_asked",
      message: `Run ${runId} never asked for approval "${approvalId}". Asked: ${[...asked.keys()].join(", ") || "none"}.`,
    };
  }
  const problem = decisionProblem(request, approval, runId);
  if (problem) return { ok: false, reason: "invalid", message: problem };
  const decision = {
    approvalId,
    approved: action !== "reject",
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(value === undefined ? {} : { value }),
    decidedAt: request.now,
  };
  if (!(await store.recordDecision(runId, decision))) {
    return {
      ok: false,
      reason: "decided",
      message: `Approval ${approvalId} of run ${runId} was decided already; the first decision stands.`,
    };
  }
  return { ok: true, status: run.status };
}

/**
 * Cancels a stored run from any process: a running run is asked to stop at its next step
 * boundary (its process reads the request when it commits); a parked one (paused, interrupted,
 * waiting for approval in no process) is marked `cancelled` at once.
 */
export async function cancelStoredRun(
  store: RunStore,
  run: StoredRun,
  options: { now: number; how: string },
): Promise<{ ok: true; outcome: "requested" | "cancelled" } | StoredControlRefusal> {
  if (isEndedStatus(run.status)) {
    return {
      ok: false,
      reason: "ended",
      message: `Run ${run.runId} has already ended (${run.status}); nothing to cancel.`,
    };
  }
  if (run.status === "running") {
    await store.requestCancel(run.runId, options.now);
    return { ok: true, outcome: "requested" };
  }
  await store.setStatus(
    run.runId,
    "cancelled",
    options.now,
    `Cancelled with ${options.how} (was ${run.status}).`,
  );
  return { ok: true, outcome: "cancelled" };
}

/** Why this decision cannot be taken for what the run asked, or `undefined` when it can. */
function decisionProblem(
  { action, value, answerHint }: StoredDecisionRequest,
  asked: AskedApproval,
  runId: string,
): string | undefined {
  const { approvalId, kind, form } = asked;
  if (action === "answer" && kind !== "human")
    return `${approvalId} of run ${runId} is an approval of ${kind === "tool" ? "a tool call" : "an agent"}, not a human task: approve or reject it.`;
  if (kind !== "human" || action === "reject" || form === undefined) return undefined;
  if (action === "approve")
    return `Human task ${approvalId} has a form: answer it with ${answerHint}. Form: ${JSON.stringify(form)}.`;
  const validator = formValidator(form);
  if (typeof validator === "string") return `Human task ${approvalId}: ${validator}`;
  const problem = formProblem(validator, value);
  return problem === undefined
    ? undefined
    : `The answer does not match the form of human task ${approvalId}: ${problem}. Form: ${JSON.stringify(form)}.`;
}

async function askedApprovals(store: RunStore, runId: string): Promise<Map<string, AskedApproval>> {
  const asked = new Map<string, AskedApproval>();
  for (const { event } of await store.readEvents(runId)) {
    if (event.type !== "approval_requested") continue;
    const data = event.data as AskedApproval;
    asked.set(data.approvalId, data);
  }
  return asked;
}

/** An approval a stored run asked for and nobody has decided, as its `approval_requested` event said. */
export interface StoredPendingApproval extends AskedApproval {
  agentId: string | undefined;
  /** ms since the epoch. */
  requestedAt: number;
  [field: string]: unknown;
}

/** The approvals a stored run asked for that have no decision in the store. */
export async function pendingStoredApprovals(
  store: RunStore,
  runId: string,
): Promise<StoredPendingApproval[]> {
  const decided = new Set((await store.readDecisions(runId)).map((d) => d.approvalId));
  const pending: StoredPendingApproval[] = [];
  for (const { event } of await store.readEvents(runId)) {
    if (event.type !== "approval_requested") continue;
    const data = event.data as AskedApproval;
    if (decided.has(data.approvalId)) continue;
    pending.push({ ...data, agentId: event.agentId, requestedAt: event.timestamp });
  }
  return pending;
}
