import { LifecycleError } from "../errors/lifecycle-error.js";
import { HttpProblem } from "./http-problem.js";

/** The library calls a lifecycle hint names, and the requests that do the same over HTTP. */
function httpWords(teamId: string): [RegExp, string][] {
  const team = `/teams/${teamId}`;
  return [
    [/team\.markConfiguring\(\)/g, `POST ${team}/state with {"state":"configuring"}`],
    [/team\.markReady\(\)/g, `POST ${team}/state with {"state":"ready"}`],
    [/team\.lifecycle\.applyApproved\(\)/g, `POST ${team}/proposals/{proposalId}/apply`],
    [/proposal\.approve\(\)/g, `POST ${team}/proposals/{proposalId}/approve`],
    [/team\.lifecycle\.addProposal\(proposal\)/g, `POST ${team}/proposals`],
  ];
}

/** A run's hints in HTTP words: the approval routes instead of the handle's methods. */
export function runInHttpWords(message: string, runId: string): string {
  return message.replace(
    /handle\.approve\(id\) or handle\.reject\(id, reason\)/g,
    `POST /runs/${runId}/approvals/{approvalId}/approve or …/reject with {"reason": "..."}`,
  );
}

/** A lifecycle message with its hints in HTTP words (the requests to send instead of the calls). */
export function inHttpWords(message: string, teamId: string): string {
  let text = message;
  for (const [pattern, replacement] of httpWords(teamId)) text = text.replace(pattern, replacement);
  return text;
}

/**
 * Runs `action`; a `LifecycleError` becomes a 409 whose detail says what the team's state
 * allows and which request to send first (the error's hint, in HTTP words).
 */
export function withLifecycle<T>(teamId: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw lifecycleProblem(error, teamId);
  }
}

/** The 409 a `LifecycleError` stands for; any other error as it is. */
export function lifecycleProblem(error: unknown, teamId: string): unknown {
  if (!LifecycleError.isInstance(error)) return error;
  return new HttpProblem(409, inHttpWords(error.message, teamId), {
    extra: { code: error.code, from: error.from, to: error.to },
    cause: error,
  });
}
