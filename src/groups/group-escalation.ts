import type { ConfigIssue } from "../errors/config-error.js";
import type { GroupConfig, TeamRole } from "./group-config.js";

/** A group's escalation policy as written (`abort`, `{ reroute?: teamId, allowRequests? }`). */
export type GroupEscalation = GroupConfig["escalation"];

/** Why a team escalates (its output's reason, or its failure's message) and the team it asks for. */
export interface EscalationAsk {
  reason: string;
  /** The team it asks the group to run in its place (`requestTeam` in its output). */
  requestTeam?: string | undefined;
}

/** The team roles that may escalate to their group, as in the original's `TeamRole` rules. */
export const ESCALATING_ROLES: readonly TeamRole[] = ["leader", "specialist"];

/**
 * The team a group's policy reroutes to, if it does: the team asked for when the policy allows
 * requests and it is another team of the group, else the policy's `reroute`.
 */
export function rerouteTeam(
  policy: GroupEscalation,
  ask?: { requestTeam?: string | undefined; from: string; teams: readonly { id: string }[] },
): string | undefined {
  if (typeof policy !== "object") return undefined;
  const requested = ask?.requestTeam;
  if (
    policy.allowRequests === true &&
    requested !== undefined &&
    requested !== ask?.from &&
    ask?.teams.some((team) => team.id === requested)
  )
    return requested;
  return policy.reroute;
}

/** Problems of a group's escalation policy against its teams: a reroute names one of them. */
export function groupEscalationIssues(
  policy: GroupEscalation,
  teams: readonly { id: string }[],
): ConfigIssue[] {
  const target = rerouteTeam(policy);
  if (target === undefined || teams.some((team) => team.id === target)) return [];
  return [
    {
      path: ["escalation", "reroute"],
      message: `The group's escalation reroutes to unknown team "${target}". Teams: ${teams.map((team) => team.id).join(", ")}.`,
    },
  ];
}

/**
 * What a team's output asks its group: an object with `escalate: true` (its `escalationReason`,
 * if a string, says why; its `requestTeam`, if a string, names the team it asks for);
 * `undefined` when it does not ask.
 */
export function outputAsks(teamId: string, output: unknown): EscalationAsk | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const { escalate, escalationReason, requestTeam } = output as Record<string, unknown>;
  if (escalate !== true) return undefined;
  const reason =
    typeof escalationReason === "string" && escalationReason.length > 0
      ? escalationReason
      : `Team "${teamId}" asked to escalate.`;
  return typeof requestTeam === "string" && requestTeam.length > 0
    ? { reason, requestTeam }
    : { reason };
}
