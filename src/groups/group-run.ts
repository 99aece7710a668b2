import { GroupTeamFailedError } from "../errors/group-team-failed-error.js";
import type { ErrorInfo } from "../events/stream-event.js";
import type { LLMTeam } from "../team/llm-team.js";
import { runTeamStep } from "../run/nested-team.js";
import type { RouteSettings } from "../router/route-decision.js";
import { runRouterLoop } from "../router/run-router.js";
import type { TerminationCondition } from "../router/termination.js";
import type { RunExecution } from "../run/run-execution.js";
import { AgentFailure } from "../run/run-failure.js";
import type { RunResult } from "../run/run-result.js";
import { arbitrate } from "./arbitrate.js";
import type { GroupRole, TeamRole } from "./group-config.js";
import type { GroupTeamError } from "./group-result.js";
import {
  ESCALATING_ROLES,
  outputAsks,
  rerouteTeam,
  type EscalationAsk,
  type GroupEscalation,
} from "./group-escalation.js";

/** A team in a group run. */
export interface GroupMember {
  id: string;
  team: LLMTeam;
  role: TeamRole;
}

/** Everything a group role needs to run. */
export interface GroupRunContext {
  execution: RunExecution;
  role: GroupRole;
  /** Teams that take part, in order: leader, then the others as declared (fallbacks excluded). */
  members: GroupMember[];
  /** Teams that run only in place of a failed one, in declared order. */
  fallbacks: GroupMember[];
  /** Filled as teams finish. */
  teamResults: RunResult[];
  errors: GroupTeamError[];
  /** Orchestrator settings (router, arbiter). */
  route: RouteSettings | undefined;
  termination: TerminationCondition | undefined;
  /** Merges the aggregator's outputs (default: objects merged, text joined under headings). */
  aggregate: ((outputs: Record<string, unknown>) => unknown) | undefined;
  /** What the group does when a leader or specialist team escalates (default: abort). */
  escalation?: GroupEscalation | undefined;
  step: number;
}

type MemberOutcome =
  { ok: true; output: unknown; by: string } | { ok: false; error: unknown; info: ErrorInfo };

/** Runs the group's role. Returns the group's output. @throws GroupTeamFailedError */
export async function runGroupRole(context: GroupRunContext): Promise<unknown> {
  const input = context.execution.plan.input;
  switch (context.role) {
    case "report_collector": {
      const outputs: Record<string, unknown> = {};
      const failed: string[] = [];
      for (const member of context.members) {
        await context.execution.checkpoint();
        const outcome = await runMember(context, member, input);
        if (outcome.ok) outputs[member.id] = outcome.output;
        else failed.push(member.id);
      }
      return finishParallel(failed, outputs);
    }
    case "coordinator": {
      const outputs: Record<string, unknown> = {};
      let previous: unknown;
      for (const member of coordinatorOrder(context.members)) {
        await context.execution.checkpoint();
        const outcome = await runMember(context, member, chainedInput(input, outputs, previous));
        if (!outcome.ok)
          throw new GroupTeamFailedError(
            `Team "${member.id}" failed: ${outcome.info.message}`,
            [member.id],
            previous,
            { cause: outcome.error },
          );
        outputs[member.id] = outcome.output;
        previous = outcome.output;
      }
      return previous;
    }
    case "router": {
      const outputs: Record<string, unknown> = {};
      const members = new Map(context.members.map((member) => [member.id, member]));
      let previous: unknown;
      return runRouterLoop({
        execution: context.execution,
        settings: context.route!,
        termination: context.termination!,
        candidates: context.members.map((member) => ({
          id: member.id,
          role: member.role,
          ...describe(member.team),
        })),
        runCandidate: async (id) => {
          const outcome = await runMember(
            context,
            members.get(id)!,
            chainedInput(input, outputs, previous),
          );
          if (!outcome.ok) throw new AgentFailure(id, outcome.error);
          outputs[id] = outcome.output;
          previous = outcome.output;
          return { output: outcome.output };
        },
      });
    }
    case "aggregator":
    case "arbiter": {
      await context.execution.checkpoint();
      const outcomes = await Promise.all(
        context.members.map((member) => runMember(context, member, input)),
      );
      const outputs: Record<string, unknown> = {};
      const failed: string[] = [];
      outcomes.forEach((outcome, index) => {
        if (outcome.ok) outputs[context.members[index]!.id] = outcome.output;
        else failed.push(context.members[index]!.id);
      });
      if (context.role === "aggregator")
        return finishParallel(failed, (context.aggregate ?? mergeOutputs)(outputs));
      if (Object.keys(outputs).length === 0)
        throw new GroupTeamFailedError(`Every team failed: ${failed.join(", ")}.`, failed);
      await context.execution.checkpoint();
      return arbitrate(context.execution, context.route!, outputs);
    }
  }
}

/**
 * Runs one team as a step of the group; when it fails, each fallback team in turn takes its
 * place (with a `warning` event) until one succeeds.
 */
async function runMember(
  context: GroupRunContext,
  member: GroupMember,
  input: Record<string, unknown>,
): Promise<MemberOutcome> {
  const { execution } = context;
  const outcome = await runTeamStep(
    execution,
    { agentId: member.id, role: member.role },
    member.team,
    input,
    ++context.step,
    execution.signal,
  );
  if (outcome.result) context.teamResults.push(outcome.result);
  if (outcome.error === undefined) {
    const asked = outputAsks(member.id, outcome.agentResult.output);
    const escalated =
      asked === undefined ? undefined : await escalate(context, member, input, asked);
    return escalated ?? { ok: true, output: outcome.agentResult.output, by: member.id };
  }
  execution.signal.throwIfAborted();
  context.errors.push({ teamId: member.id, error: outcome.agentResult.error! });
  let last: { error: unknown; info: ErrorInfo } = {
    error: outcome.error,
    info: outcome.agentResult.error!,
  };
  const escalated = await escalate(context, member, input, last);
  if (escalated?.ok) return escalated;
  if (escalated) last = { error: escalated.error, info: escalated.info };
  for (const fallback of context.fallbacks) {
    await execution.emit("warning", {
      message: `Team "${member.id}" failed (${last.info.message}); fallback team "${fallback.id}" runs in its place.`,
      code: "team_fallback",
    });
    const tried = await runInPlace(context, fallback, input);
    if (tried.ok) return tried;
    last = { error: tried.error, info: tried.info };
  }
  return { ok: false, ...last };
}

/**
 * A leader's or specialist's escalation to its group — its run failed (`failure`), or its output
 * asked (`asked`, the reason) — under the group's policy: `{ reroute: teamId }` runs that team
 * in its place (its outcome is returned), `abort` (default) fails the group. `undefined` when
 * the team does not escalate (another role, no policy, a budget refusal, the target itself).
 * @throws GroupTeamFailedError when the policy aborts.
 */
async function escalate(
  context: GroupRunContext,
  member: GroupMember,
  input: Record<string, unknown>,
  trigger: EscalationAsk | { error: unknown; info: ErrorInfo },
): Promise<MemberOutcome | undefined> {
  const { execution, escalation } = context;
  const failed = "error" in trigger;
  if (escalation === undefined || !ESCALATING_ROLES.includes(member.role)) return undefined;
  if (failed && trigger.info.code === "budget_exceeded") return undefined;
  const teams = [...context.members, ...context.fallbacks];
  const requestTeam = failed ? undefined : trigger.requestTeam;
  const targetId = rerouteTeam(escalation, { requestTeam, from: member.id, teams });
  if (targetId === member.id) return undefined;
  const reason = failed ? trigger.info.message : trigger.reason;
  await execution.emit(
    "escalation",
    {
      trigger: failed ? "failure" : "output",
      action: targetId === undefined ? "abort" : "reroute",
      depth: 1,
      reason,
      ...(targetId === undefined ? {} : { to: targetId }),
      ...(failed ? { error: trigger.info } : {}),
    },
    member.id,
  );
  if (targetId === undefined)
    throw new GroupTeamFailedError(
      `Team "${member.id}" escalated to the group (${reason}), and the group's escalation policy aborts.`,
      [member.id],
      undefined,
      failed ? { cause: trigger.error } : {},
    );
  return runInPlace(
    context,
    teams.find((team) => team.id === targetId)!,
    input,
  );
}

/** Runs a team of the group in a member's place (a fallback, an escalation's reroute); a failure is recorded. */
async function runInPlace(
  context: GroupRunContext,
  team: GroupMember,
  input: Record<string, unknown>,
): Promise<MemberOutcome> {
  const { execution } = context;
  const outcome = await runTeamStep(
    execution,
    { agentId: team.id, role: team.role },
    team.team,
    input,
    ++context.step,
    execution.signal,
  );
  if (outcome.result) context.teamResults.push(outcome.result);
  if (outcome.error === undefined)
    return { ok: true, output: outcome.agentResult.output, by: team.id };
  execution.signal.throwIfAborted();
  context.errors.push({ teamId: team.id, error: outcome.agentResult.error! });
  return { ok: false, error: outcome.error, info: outcome.agentResult.error! };
}

/** The input of a team after others: the run input, `previous` (the last output) and each earlier team's output by id. */
function chainedInput(
  input: Record<string, unknown>,
  outputs: Record<string, unknown>,
  previous: unknown,
): Record<string, unknown> {
  return previous === undefined ? { ...input, ...outputs } : { ...input, ...outputs, previous };
}

/** Leader first, then members, then specialists, each in declared order. */
export function coordinatorOrder(members: GroupMember[]): GroupMember[] {
  const rank = { leader: 0, member: 1, specialist: 2, fallback: 3 } as const;
  return [...members].sort((left, right) => rank[left.role] - rank[right.role]);
}

function finishParallel(failed: string[], output: unknown): unknown {
  if (failed.length === 0) return output;
  throw new GroupTeamFailedError(
    `${failed.length === 1 ? "Team" : "Teams"} ${failed.map((id) => `"${id}"`).join(", ")} failed and no fallback team succeeded.`,
    failed,
    output,
  );
}

/** Default aggregation: objects merged in team order; otherwise each output under a `## team` heading. */
export function mergeOutputs(outputs: Record<string, unknown>): unknown {
  const values = Object.values(outputs);
  if (
    values.length > 0 &&
    values.every((value) => typeof value === "object" && value !== null && !Array.isArray(value))
  ) {
    return Object.assign({}, ...values) as Record<string, unknown>;
  }
  return Object.entries(outputs)
    .map(
      ([id, value]) =>
        `## ${id}\n\n${typeof value === "string" ? value : JSON.stringify(value, null, 2)}`,
    )
    .join("\n\n");
}

function describe(team: LLMTeam): { description?: string } {
  const config = team.toConfig();
  const text = config.description ?? config.name;
  return text === undefined ? {} : { description: text };
}
