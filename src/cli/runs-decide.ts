import { decideStoredApproval } from "../run/stored-run-control.js";
import type { CliIO } from "./cli-io.js";
import { parseCommand, UsageError } from "./cli-options.js";
import { findRun, openCliRunStore, STORE_OPTION } from "./runs-options.js";

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
    const decided = await decideStoredApproval(opened.store, run, {
      action,
      approvalId,
      reason: values.reason,
      value,
      now: Date.now(),
      answerHint: `llmteam runs answer ${runId} ${approvalId} '<json matching the form>'`,
    });
    if (!decided.ok) {
      io.stderr(`✗ ${lowerFirst(decided.message)}\n`);
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

/** A message for the CLI's lower-case style: "run x has ended", not "Run x has ended". */
export function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
