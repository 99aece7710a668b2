import type { ConfigIssue } from "../errors/config-error.js";
import type { GroupConfig, TeamRole } from "./group-config.js";

/** A group's escalation policy as written (`abort`, `{ reroute: teamId }`). */
export type GroupEscalation = GroupConfig["escalation"];

/** The team roles that may escalate to their group, as in the original's `TeamRole` rules. */
export const ESCALATING_ROLES: readonly TeamRole[] = ["leader", "specialist"];

/** The team a group's policy reroutes to, if it does. */
export function rerouteTeam(policy: GroupEscalation): string | undefined {
  return typeof policy === "object" ? policy.reroute : undefined;
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
 * The reason a team's output asks its group to escalate: an object with `escalate: true` (its
 * `escalationReason`, if a string, says why); `undefined` when it does not ask.
 */
export function outputAsks(teamId: string, output: unknown): string | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const { escalate, escalationReason } = output as Record<string, unknown>;
  if (escalate !== true) return undefined;
  return typeof escalationReason === "string" && escalationReason.length > 0
    ? escalationReason
    : `Team "${teamId}" asked to escalate.`;
}
