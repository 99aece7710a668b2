import * as z from "zod";
import { agentConfigSchema, modelListSchema, resilienceShape } from "../agents/agent-config.js";
import { CONFIG_LIMITS } from "../config/config-limits.js";
import { identifierSchema, strictObject } from "../config/strict-object.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { budgetConfigSchema } from "../cost/budget-schema.js";
import { pricingConfigSchema } from "../cost/pricing-schema.js";
import { providersSchema } from "../providers/provider-config.js";
import { flowSchema } from "../flows/flow-config.js";
import { checkTeamFlow } from "../flows/validate-team-flow.js";
import { orchestratorSchema } from "../router/orchestrator-config.js";
import { escalationPolicySchema, maxEscalationDepthSchema } from "../agents/escalation-config.js";
import { inputsSchema } from "./team-inputs.js";
import { scheduleSchema } from "./schedule-config.js";
import { mcpServersSchema } from "../tools/mcp/mcp-server-config.js";

/** The keys of a team besides its agents, shared by team files and `new LLMTeam(...)`. */
export const teamShape = {
  /** Unique team id. */
  teamId: identifierSchema("teamId"),
  /** Display name. */
  name: z.string().optional(),
  /**
   * The run input the prompts read: `{ name: type }` (every name required) or a JSON Schema of
   * an object. Default `{ query: string }`. Checked at load time against the prompts and at
   * run start against the input.
   */
  inputs: inputsSchema.optional(),
  /** What the team is for. */
  description: z.string().optional(),
  /** Default model of the agents, `provider/model`, or a list: the first, then fallbacks. */
  model: modelListSchema.optional(),
  /** Default retry policy and circuit breaker of the agents; an agent's own keys override them. */
  ...resilienceShape,
  /** Default sampling temperature of the agents, 0 to 2. */
  temperature: z.number().min(0).max(2).optional(),
  /** Default most output tokens per model call. */
  maxTokens: z.number().int().positive().optional(),
  /** Stream tokens from providers (default true). */
  stream: z.boolean().optional(),
  /** Providers by name, for models named `"<provider>/<model>"`. */
  providers: providersSchema.optional(),
  /** Most USD one run may spend: a hard run budget, enforced before each model call. */
  maxCostPerRun: z
    .number({ error: "maxCostPerRun must be a number of USD." })
    .nonnegative("maxCostPerRun must be >= 0.")
    .optional(),
  /** Budgets: per run, or per hour/day/month shared by the team's runs (see docs/cost.md). */
  budgets: z.array(budgetConfigSchema, { error: "budgets must be a list of budgets." }).optional(),
  /**
   * Prices of models by name, for models the bundled catalog does not know (self-hosted,
   * custom providers): `{ "lab/qwen": { inputPer1M: 0.2, outputPer1M: 0.6 } }`. A name may be a
   * prefix or a provider (`"lab/"`). Declared prices win over the catalog (see docs/cost.md).
   */
  pricing: pricingConfigSchema.optional(),
  /** Let unpriced models run under a budget, their cost uncounted (default false: a config error). */
  allowUnpriced: z.boolean().optional(),
  /**
   * How agents run: `sequential` (default) in the order they were added; a chain
   * `"a -> b, c -> d"` (b and c concurrently); or a graph `{ edges: [{ from, to, when }] }`.
   */
  flow: flowSchema.optional(),
  /** Stop the run after this many ms (status `timeout`); model calls in flight are aborted. */
  timeoutMs: z.number().int().positive().optional(),
  /**
   * Where the team's runs are stored so they survive the process (docs/durable-runs.md): a
   * SQLite file (e.g. `.llmteam/runs.db`) or a `postgres://` URL. Default: runs are not stored.
   */
  runStore: z.string().min(1, "runStore must name a SQLite file or a postgres:// URL.").optional(),
  /**
   * Recurring runs: `{ cron, timeZone, input }` or a list of them. Workers (`llmteam worker`)
   * queue each run when it is due (docs/scale-out.md); a team run by itself ignores it.
   */
  schedule: scheduleSchema.optional(),
  /** Router mode: an orchestrator model picks the next agent until done (see `orchestrator`). */
  orchestration: z.boolean().optional(),
  /** The router's settings (with `orchestration: true`). */
  orchestrator: orchestratorSchema.optional(),
  /**
   * MCP servers by name, whose tools agents use with `{ mcp: name }` in their `tools`:
   * `{ command, args, env }` (stdio) or `{ url, headers }` (Streamable HTTP); see docs/mcp.md.
   */
  mcpServers: mcpServersSchema.optional(),
  /**
   * What happens when an agent's step escalates (fails, meets an open breaker, or answers
   * `escalate: true`), for agents without their own `escalation`: `retry`, `skip`,
   * `{ reroute: id }`, `human` or `abort` (default; see docs/orchestration.md, "Escalation").
   */
  escalation: escalationPolicySchema.optional(),
  /** Most escalations in a chain within one step (default 3), e.g. a reroute whose target escalates. */
  maxEscalationDepth: maxEscalationDepthSchema.optional(),
};

/** The schema of a team file (JSON or YAML) and of `LLMTeam.fromConfig(...)`. */
export const teamConfigSchema = strictObject(
  {
    ...teamShape,
    agents: z
      .array(agentConfigSchema, { error: "agents must be a list of agents." })
      .max(
        CONFIG_LIMITS.maxAgents,
        `A team may have at most ${CONFIG_LIMITS.maxAgents} agents; split it into nested teams.`,
      )
      .optional(),
  },
  "a team",
).superRefine((team, context) => {
  const seen = new Map<string, number>();
  const roles = new Map<string, number>();
  (team.agents ?? []).forEach((agent, index) => {
    const id = agent.id ?? agent.role;
    const previousRole = roles.get(agent.role);
    if (previousRole !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["agents", index, "role"],
        message: `Duplicate role "${agent.role}": agents[${previousRole}] has it already. Roles must be unique in a team.`,
      });
    }
    roles.set(agent.role, index);
    const previousId = seen.get(id);
    if (previousId !== undefined && previousRole === undefined) {
      context.addIssue({
        code: "custom",
        path: ["agents", index, agent.id === undefined ? "role" : "id"],
        message: `Duplicate agent id "${id}": agents[${previousId}] has it already.`,
      });
    }
    seen.set(id, index);
    // A nested team is checked as a team, its problems under this agent's path.
    if (
      agent.type === "team" &&
      agent.team !== undefined &&
      typeof (agent.team as { run?: unknown }).run !== "function"
    ) {
      const nested = teamConfigSchema.safeParse(agent.team, { reportInput: true });
      if (!nested.success) {
        for (const issue of toConfigIssues(nested.error, ["agents", index, "team"]))
          context.addIssue({ code: "custom", path: issue.path, message: issue.message });
      }
    }
  });
  if (roles.size === (team.agents?.length ?? 0)) {
    for (const issue of checkTeamFlow(team, team.agents))
      context.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
});

/** A team as written in a file or passed to `LLMTeam.fromConfig`. */
export type TeamConfig = z.input<typeof teamConfigSchema>;
