import type * as z from "zod";
import { agentConfigSchema, type AgentConfig } from "../agents/agent-config.js";
import { identifierSchema } from "../config/strict-object.js";
import { providersSchema } from "../providers/provider-config.js";
import type { CheckGaps, TeamCheckName } from "./check-team.js";
import { teamConfigSchema, teamShape, type TeamConfig } from "./team-config.js";

/** One agent of a salvaged team: its parsed configuration, or a stand-in keeping its place. */
export interface SalvagedAgent {
  config: AgentConfig;
  /** True when the agent did not parse: `config` is a stand-in (see {@link standInAgent}). */
  standIn: boolean;
}

/** The parts of a team configuration that parsed, and what the check cannot know without the rest. */
export interface SalvagedTeam {
  settings: Omit<TeamConfig, "agents">;
  /** Undefined when the configuration has no `agents` key. */
  agents: SalvagedAgent[] | undefined;
  gaps: CheckGaps;
}

const ALL_CHECKS: TeamCheckName[] = ["variables", "flow", "models", "pricing", "environment"];

/** The checks that read each team setting, beyond the setting itself. */
const READ_BY: Partial<Record<string, TeamCheckName[]>> = {
  inputs: ["variables"],
  flow: ["flow", "variables"],
  orchestration: ["flow", "variables"],
  orchestrator: ["flow", "variables"],
  maxCostPerRun: ["pricing"],
  budgets: ["pricing"],
  allowUnpriced: ["pricing"],
};

/**
 * Keeps the parts of a team configuration that parse on their own, for the load-time check to
 * run on them when the whole fails the schema: every team setting that parses, every agent
 * that parses (one that does not is replaced by a stand-in with its id and output key, which
 * provides any field to later prompts), and the {@link CheckGaps}: the checks that read a part
 * that did not parse are left out, so no problem is reported that fixing that part could remove.
 * @returns undefined when the configuration is not an object or its settings cannot be salvaged.
 */
export function salvageTeamConfig(config: unknown): SalvagedTeam | undefined {
  if (!isRecord(config)) return undefined;
  const skipped = new Set<TeamCheckName>();
  const providers = new Set<string>();
  let teamModel = false;
  const skip = (check: TeamCheckName): void => void skipped.add(check);
  const settings: Record<string, unknown> = { teamId: "team" };
  const shape = teamShape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(config)) {
    if (key === "agents") continue;
    const schema = Object.hasOwn(shape, key) ? shape[key] : undefined;
    // An unknown key may be any setting misspelt: no team-wide check can trust the rest.
    if (!schema) ALL_CHECKS.forEach(skip);
    else {
      const parsed = schema.safeParse(value);
      if (parsed.success) settings[key] = parsed.data;
      else if (key === "providers" && isRecord(value)) {
        settings.providers = salvageProviders(value, providers);
      } else if (key === "providers") (["models", "pricing", "environment"] as const).forEach(skip);
      else if (key === "model") teamModel = true;
      else READ_BY[key]?.forEach(skip);
    }
  }
  // Settings valid one by one may still conflict (an orchestrator without orchestration).
  if (!teamConfigSchema.safeParse(settings).success) {
    for (const key of ["flow", "orchestration", "orchestrator"]) delete settings[key];
    (["flow", "variables"] as const).forEach(skip);
    if (!teamConfigSchema.safeParse(settings).success) return undefined;
  }
  let agents: SalvagedAgent[] | undefined;
  if (Array.isArray(config.agents)) {
    const salvaged = salvageAgents(config.agents);
    agents = salvaged.agents;
    if (!salvaged.identified) (["flow", "variables"] as const).forEach(skip);
  } else if (config.agents !== undefined) {
    ALL_CHECKS.forEach(skip);
    agents = [];
  }
  return {
    settings: settings as SalvagedTeam["settings"],
    agents,
    gaps: { skipped, providers, teamModel },
  };
}

/** The providers that parse; the names of the others go into `broken`. */
function salvageProviders(
  value: Record<string, unknown>,
  broken: Set<string>,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, provider] of Object.entries(value)) {
    const parsed = providersSchema.safeParse({ [name]: provider });
    if (parsed.success) Object.assign(kept, parsed.data);
    else broken.add(name);
  }
  return kept;
}

/**
 * The agents that parse, and stand-ins for the others. `identified` is false when the id or
 * output key of an agent that did not parse cannot be read (a prompt may read it under any name).
 */
function salvageAgents(list: unknown[]): { agents: SalvagedAgent[]; identified: boolean } {
  const roles = new Set<string>();
  const ids = new Set<string>();
  let identified = true;
  const agents = list.map((raw, index): SalvagedAgent => {
    const parsed = agentConfigSchema.safeParse(raw);
    if (parsed.success) {
      const { role, id = role } = parsed.data;
      if (!roles.has(role) && !ids.has(id)) {
        roles.add(role);
        ids.add(id);
        return { config: parsed.data, standIn: false };
      }
      // A duplicate: which agent a prompt or the flow means by that name is not known.
      identified = false;
      return { config: standInAgent({}, index), standIn: true };
    }
    const record = isRecord(raw) ? raw : {};
    const role = identifier(record.role);
    const id = identifier(record.id);
    const outputKey = identifier(record.outputKey);
    const known =
      (role !== undefined || id !== undefined) &&
      (record.id === undefined || id !== undefined) &&
      (record.outputKey === undefined || outputKey !== undefined) &&
      !roles.has(role ?? "") &&
      !ids.has(id ?? role ?? "");
    if (!known) {
      identified = false;
      return { config: standInAgent({}, index), standIn: true };
    }
    if (role !== undefined) roles.add(role);
    ids.add(id ?? role!);
    return { config: standInAgent({ role, id, outputKey }, index), standIn: true };
  });
  return { agents, identified };
}

/**
 * An agent that stands in for one that did not parse or build: it keeps the agent's place,
 * id and output key, reads nothing, and declares an output schema with any field, so reads of
 * its output are not reported. It is never run: a team with stand-ins is never returned.
 */
export function standInAgent(
  identity: { role?: string | undefined; id?: string | undefined; outputKey?: string | undefined },
  index: number,
): AgentConfig {
  const role = identity.role ?? `unparsed-agent-${index}`;
  return {
    type: "llm",
    role,
    ...(identity.id === undefined ? {} : { id: identity.id }),
    ...(identity.outputKey === undefined ? {} : { outputKey: identity.outputKey }),
    prompt: "(stand-in for an agent with configuration errors)",
    outputSchema: { type: "object" },
  };
}

function identifier(value: unknown): string | undefined {
  const parsed = identifierSchema("name").safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
