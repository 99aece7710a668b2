import { LLMTeamError } from "../../errors/llmteam-error.js";
import type { Clock } from "../../internal/clock.js";
import type { ApprovalRequest, Decision } from "./approval-request.js";

/**
 * Checks a decision before it is taken: a human task's answer must match its form (an
 * approval without a value is checked as `undefined`, so a task with a form needs
 * `handle.answer(id, value)`); only a human task takes a value.
 * @throws LLMTeamError saying what is wrong and what is valid.
 */
export function checkDecision(
  request: ApprovalRequest,
  check: ((value: unknown) => string | undefined) | undefined,
  decision: Decision,
): void {
  const { approvalId, kind } = request;
  if (kind !== "human") {
    if (decision.value !== undefined)
      throw new LLMTeamError(
        `Approval ${approvalId} is for ${kind === "tool" ? "a tool call" : "an agent"}, not a human task: answer it with handle.approve(id) or handle.reject(id, reason).`,
      );
    return;
  }
  if (!decision.approved || !check) return;
  const problem = check(decision.value);
  if (problem === undefined) return;
  throw new LLMTeamError(
    decision.value === undefined
      ? `Human task ${approvalId} has a form: answer it with handle.answer(id, value), a value matching the form (${problem}).`
      : `The answer to human task ${approvalId} does not match its form: ${problem}. Form: ${JSON.stringify(request.form)}.`,
  );
}

/**
 * `decided`, or a timed-out decision when the run's clock reaches `deadline` first (at once when
 * it has passed, e.g. a task asked before a restart).
 */
export function untilDeadline(
  decided: Promise<Decision>,
  execution: { readonly plan: { readonly clock: Clock }; readonly signal: AbortSignal },
  deadline: number,
): Promise<Decision> {
  const { clock } = execution.plan;
  const stop = new AbortController();
  const signal = AbortSignal.any([execution.signal, stop.signal]);
  const timedOut = clock
    .sleep(Math.max(0, deadline - clock.now()), signal)
    .then((): Decision => ({ approved: false, timedOut: true }));
  timedOut.catch(() => undefined);
  return Promise.race([decided, timedOut]).finally(() => stop.abort());
}
