import { RunTimeoutError } from "../errors/run-timeout-error.js";
import { startTimer } from "../internal/clock.js";
import { RunExecution, type RunPlan } from "./run-execution.js";
import { completeRun, failRun } from "./run-end.js";
import type { RunOutlet } from "./run-outlet.js";
import type { RunResult } from "./run-result.js";
import { isStoreOutage } from "./store-outage.js";

/**
 * Runs a plan to its end: the one run engine behind `team.run`, `stream`, `start`, nested
 * teams and groups. In order: the plan's `hooks.begin`, the timeout timer, `run_started`,
 * the plan's `flow`, then `run_completed` or `run_cancelled`/`run_failed`; finally the timer
 * is cleared, the cost tracker's run closed and the outlet closed (or failed).
 *
 * A plan still being built may be passed as a promise: its rejection fails the outlet and
 * the returned promise. A failed or cancelled run resolves (its result says); the promise
 * rejects only when the run could not start.
 *
 * @param planned the run's plan, complete (see {@link RunPlan}), or a promise of it.
 * @param outlet where the events go besides the fold, and who hears the run end.
 */
export function startRun(
  planned: RunPlan | Promise<RunPlan>,
  outlet: RunOutlet = {},
): Promise<RunResult> {
  // A plan built at once starts without waiting a turn (a team's plan is cached after its first run).
  if (!(planned instanceof Promise)) return execute(planned, outlet);
  return planned.then(
    (plan) => execute(plan, outlet),
    (error: unknown) => {
      outlet.fail?.(error);
      throw error;
    },
  );
}

async function execute(plan: RunPlan, outlet: RunOutlet): Promise<RunResult> {
  try {
    plan.hooks?.begin(plan.runId);
  } catch (error) {
    closeCostRun(plan);
    outlet.fail?.(error);
    throw error;
  }
  const execution = new RunExecution(plan, outlet);
  plan.journal?.onCancelRequested((reason) => plan.controller.abort(reason));
  const cancelTimer = startRunTimer(plan);
  const costRun = plan.costRun;
  if (costRun?.foldsCost) costRun.tracker.attachRun(plan.runId, execution.builder.result.cost);
  // A resumed run's budgets count what its stored calls spent.
  else if (costRun && plan.replay)
    costRun.tracker.carryOver(plan.runId, execution.builder.result.cost);
  let result: RunResult;
  try {
    result = await runToEnd(execution);
  } catch (error) {
    ended(plan, cancelTimer);
    outlet.fail?.(error);
    throw error;
  }
  ended(plan, cancelTimer);
  outlet.close?.();
  return result;
}

/** `run_started`, the flow, then the run's terminal event (with the lifecycle's hooks around). */
async function runToEnd(execution: RunExecution): Promise<RunResult> {
  const { plan } = execution;
  const { hooks } = plan;
  const { journal } = plan;
  try {
    if (plan.replay) await execution.resumed(plan.replay);
    else {
      await execution.emitAt(execution.startedAt, "run_started", {
        teamId: plan.teamId,
        agents: [...plan.memberIds],
        input: plan.input,
        mode: plan.mode,
      });
    }
    if (hooks) await hooks.started(execution);
    const output = await plan.flow(execution);
    if (hooks) await hooks.finish(execution, "completed", "run completed");
    const result = await completeRun(execution, output);
    if (journal) await endJournal(journal, "completed");
    return result;
  } catch (error) {
    if (hooks) {
      const reason = execution.signal.aborted
        ? "run cancelled"
        : `run failed: ${error instanceof Error ? error.message : String(error)}`;
      await hooks.finish(execution, "failed", reason);
    }
    const result = await failRun(execution, error);
    if (journal) await endJournal(journal, storedEnd(result, error), result.error?.message);
    return result;
  }
}

/**
 * How a run that did not complete is stored: a run stopped by a store it shares (the run store,
 * a shared budget or breaker store) stays resumable.
 */
function storedEnd(result: RunResult, error: unknown): "failed" | "cancelled" | "interrupted" {
  if (result.status === "cancelled") return "cancelled";
  return isStoreOutage(error) ? "interrupted" : "failed";
}

/**
 * Stores the run's end, with the events since the last step boundary (the last step's). When
 * the store fails now, the run's result stands and the stored run stays resumable: a resume
 * replays every stored step, runs the last one again (at-least-once) and ends it.
 */
async function endJournal(
  journal: NonNullable<RunPlan["journal"]>,
  status: "completed" | "failed" | "cancelled" | "interrupted",
  error?: string,
): Promise<void> {
  try {
    await journal.commit(status, error);
  } catch {
    // Already reported: a store that fails at a step boundary fails the run there.
  }
}

/** Only runs with a timeout pay for a timer; returns what cancels it. */
function startRunTimer(plan: RunPlan): (() => void) | undefined {
  const { timeout } = plan;
  if (timeout === undefined) return undefined;
  return startTimer(plan.clock, timeout.ms, () =>
    plan.controller.abort(new RunTimeoutError(timeout.ms, timeout.owner)),
  );
}

function ended(plan: RunPlan, cancelTimer: (() => void) | undefined): void {
  cancelTimer?.();
  closeCostRun(plan);
}

function closeCostRun(plan: RunPlan): void {
  const costRun = plan.costRun;
  if (costRun?.tracker.isActive(plan.runId)) costRun.tracker.closeRun(plan.runId);
}
