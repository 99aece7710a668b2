import { copyConfigData } from "../../config/copy-config-data.js";
import * as z from "zod";
import { agentConfigSchema, type AgentConfig } from "../../agents/agent-config.js";
import { strictObject } from "../../config/strict-object.js";
import { toConfigIssues } from "../../config/zod-issues.js";
import { ConfigError, type ConfigIssue } from "../../errors/config-error.js";
import { teamConfigSchema, teamShape, type TeamConfig } from "../team-config.js";

const { teamId: _teamId, ...settingsShape } = teamShape;
const AGENT_KEYS = Object.keys(agentConfigSchema.shape) as [string, ...string[]];
const SETTING_KEYS = Object.keys(settingsShape) as [string, ...string[]];
const OPS = ["addAgent", "updateAgent", "removeAgent", "moveAgent", "updateTeam"] as const;
// Built from the shape: zod refuses `.partial()` on a schema with refinements. Rules that span
// keys are checked when the whole configuration is validated after the change.
const agentKeysSchema = strictObject(agentConfigSchema.shape, "an agent").partial();

const agentIdSchema = z
  .string({ error: "agentId must be a string: the id (or role) of an agent of the team." })
  .min(1);
const positionSchema = z.number().int().min(0, "position must be 0 (first) or more.");

/**
 * The schema of one configuration change. Every key of an agent or of the team's settings
 * (model, prompts, flow, budgets, policies…) is validated by the same schema as team files.
 */
export const configChangeSchema = z.discriminatedUnion(
  "op",
  [
    strictObject(
      {
        /** Adds an agent. */
        op: z.literal("addAgent"),
        agent: agentConfigSchema,
        /** Where in the run order, 0 = first (default: last). */
        position: positionSchema.optional(),
      },
      "an addAgent change",
    ),
    strictObject(
      {
        /** Changes keys of one agent (its model, prompt, system prompt, policies…). */
        op: z.literal("updateAgent"),
        agentId: agentIdSchema,
        /** Keys to set, with their new values. */
        set: agentKeysSchema.optional(),
        /** Keys to remove (back to their defaults). */
        unset: z
          .array(
            z.enum(AGENT_KEYS, {
              error: (issue) =>
                `Cannot unset ${JSON.stringify(issue.input)}: agents have no such key. Keys: ${AGENT_KEYS.join(", ")}.`,
            }),
          )
          .optional(),
      },
      "an updateAgent change",
    ),
    strictObject(
      { /** Removes one agent. */ op: z.literal("removeAgent"), agentId: agentIdSchema },
      "a removeAgent change",
    ),
    strictObject(
      {
        /** Moves one agent in the run order. */ op: z.literal("moveAgent"),
        agentId: agentIdSchema,
        position: positionSchema,
      },
      "a moveAgent change",
    ),
    strictObject(
      {
        /** Changes the team's settings (default model, flow, budget, policies…); never `teamId`. */
        op: z.literal("updateTeam"),
        set: strictObject(settingsShape, "the team's settings (teamId cannot change)")
          .partial()
          .optional(),
        unset: z
          .array(
            z.enum(SETTING_KEYS, {
              error: (issue) =>
                `Cannot unset ${JSON.stringify(issue.input)}: the team has no such setting. Settings: ${SETTING_KEYS.join(", ")}.`,
            }),
          )
          .optional(),
      },
      "an updateTeam change",
    ),
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `Unknown change op ${JSON.stringify((issue.input as { op?: unknown } | undefined)?.op)}. Valid ops: ${OPS.join(", ")}.`
        : undefined,
  },
);

/**
 * One edit of a team's configuration:
 * - `{ op: "addAgent", agent, position? }`
 * - `{ op: "updateAgent", agentId, set?, unset? }` — model, prompt, systemPrompt, temperature, policies…
 * - `{ op: "removeAgent", agentId }`
 * - `{ op: "moveAgent", agentId, position }`
 * - `{ op: "updateTeam", set?, unset? }` — the team's model, flow, budget, policies…
 *
 * @example
 * const change: ConfigChange = { op: "updateAgent", agentId: "writer", set: { prompt: "Reply formally to {query}." } };
 */
export type ConfigChange = z.input<typeof configChangeSchema>;

/**
 * Checks the shape of a list of changes (not yet against a team).
 * @throws ConfigError naming each bad change by its index, with what is valid.
 */
export function parseConfigChanges(changes: unknown): ConfigChange[] {
  if (!Array.isArray(changes) || changes.length === 0) {
    throw new ConfigError([
      {
        path: ["changes"],
        message:
          "changes must be a non-empty list of configuration changes (addAgent, updateAgent, removeAgent, moveAgent, updateTeam).",
      },
    ]);
  }
  const issues: ConfigIssue[] = [];
  changes.forEach((change, index) => {
    const parsed = configChangeSchema.safeParse(change, { reportInput: true });
    if (!parsed.success) issues.push(...toConfigIssues(parsed.error, ["changes", index]));
    else if (
      (change as { op: string }).op.startsWith("update") &&
      !(change as { set?: object }).set &&
      !(change as { unset?: unknown[] }).unset?.length
    ) {
      issues.push({
        path: ["changes", index],
        message: `${(change as { op: string }).op} needs "set" or "unset": it changes nothing as written.`,
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return structuredClone(changes as ConfigChange[]);
}

/**
 * Applies changes to a copy of `config` and validates the whole result with the team schema.
 * `config` itself is never modified: it is all or nothing.
 * @throws ConfigError naming the change (`changes.N`) or the config key that is wrong.
 */
export function applyConfigChanges(
  config: TeamConfig,
  changes: readonly ConfigChange[],
): TeamConfig {
  const next = copyConfigData(config);
  const agents: AgentConfig[] = (next.agents ??= []);
  changes.forEach((change, index) => {
    const where = ["changes", index];
    switch (change.op) {
      case "addAgent":
        agents.splice(
          checkPosition(change.position ?? agents.length, agents.length, where),
          0,
          copyConfigData(change.agent),
        );
        break;
      case "updateAgent": {
        const agent = agents[findAgent(agents, change.agentId, where)]!;
        Object.assign(agent, copyConfigData(change.set ?? {}));
        for (const key of change.unset ?? []) delete (agent as Record<string, unknown>)[key];
        break;
      }
      case "removeAgent":
        agents.splice(findAgent(agents, change.agentId, where), 1);
        break;
      case "moveAgent": {
        const [agent] = agents.splice(findAgent(agents, change.agentId, where), 1);
        agents.splice(checkPosition(change.position, agents.length, where), 0, agent!);
        break;
      }
      case "updateTeam": {
        Object.assign(next, copyConfigData(change.set ?? {}));
        for (const key of change.unset ?? []) delete (next as Record<string, unknown>)[key];
        break;
      }
    }
  });
  if (agents.length === 0 && config.agents === undefined) delete next.agents;
  return validateTeamConfig(next);
}

/**
 * Validates a whole team configuration.
 * @throws ConfigError listing every problem.
 */
export function validateTeamConfig(config: TeamConfig): TeamConfig {
  const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
  return config;
}

function findAgent(agents: AgentConfig[], agentId: string, where: (string | number)[]): number {
  const index = agents.findIndex((agent) => (agent.id ?? agent.role) === agentId);
  if (index === -1) {
    const known = agents.map((agent) => agent.id ?? agent.role);
    throw new ConfigError([
      {
        path: [...where, "agentId"],
        message: `Unknown agent "${agentId}". Known agents: ${known.join(", ") || "none"}.`,
      },
    ]);
  }
  return index;
}

function checkPosition(position: number, length: number, where: (string | number)[]): number {
  if (position > length) {
    throw new ConfigError([
      {
        path: [...where, "position"],
        message: `position ${position} is past the end: the team has ${length} other agents, so use 0 to ${length}.`,
      },
    ]);
  }
  return position;
}
