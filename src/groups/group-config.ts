import * as z from "zod";
import { resilienceShape } from "../agents/agent-config.js";
import { identifierSchema, strictObject } from "../config/strict-object.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { providersSchema } from "../providers/provider-config.js";
import { orchestratorSchema } from "../router/orchestrator-config.js";
import { compileTermination } from "../router/termination.js";
import { teamConfigSchema } from "../team/team-config.js";

/**
 * How a group coordinates its teams:
 * - `report_collector`: runs every team on the input, one after the other, and collects their outputs by team id;
 * - `coordinator`: the leader, then the members, then the specialists, each output feeding the next;
 * - `router`: an orchestrator model picks the next team until it says done;
 * - `aggregator`: runs the teams in parallel and merges their outputs;
 * - `arbiter`: runs the teams in parallel, then a model picks the best output or writes a synthesis.
 */
export const GROUP_ROLES = [
  "report_collector",
  "coordinator",
  "router",
  "aggregator",
  "arbiter",
] as const;
/** One of {@link GROUP_ROLES}. */
export type GroupRole = (typeof GROUP_ROLES)[number];

/**
 * A team's part in a group: `leader` (at most one; runs first), `member`, `specialist`
 * (after the members in a coordinator), `fallback` (runs only in place of a team that failed).
 */
export const TEAM_ROLES = ["leader", "member", "specialist", "fallback"] as const;
/** One of {@link TEAM_ROLES}. */
export type TeamRole = (typeof TEAM_ROLES)[number];

/** One team of a group, as written in a group file. */
export const groupTeamSchema = strictObject(
  {
    /** The team's part (default `member`). */
    role: z
      .enum(TEAM_ROLES, {
        error: (issue) =>
          `Unknown team role ${JSON.stringify(issue.input)}. Valid roles: ${TEAM_ROLES.join(", ")}.`,
      })
      .optional(),
    /** The team, inline (teamId, agents, ...). */
    team: z
      .custom<object>(
        (value) => typeof value === "object" && value !== null && !Array.isArray(value),
        { error: "team must be a team configuration (teamId, agents, ...)." },
      )
      .optional(),
    /** Or a team file, relative to the group file. */
    file: z.string().min(1).optional(),
  },
  "a group team",
);

/**
 * A group's escalation policy: what it does when a `leader` or `specialist` team escalates to it.
 * `abort` (default) fails the group; `{ reroute: <teamId> }` runs that team in its place;
 * `{ allowRequests: true }` (with or without `reroute`) runs the team the escalating team asks
 * for (`requestTeam` in its output), when it is another team of the group.
 */
export const groupEscalationSchema = z
  .custom<"abort" | { reroute?: string; allowRequests?: boolean }>()
  .superRefine((value, context) => {
    if (value === "abort") return;
    const policy = typeof value === "object" && value !== null ? (value as object) : undefined;
    const keys = policy ? Object.keys(policy) : [];
    const { reroute, allowRequests } = (policy ?? {}) as Record<string, unknown>;
    const known = keys.every((key) => key === "reroute" || key === "allowRequests");
    const rerouteOk = reroute === undefined || (typeof reroute === "string" && reroute.length > 0);
    const requestsOk = allowRequests === undefined || typeof allowRequests === "boolean";
    if (keys.length > 0 && known && rerouteOk && requestsOk) return;
    context.addIssue({
      code: "custom",
      message: `A group's escalation must be "abort" or { reroute: "<teamId>", allowRequests: true|false } (a team of the group; either key); got ${JSON.stringify(value)}.`,
    });
  });

const groupSettingsShape = {
  groupId: identifierSchema("groupId"),
  name: z.string().optional(),
  description: z.string().optional(),
  /** How the group coordinates its teams (default `report_collector`). */
  role: z
    .enum(GROUP_ROLES, {
      error: (issue) =>
        `Unknown group role ${JSON.stringify(issue.input)}. Valid roles: ${GROUP_ROLES.join(", ")}.`,
    })
    .optional(),
  /** Default model of the teams that name none, and of the orchestrator. */
  model: z.string().min(1).optional(),
  /** The model that routes (role `router`) or judges (role `arbiter`). */
  orchestrator: orchestratorSchema.optional(),
  /** Stop the group after this many ms (status `timeout`). */
  timeoutMs: z.number().int().positive().optional(),
  /** Retry policy and circuit breaker of the orchestrator's model calls (as a team's; default: 3 retries, no breaker). */
  ...resilienceShape,
  /** Providers for the teams and the orchestrator. */
  providers: providersSchema.optional(),
  /** What the group does when a leader or specialist team escalates to it (default `abort`). */
  escalation: groupEscalationSchema.optional(),
};

type GroupSettings = z.output<z.ZodObject<typeof groupSettingsShape>>;

/** Checks that the orchestrator settings fit the role. */
function checkSettings(
  group: GroupSettings,
  teamIds: string[] | undefined,
  context: z.RefinementCtx,
): void {
  const role = group.role ?? "report_collector";
  if (group.orchestrator !== undefined && role !== "router" && role !== "arbiter") {
    context.addIssue({
      code: "custom",
      path: ["orchestrator"],
      message: `orchestrator applies to the router and arbiter roles, not to ${role}.`,
    });
  }
  if (group.orchestrator?.terminateWhen !== undefined) {
    const compiled = compileTermination(
      group.orchestrator.terminateWhen,
      ["orchestrator", "terminateWhen"],
      teamIds,
    );
    if (Array.isArray(compiled))
      for (const problem of compiled)
        context.addIssue({ code: "custom", path: problem.path, message: problem.message });
  }
}

/** A group's settings without its teams (what `new LLMGroup(...)` checks; teams are added as objects). */
export const groupSettingsSchema = strictObject(groupSettingsShape, "a group").superRefine(
  (group, context) => checkSettings(group, undefined, context),
);

/** The schema of a group file and of `LLMGroup.fromConfig(...)`. */
export const groupConfigSchema = strictObject(
  {
    ...groupSettingsShape,
    /** The teams and their roles. */
    teams: z
      .array(groupTeamSchema, { error: "teams must be a list of { role, team } entries." })
      .min(1, "A group needs at least one team."),
  },
  "a group",
).superRefine((group, context) => {
  const issue = (path: (string | number)[], message: string): void =>
    context.addIssue({ code: "custom", path, message });
  let leader: number | undefined;
  const ids = new Map<string, number>();
  group.teams.forEach((entry, index) => {
    if (entry.role === "leader") {
      if (leader !== undefined)
        issue(
          ["teams", index, "role"],
          `A group has at most one leader; teams[${leader}] is the leader already.`,
        );
      leader ??= index;
    }
    if ((entry.team === undefined) === (entry.file === undefined))
      issue(["teams", index], "Give each team either team (inline) or file (a team file).");
    if (entry.team === undefined || typeof (entry.team as { run?: unknown }).run === "function")
      return;
    const parsed = teamConfigSchema.safeParse(entry.team, { reportInput: true });
    if (!parsed.success) {
      for (const problem of toConfigIssues(parsed.error, ["teams", index, "team"]))
        issue(problem.path, problem.message);
      return;
    }
    const teamId = parsed.data.teamId;
    const previous = ids.get(teamId);
    if (previous !== undefined)
      issue(
        ["teams", index, "team", "teamId"],
        `Duplicate teamId "${teamId}": teams[${previous}] has it already.`,
      );
    ids.set(teamId, index);
  });
  if (group.teams.every((entry) => entry.role === "fallback"))
    issue(["teams"], "Every team is a fallback: a group needs at least one team that is not.");
  checkSettings(group, ids.size > 0 ? [...ids.keys()] : undefined, context);
  const target = typeof group.escalation === "object" ? group.escalation.reroute : undefined;
  if (target !== undefined && ids.size === group.teams.length && !ids.has(target))
    issue(
      ["escalation", "reroute"],
      `The group's escalation reroutes to unknown team "${target}". Teams: ${[...ids.keys()].join(", ")}.`,
    );
});

/** A group as written in a file or passed to `LLMGroup.fromConfig`. */
export type GroupConfig = z.input<typeof groupConfigSchema>;
