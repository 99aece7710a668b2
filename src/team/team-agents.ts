import { agentConfigSchema, type AgentConfig } from "../agents/agent-config.js";
import { prepareAgent, type PreparedAgent } from "../agents/llm-agent.js";
import { checkConfigLimits, CONFIG_LIMITS } from "../config/config-limits.js";
import { toConfigIssues } from "../config/zod-issues.js";
import type { BudgetManager } from "../cost/budget-manager.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import type { Clock } from "../internal/clock.js";
import { KnowledgeCatalog } from "../knowledge/knowledge-catalog.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import type { ToolRegistry } from "../tools/tool-registry.js";
import { knowledgeSearch } from "../tools/builtin/knowledge-search.js";
import { ToolDefinition, type AnyToolDefinition } from "../tools/tool-definition.js";
import { checkVariables } from "../flows/check-variables.js";
import {
  checkEnvironment,
  checkModelNames,
  checkPricing,
  NO_GAPS,
  uniqueIssues,
  type CheckGaps,
  type TeamCheckContext,
} from "./check-team.js";
import { namedAgent } from "./name-model-instances.js";
import { standInAgent, type SalvagedAgent } from "./salvage-team-config.js";
import type { TeamConfig } from "./team-config.js";
import { inputNames } from "./team-inputs.js";
import type { CheckedTeam } from "./check-team-config.js";
import { listAgentTools, type AgentTools } from "./team-tools.js";

export type { AgentTools } from "./team-tools.js";

/** What a nested team offers its parent beyond the check: being closed, listing its tools. */
interface OpenTeam {
  close(): Promise<void>;
  listTools(signal?: AbortSignal): Promise<AgentTools[]>;
}

/** What {@link TeamAgents} reads of its team. */
export interface TeamAgentsOptions<Nested> {
  /** The team's current settings (replaced when approved proposals are applied). */
  settings: () => Omit<TeamConfig, "agents">;
  models: ModelRegistry;
  tools: ToolRegistry;
  clock: Clock;
  defaultModel: string | undefined;
  pricing: PricingRegistry;
  budgets: readonly BudgetManager[];
  /** Builds the nested team of a `type: team` agent. */
  nestedTeam: (config: AgentConfig, index: number) => Nested;
  /** Called when the agents changed (the flow must be planned again). */
  changed: () => void;
  /** The knowledge bases `rag` / `kag` agents name (default: `.llmteam/kb`, made on first use). */
  knowledge?: KnowledgeCatalog | undefined;
}

/**
 * The agents of a team: each validated, prepared (templates, tools) and checked as it is added,
 * with the nested teams of `type: team` agents. `prepared` and `nestedTeams` are edited in place.
 */
export class TeamAgents<Nested extends CheckedTeam & OpenTeam> {
  /** The prepared agents in run order. */
  readonly prepared: PreparedAgent[] = [];
  /** Nested teams of `type: team` agents, by agent id. */
  readonly nestedTeams = new Map<string, Nested>();
  /** What the check cannot know because part of the configuration did not parse. */
  gaps: CheckGaps = NO_GAPS;
  /** True while configured agents are added (checked together at the end). */
  private building = false;
  /** Stand-ins of configured agents that did not parse or build (only in a team never returned). */
  private readonly standIns = new Set<PreparedAgent>();
  /** The team's `knowledge_search` tool, once an agent named it. */
  private knowledgeSearch: AnyToolDefinition | undefined;

  constructor(private readonly team: TeamAgentsOptions<Nested>) {}

  /**
   * Adds an agent at the end.
   * @throws ConfigError for an invalid agent or a duplicate role or id.
   */
  add(config: AgentConfig): void {
    const index = this.prepared.length;
    if (index >= CONFIG_LIMITS.maxAgents) {
      throw new ConfigError([
        {
          path: ["agents", index],
          message: `A team may have at most ${CONFIG_LIMITS.maxAgents} agents; split it into nested teams.`,
        },
      ]);
    }
    const limits = checkConfigLimits(config, ["agents", index]);
    if (limits.length > 0) throw new ConfigError(limits);
    const parsed = agentConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, ["agents", index]));
    config = namedAgent(this.team.models, parsed.data);
    const agent = this.prepare(config, index);
    this.checkUnique(agent, index);
    if (!this.building) this.checkAdded(agent, index);
    if (config.type === "team") this.nestedTeams.set(agent.id, this.team.nestedTeam(config, index));
    this.prepared.push(agent);
    this.team.changed();
  }

  private checkUnique(agent: PreparedAgent, index: number): void {
    const sameRole = this.prepared.find((other) => other.role === agent.role);
    if (sameRole) {
      throw new ConfigError([
        {
          path: ["agents", index, "role"],
          message: `Duplicate role "${agent.role}": the team has an agent with this role already. Roles must be unique in a team.`,
        },
      ]);
    }
    const sameId = this.prepared.find((other) => other.id === agent.id);
    if (sameId) {
      throw new ConfigError([
        {
          path: ["agents", index, "id"],
          message: `Duplicate agent id "${agent.id}": agent "${sameId.role}" has it already.`,
        },
      ]);
    }
  }

  /**
   * Adds the agents of a team's configuration, then checks the team with `check`.
   * @throws ConfigError with every problem.
   */
  addAll(agents: readonly AgentConfig[], check: () => ConfigIssue[]): void {
    const built = this.addConfigured(agents.map((config) => ({ config, standIn: false })));
    const errors = uniqueIssues([...built, ...check()]);
    if (errors.length > 0) throw new ConfigError(errors);
  }

  /**
   * Adds the configured agents, each checked as it is added; an agent that fails leaves a
   * stand-in in its place, so the rest are checked as they would be. Returns the problems.
   */
  addConfigured(agents: readonly SalvagedAgent[]): ConfigIssue[] {
    const errors: ConfigIssue[] = [];
    this.building = true;
    try {
      agents.forEach(({ config, standIn }, index) => {
        if (standIn) return this.addStandIn(config, index);
        try {
          this.add(config);
        } catch (error) {
          if (!ConfigError.isInstance(error)) throw error;
          errors.push(...error.issues);
          // Unknown tools: check the rest of the agent without them.
          if (config.tools !== undefined && this.prepared.length === index) {
            try {
              this.add({ ...config, tools: [] });
              return;
            } catch (retry) {
              if (!ConfigError.isInstance(retry)) throw retry;
            }
          }
          this.addStandIn(standInAgent(config, index), index);
        }
      });
    } finally {
      this.building = false;
    }
    return errors;
  }

  private addStandIn(config: AgentConfig, index: number): void {
    try {
      this.add(config);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      // Its id is taken: which agent prompts and the flow mean is not known.
      this.gaps = { ...this.gaps, skipped: new Set([...this.gaps.skipped, "flow", "variables"]) };
      this.add(standInAgent({}, index));
    }
    this.standIns.add(this.prepared.at(-1)!);
  }

  /**
   * The load-time checks of one added agent: its models, and in a sequential team its prompt
   * variables (in other flows they are checked by `validate()` and at run start).
   */
  private checkAdded(agent: PreparedAgent, index: number): void {
    const context = this.checkContext([...this.prepared, agent]);
    const issues = checkModelNames(context, agent);
    const settings = this.team.settings();
    if (
      (settings.flow === undefined || settings.flow === "sequential") &&
      !settings.orchestration
    ) {
      const variables = checkVariables(
        context.agents as PreparedAgent[],
        { kind: "sequential" },
        inputNames(settings.inputs),
      );
      issues.push(...variables.filter((issue) => issue.path[1] === index));
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }

  /** What the load-time check reads: the settings, these agents and the team's registries. */
  checkContext(agents: readonly PreparedAgent[] = this.prepared): TeamCheckContext {
    const { models, defaultModel, pricing, budgets } = this.team;
    return {
      settings: this.team.settings(),
      agents,
      models,
      defaultModel,
      pricing,
      budgets,
      standIns: this.standIns,
      gaps: this.gaps,
    };
  }

  /**
   * The load-time check of the agents (see `LLMTeam.check()`): the flow and prompt variables
   * through `validateFlow` (given the input names, or undefined when they are not known), model
   * names, pricing under budgets, and what the environment lacks, nested teams' included.
   */
  check(validateFlow: (inputs: string[] | undefined) => void): {
    errors: ConfigIssue[];
    warnings: ConfigIssue[];
  } {
    const context = this.checkContext();
    const errors: ConfigIssue[] = [];
    const { skipped } = this.gaps;
    try {
      if (!skipped.has("flow"))
        validateFlow(skipped.has("variables") ? undefined : inputNames(context.settings.inputs));
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      errors.push(...error.issues);
    }
    errors.push(...checkModelNames(context), ...checkPricing(context));
    const warnings = checkEnvironment(context);
    this.prepared.forEach((agent, index) => {
      const nested = this.nestedTeams.get(agent.id);
      if (!nested) return;
      // Its errors stopped it from being built; what its environment lacks is reported here.
      for (const issue of nested.check().warnings)
        warnings.push({ ...issue, path: ["agents", index, "team", ...issue.path] });
    });
    return { errors, warnings };
  }

  /**
   * The tools named by a configuration's agents that the team does not have (a proposal is
   * checked with this before it is accepted: applying it would fail).
   */
  unknownTools(config: TeamConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    (config.agents ?? []).forEach((agent, index) => {
      try {
        this.team.tools.resolve(agent.tools ?? [], ["agents", index, "tools"]);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        issues.push(...error.issues);
      }
    });
    return issues;
  }

  /** Stops the team's MCP servers and its nested teams'. */
  async close(): Promise<void> {
    const nested = [...this.nestedTeams.values()].map((team) => team.close());
    await Promise.all([this.team.tools.mcpServers?.close(), ...nested]);
  }

  /** Every tool each agent would get (see `LLMTeam.listTools`). */
  listTools(signal?: AbortSignal): Promise<AgentTools[]> {
    const { tools } = this.team;
    return listAgentTools(
      { tools, prepared: this.prepared, nestedTeams: this.nestedTeams },
      signal,
    );
  }

  /** Prepares validated agents (all or none) for {@link replace}. */
  prepareAll(configs: readonly AgentConfig[]): PreparedAgent[] {
    return configs.map((config, index) => this.prepare(config, index));
  }

  /** Replaces every agent at once with prepared ones, building their nested teams again. */
  replace(prepared: readonly PreparedAgent[], configs: readonly AgentConfig[]): void {
    this.prepared.splice(0, this.prepared.length, ...prepared);
    this.nestedTeams.clear();
    configs.forEach((config, index) => {
      if (config.type === "team")
        this.nestedTeams.set(prepared[index]!.id, this.team.nestedTeam(config, index));
    });
    this.team.changed();
  }

  /** `knowledge_search` over the team's catalog, unless a tool of that name was registered. */
  private registerKnowledgeSearch(): void {
    if (this.knowledgeSearch) return;
    this.knowledgeSearch = knowledgeSearch({ catalog: this.knowledge() });
    try {
      this.team.tools.register(this.knowledgeSearch);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
    }
  }

  /** The team's knowledge catalog: the one given, else the process's shared one of `.llmteam/kb`. */
  private knowledge(): KnowledgeCatalog {
    return (this.team.knowledge ??= KnowledgeCatalog.shared());
  }

  /**
   * Prepares a validated agent: its templates and its tools (inline ones join the registry);
   * a `rag` / `kag` agent's knowledge base must exist.
   */
  private prepare(config: AgentConfig, index: number): PreparedAgent {
    const { tools, clock } = this.team;
    if (config.tools?.includes("knowledge_search")) this.registerKnowledgeSearch();
    if (config.knowledgeBase !== undefined && !this.knowledge().has(config.knowledgeBase)) {
      const id = config.id ?? config.role;
      throw new ConfigError([
        {
          path: ["agents", index, "knowledgeBase"],
          message: `Agent "${id}" reads knowledge base "${config.knowledgeBase}", which does not exist ${this.knowledge().whereAndWhat(config.knowledgeBase)}`,
        },
      ]);
    }
    for (const reference of config.tools ?? []) {
      if (ToolDefinition.isInstance(reference) && tools.get(reference.name) !== reference)
        tools.register(reference);
    }
    const resolved = tools.resolveAll(config.tools ?? [], ["agents", index, "tools"]);
    return prepareAgent(config, resolved.tools, clock, resolved.sources, (name) =>
      this.knowledge().open(name),
    );
  }
}
