import { formProblem, formValidator } from "../agents/check-step-settings.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { CliIO } from "./cli-io.js";
import { parseCommand, UsageError } from "./cli-options.js";
import { findRun, openCliRunStore, STORE_OPTION, type CliRunStore } from "./runs-options.js";

/** What a run asked for, as its `approval_requested` event says. */
interface AskedApproval {
  approvalId: string;
  kind: "agent" | "tool" | "human";
  form?: Record<string, unknown>;
}

/**
 * `llmteam runs approve|reject <run-id> <approval-id> [--reason text]` and `llmteam runs answer
 * <run-id> <task-id> <json>`: keeps a decision in the store; the process running the run (or
 * the next to resume it) goes on with it. A human task with a form takes an answer that fits
 * the form (checked here, before it is stored).
 */
export async function decideApproval(
  action: "approve" | "reject" | "answer",
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const { values, positionals } = parseCommand(`runs ${action}`, argv, {
    ...STORE_OPTION,
    reason: { type: "string" },
  });
  if (values.help) return help("runs");
  const wanted = action === "answer" ? 3 : 2;
  if (positionals.length !== wanted)
    throw new UsageError(
      action === "answer"
        ? `runs answer takes a run id, a human task's id and the answer as JSON, e.g. llmteam runs answer run_… approval-1 '{"publish":true}'.`
        : `runs ${action} takes a run id and an approval id, e.g. llmteam runs ${action} run_… approval-1.`,
    );
  const [runId, approvalId, json] = positionals as [string, string, string | undefined];
  const value = json === undefined ? undefined : parseAnswer(json);
  const opened = await openCliRunStore(values.store, io);
  try {
    const run = await findRun(opened, runId);
    if (isEndedStatus(run.status)) {
      io.stderr(`✗ run ${runId} has ${run.status}: it waits for no approval.\n`);
      return 1;
    }
    const asked = await askedApprovals(opened, runId);
    const request = asked.get(approvalId);
    const problem = request
      ? decisionProblem(action, request, value, runId)
      : `run ${runId} never asked for approval "${approvalId}". Asked: ${[...asked.keys()].join(", ") || "none"}.`;
    if (problem) {
      io.stderr(`✗ ${problem}\n`);
      return 1;
    }
    const decision = {
      approvalId,
      approved: action !== "reject",
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      ...(value === undefined ? {} : { value }),
      decidedAt: Date.now(),
    };
    if (!(await opened.store.recordDecision(runId, decision))) {
      io.stderr(
        `✗ approval ${approvalId} of run ${runId} was decided already; the first decision stands.\n`,
      );
      return 1;
    }
    const done = { approve: "approved", reject: "rejected", answer: "answered" }[action];
    const later =
      run.status === "waiting_approval"
        ? ""
        : ` The run is ${run.status}: it takes the decision when it resumes (llmteam runs resume ${runId}).`;
    io.stdout(`✓ ${done} ${approvalId} of run ${runId}.${later}\n`);
    return 0;
  } finally {
    await opened.store.close();
  }
}

function parseAnswer(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UsageError(
      `the answer must be JSON, e.g. '{"publish":true}' or '"yes"' (${(error as Error).message}).`,
    );
  }
}

/** Why this decision cannot be taken for what the run asked, or `undefined` when it can. */
function decisionProblem(
  action: "approve" | "reject" | "answer",
  request: AskedApproval,
  value: unknown,
  runId: string,
): string | undefined {
  const { approvalId, kind, form } = request;
  if (action === "answer" && kind !== "human")
    return `${approvalId} of run ${runId} is an approval of ${kind === "tool" ? "a tool call" : "an agent"}, not a human task: approve or reject it.`;
  if (kind !== "human" || action === "reject" || form === undefined) return undefined;
  if (action === "approve")
    return `human task ${approvalId} has a form: answer it with llmteam runs answer ${runId} ${approvalId} '<json matching the form>'. Form: ${JSON.stringify(form)}.`;
  const validator = formValidator(form);
  if (typeof validator === "string") return `human task ${approvalId}: ${validator}`;
  const problem = formProblem(validator, value);
  return problem === undefined
    ? undefined
    : `the answer does not match the form of human task ${approvalId}: ${problem}. Form: ${JSON.stringify(form)}.`;
}

async function askedApprovals(
  opened: CliRunStore,
  runId: string,
): Promise<Map<string, AskedApproval>> {
  const asked = new Map<string, AskedApproval>();
  for (const { event } of await opened.store.readEvents(runId)) {
    if (event.type !== "approval_requested") continue;
    const data = event.data as AskedApproval;
    asked.set(data.approvalId, data);
  }
  return asked;
}
