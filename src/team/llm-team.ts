import type { LanguageModelV4 } from "@ai-sdk/provider";
import { agentConfigSchema, type AgentConfig } from "../agents/agent-config.js";
import { prepareAgent, type PreparedAgent } from "../agents/llm-agent.js";
import { checkConfigLimits, CONFIG_LIMITS } from "../config/config-limits.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { Budget } from "../cost/budget.js";
import { BudgetManager } from "../cost/budget-manager.js";
import { getBudgetStatus, type BudgetStatusReport } from "../cost/budget-status.js";
import { createCostGuard } from "../cost/cost-middleware.js";
import { CostTracker } from "../cost/cost-tracker.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import { registerDeclaredPrices } from "../cost/pricing-schema.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { systemClock, type Clock } from "../internal/clock.js";
import { ModelRegistry } from "../providers/model-registry.js";
import { MemoryBreakerStore, type BreakerStore } from "../resilience/breaker-store.js";
import type { AnyToolDefinition } from "../tools/tool-definition.js";
import { ToolRegistry } from "../tools/tool-registry.js";
import type { BudgetStore } from "../store/budget-store.js";
import { MemoryBudgetStore } from "../store/memory-budget-store.js";
import { ConfiguratorSession, type ConfigureOptions } from "./lifecycle/configurator-session.js";
import type { RunHandle } from "./lifecycle/run-handle.js";
import { TeamLifecycle } from "./lifecycle/team-lifecycle.js";
import type { TeamState } from "./lifecycle/team-state.js";
import {
  checkEnvironment,
  checkModelNames,
  checkPricing,
  NO_GAPS,
  uniqueIssues,
  type CheckGaps,
  type TeamCheckContext,
} from "./check-team.js";
import { checkVariables } from "../flows/check-variables.js";
import type { NestedTeam } from "../run/nested-team.js";
import type { RunExecution } from "../run/run-execution.js";
import type { RunInput, RunOptions } from "../run/run-input.js";
import type { RunResult } from "../run/run-result.js";
import type { RunStream } from "../run/run-stream.js";
import type { TypedTeamOptions } from "./team-output.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import { TeamPipelines } from "./team-pipelines.js";
import type { LLMTeamOptions } from "./llm-team-options.js";

export type { LLMTeamOptions } from "./llm-team-options.js";
import { nameModel, namedAgent, namedConfig, namedSettings } from "./name-model-instances.js";
import { firstModel, TeamPlanner } from "./team-planner.js";
import { inputNames } from "./team-inputs.js";
import { TeamRunner } from "./team-runner.js";
import { RUNTIME_KEYS, type TeamRuntimeOptions } from "./team-runtime-options.js";
import { salvageTeamConfig, standInAgent, type SalvagedAgent } from "./salvage-team-config.js";

/** What {@link LLMTeam.checkConfig} finds: the team when it has no errors, every error and warning. */
export interface TeamConfigCheck {
  /** The team, built; undefined when there are errors. */
  team: LLMTeam | undefined;
  /** Every problem of the configuration (see `team.check()`), schema problems first. */
  errors: ConfigIssue[];
  /** What the environment lacks (API keys, local model files): a run fails on them at start. */
  warnings: ConfigIssue[];
}

/**
 * A team of LLM agents. Declare agents as data, then `run()` or `stream()` it.
 *
 * @example
 * const team = new LLMTeam({ teamId: "support", model: "openai/gpt-4o-mini" });
 * team.addAgent({ type: "llm", role: "triage", prompt: "Classify this request: {query}" });
 * team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query}. Category: {triage}" });
 * const result = await team.run({ query: "My invoice is wrong" });
 */
export class LLMTeam<TOutput = unknown> implements NestedTeam<RunExecution> {
  readonly teamId: string;
  /** Models by name: registered instances and providers. */
  readonly models: ModelRegistry;
  /** Tools by name: registered ones and the built-ins. */
  readonly tools: ToolRegistry;
  /** Counts what every model call of the team's runs costs; `history` holds ended runs. */
  readonly costTracker: CostTracker;
  /** One manager per budget: `maxCostPerRun` first, then `budgets`. Add alert callbacks here. */
  readonly budgetManagers: readonly BudgetManager[];
  /** Where the team's period budgets keep their spend. */
  readonly budgetStore: BudgetStore;
  /** The team's state machine, configuration proposals and versions (enforced with `enforceLifecycle`). */
  readonly lifecycle: TeamLifecycle;
  private settings: Omit<TeamConfig, "agents">;
  private readonly prepared: PreparedAgent[] = [];
  private readonly clock: Clock;
  private defaultModel: string | undefined;
  /** Breaker state of every agent of the team, kept across runs. */
  readonly breakerStore: BreakerStore;
  private readonly runtime: TeamRuntimeOptions;
  /** Nested teams of `type: team` agents, by agent id. */
  private readonly nestedTeams = new Map<string, LLMTeam>();
  private readonly pipelines: TeamPipelines;
  private readonly planner: TeamPlanner;
  private readonly runner: TeamRunner;
  /** True while the constructor adds the configured agents (checked together at the end). */
  private building = false;
  /** Stand-ins of configured agents that did not parse or build (only in a team that is never returned). */
  private readonly standIns = new Set<PreparedAgent>();
  /** What the check cannot know because part of the configuration did not parse. */
  private gaps: CheckGaps = NO_GAPS;

  /**
   * @throws ConfigError naming every invalid key, with what is valid; when `agents` are
   *   given, also every problem of the flow (unknown agents, cycles, unreachable agents,
   *   ambiguous entry, conditions that cannot hold).
   *
   * A sequential team whose `agents` end with an `llm` agent with a zod `outputSchema` is typed
   * by it: `run()` resolves to `RunResult<z.output<typeof schema>>` (see {@link TypedTeamOptions}).
   */
  constructor(options: TypedTeamOptions<TOutput>);
  constructor(options: LLMTeamOptions);
  constructor(options: LLMTeamOptions) {
    const config: Record<string, unknown> = { ...options };
    for (const key of RUNTIME_KEYS) delete config[key];
    const limits = checkConfigLimits(config);
    if (limits.length > 0) throw new ConfigError(limits);
    // `pricing` is runtime when it is a registry, else declared prices (configuration data).
    const registry = options.pricing instanceof PricingRegistry ? options.pricing : undefined;
    if (!registry && options.pricing !== undefined) config.pricing = options.pricing;
    const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
    // Schema problems, and what the rest of the configuration shows (see checkConfig).
    if (!parsed.success) throw new ConfigError(LLMTeam.checkConfig(options).errors);
    // Continue from the parsed value: nothing the schema did not check goes on.
    const { agents, ...settings } = parsed.data;
    this.settings = settings;
    this.teamId = settings.teamId;
    this.clock = options.clock ?? systemClock;

    this.runtime = Object.fromEntries(
      RUNTIME_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
    );
    if (!registry) delete this.runtime.pricing;
    this.tools = new ToolRegistry({ tools: options.tools ?? [] });
    this.costTracker =
      options.costTracker ??
      new CostTracker({
        pricing: registry ?? new PricingRegistry({ clock: this.clock }),
        clock: this.clock,
      });
    registerDeclaredPrices(this.costTracker.pricing, settings.pricing, settings.providers);
    this.budgetManagers = [
      ...(settings.maxCostPerRun === undefined
        ? []
        : [new Budget({ maxCost: settings.maxCostPerRun })]),
      ...(settings.budgets ?? []).map((budget) => new Budget(budget)),
    ].map((budget) => new BudgetManager(budget));
    this.budgetStore = options.budgetStore ?? new MemoryBudgetStore();
    this.breakerStore = options.breakerStore ?? new MemoryBreakerStore();
    const cost = createCostGuard({
      tracker: this.costTracker,
      budgets: this.budgetManagers,
      store: this.budgetStore,
      teamId: this.teamId,
      allowUnpriced: settings.allowUnpriced ?? false,
    });
    const currentSettings = (): Omit<TeamConfig, "agents"> => this.settings;
    this.pipelines = new TeamPipelines(currentSettings, {
      cost,
      middleware: options.middleware ?? [],
      breakerStore: this.breakerStore,
      breakerKeyPrefix: `${this.teamId}:`,
    });
    this.models = new ModelRegistry({
      ...(settings.providers ? { providers: settings.providers } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    // Model instances given in place of names are registered and named from here on.
    this.settings = namedSettings(this.models, settings);
    this.defaultModel =
      options.defaultModel === undefined ? undefined : nameModel(this.models, options.defaultModel);
    this.lifecycle = new TeamLifecycle({
      enforced: options.enforceLifecycle ?? false,
      clock: this.clock,
      teamId: this.teamId,
      read: () => this.toConfig(),
      write: (next) => this.replaceConfig(next),
    });
    const { teamId, prepared, costTracker, clock } = this;
    this.planner = new TeamPlanner({
      teamId,
      agents: prepared,
      nestedTeams: this.nestedTeams,
      settings: currentSettings,
      defaultModel: this.defaultModel,
      models: this.models,
      costTracker,
      budgetManagers: this.budgetManagers,
      pipelines: this.pipelines,
      clock,
    });
    const streamBufferSize = options.streamBufferSize ?? 1024;
    this.runner = new TeamRunner({
      teamId,
      agents: prepared,
      settings: currentSettings,
      planner: this.planner,
      lifecycle: this.lifecycle,
      costTracker,
      clock,
      streamBufferSize,
    });
    if (agents !== undefined) {
      const built = this.addConfigured(agents.map((config) => ({ config, standIn: false })));
      const errors = uniqueIssues([...built, ...this.check().errors]);
      if (errors.length > 0) throw new ConfigError(errors);
    }
  }

  /**
   * Checks a team configuration without throwing: every error `new LLMTeam(config)` would
   * throw and every warning `team.check()` would give. When part of the configuration fails
   * the schema, the other checks still run on every part that parsed (an agent that does not
   * parse is left out, and so is every check that would read it), so one call reports them all.
   *
   * @example
   * const { errors, warnings } = LLMTeam.checkConfig(JSON.parse(text));
   */
  static checkConfig(options: LLMTeamOptions): TeamConfigCheck {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      const parsed = teamConfigSchema.safeParse(options, { reportInput: true });
      return {
        team: undefined,
        errors: parsed.error ? toConfigIssues(parsed.error) : [],
        warnings: [],
      };
    }
    const config: Record<string, unknown> = { ...options };
    for (const key of RUNTIME_KEYS) delete config[key];
    const runtime: Record<string, unknown> = Object.fromEntries(
      RUNTIME_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
    );
    // `pricing` is runtime when it is a registry, else declared prices (configuration data).
    if (options.pricing !== undefined && !(options.pricing instanceof PricingRegistry)) {
      config.pricing = options.pricing;
      delete runtime.pricing;
    }
    const limits = checkConfigLimits(config);
    if (limits.length > 0) return { team: undefined, errors: limits, warnings: [] };
    const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
    const schemaErrors = parsed.success ? [] : toConfigIssues(parsed.error);
    const salvaged = parsed.success
      ? {
          settings: { ...parsed.data, agents: undefined },
          agents: parsed.data.agents?.map((agent) => ({ config: agent, standIn: false })),
          gaps: NO_GAPS,
        }
      : salvageTeamConfig(config);
    if (!salvaged) return { team: undefined, errors: schemaErrors, warnings: [] };
    // Built without agents, the team checks nothing yet; its agents are added one by one.
    const team = new LLMTeam({ ...salvaged.settings, ...runtime });
    team.gaps = salvaged.gaps;
    const built = team.addConfigured(salvaged.agents ?? []);
    const { errors, warnings } = team.check();
    const all = uniqueIssues([...schemaErrors, ...built, ...errors]);
    return { team: all.length === 0 ? team : undefined, errors: all, warnings };
  }

  /**
   * Adds the configured agents, each checked as it is added; an agent that fails leaves a
   * stand-in in its place, so the rest are checked as they would be. Returns the problems.
   */
  private addConfigured(agents: readonly SalvagedAgent[]): ConfigIssue[] {
    const errors: ConfigIssue[] = [];
    const addStandIn = (config: AgentConfig, index: number): void => {
      try {
        this.addAgent(config);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        // Its id is taken: which agent prompts and the flow mean is not known.
        this.gaps = { ...this.gaps, skipped: new Set([...this.gaps.skipped, "flow", "variables"]) };
        this.addAgent(standInAgent({}, index));
      }
      this.standIns.add(this.prepared.at(-1)!);
    };
    this.building = true;
    try {
      agents.forEach(({ config, standIn }, index) => {
        if (standIn) return addStandIn(config, index);
        try {
          this.addAgent(config);
        } catch (error) {
          if (!ConfigError.isInstance(error)) throw error;
          errors.push(...error.issues);
          // Unknown tools: check the rest of the agent without them.
          if (config.tools !== undefined && this.prepared.length === index) {
            try {
              this.addAgent({ ...config, tools: [] });
              return;
            } catch (retry) {
              if (!ConfigError.isInstance(retry)) throw retry;
            }
          }
          addStandIn(standInAgent(config, index), index);
        }
      });
    } finally {
      this.building = false;
    }
    return errors;
  }

  /**
   * Builds a team from a configuration object (e.g. parsed JSON or YAML).
   * @throws ConfigError naming every invalid key.
   */
  static fromConfig(config: TeamConfig, runtime: TeamRuntimeOptions = {}): LLMTeam {
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      throw new ConfigError("A team configuration must be an object with teamId and agents.");
    }
    if (config.pricing !== undefined && runtime.pricing !== undefined) {
      // Declared prices and a registry: the prices are registered into the registry.
      const costTracker =
        runtime.costTracker ??
        new CostTracker({
          pricing: runtime.pricing,
          ...(runtime.clock ? { clock: runtime.clock } : {}),
        });
      return new LLMTeam({ ...config, ...runtime, pricing: config.pricing, costTracker });
    }
    return new LLMTeam({ ...config, ...runtime });
  }

  /**
   * Adds an agent; agents run in the order they were added (sequential flow).
   * @throws ConfigError for an invalid agent or a duplicate role or id.
   * @throws LifecycleError with `enforceLifecycle`, unless the team is unconfigured or configuring.
   */
  addAgent(config: AgentConfig): this {
    this.lifecycle.assertConfigurable("add an agent");
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
    config = namedAgent(this.models, parsed.data);
    const agent = this.prepare(config, index);
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
    if (!this.building) this.checkAdded(agent, index);
    if (config.type === "team") this.nestedTeams.set(agent.id, this.nestedTeamOf(config, index));
    this.prepared.push(agent);
    this.flowChanged();
    return this;
  }

  /**
   * The load-time checks of one added agent: its models, and in a sequential team its prompt
   * variables (in other flows they are checked by `validate()` and at run start).
   */
  private checkAdded(agent: PreparedAgent, index: number): void {
    const context = this.checkContext([...this.prepared, agent]);
    const issues = checkModelNames(context, agent);
    const { flow, orchestration } = this.settings;
    if ((flow === undefined || flow === "sequential") && !orchestration) {
      const variables = checkVariables(
        context.agents as PreparedAgent[],
        { kind: "sequential" },
        inputNames(this.settings.inputs),
      );
      issues.push(...variables.filter((issue) => issue.path[1] === index));
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }

  private checkContext(agents: readonly PreparedAgent[] = this.prepared): TeamCheckContext {
    return {
      settings: this.settings,
      agents,
      models: this.models,
      defaultModel: this.defaultModel,
      pricing: this.costTracker.pricing,
      budgets: this.budgetManagers,
      standIns: this.standIns,
      gaps: this.gaps,
    };
  }

  /**
   * The load-time check of the whole team, as `llmteam validate` runs it: the flow, every
   * prompt variable against the declared `inputs` (default `{ query }`) and agents' outputs,
   * field reads against output schemas, model names and providers, unpriced models under a
   * budget — the `errors` — and what the environment lacks (API keys, local model files) —
   * the `warnings`, which a run reports as errors at start. Nested teams are checked too.
   * Nothing is called.
   *
   * @example
   * const { errors, warnings } = team.check();
   */
  check(): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
    const context = this.checkContext();
    const errors: ConfigIssue[] = [];
    const { skipped } = this.gaps;
    try {
      if (!skipped.has("flow"))
        this.planner.validate(
          skipped.has("variables") ? undefined : inputNames(this.settings.inputs),
        );
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

  /** Builds the nested team of a `type: team` agent; it inherits the models, clock and cost tracking. */
  private nestedTeamOf(config: AgentConfig, index: number): LLMTeam {
    const team = config.team as LLMTeam | TeamConfig;
    if (team instanceof LLMTeam) return team;
    const inherited: TeamRuntimeOptions = {
      ...this.runtime,
      // Every instance this team knows, named as here (those given in place of a name too).
      models: this.models.instances(),
      costTracker: this.costTracker,
      clock: this.clock,
    };
    const model = firstModel(this.settings.model) ?? this.defaultModel;
    if (model !== undefined) inherited.defaultModel = model;
    const providers =
      this.settings.providers || team.providers
        ? { ...this.settings.providers, ...team.providers }
        : undefined;
    try {
      return LLMTeam.fromConfig({ ...team, ...(providers ? { providers } : {}) }, inherited);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      throw new ConfigError(
        error.issues.map((issue) => ({ ...issue, path: ["agents", index, "team", ...issue.path] })),
        { cause: error },
      );
    }
  }

  private flowChanged(): void {
    this.planner.changed();
  }

  /** The configuration of the agent with this id, if any. */
  getAgent(id: string): AgentConfig | undefined {
    return this.prepared.find((agent) => agent.id === id)?.config;
  }

  /** The agents' configurations, in run order. */
  get agents(): readonly AgentConfig[] {
    return this.prepared.map((agent) => agent.config);
  }

  /**
   * Registers a tool agents can name in `tools`.
   * @throws ConfigError when a tool of that name is registered already.
   */
  registerTool(definition: AnyToolDefinition): this {
    this.tools.register(definition);
    return this;
  }

  /** The manager of the run budget set by `maxCostPerRun`, else of the first budget (the seed's `budget_manager`). */
  get budgetManager(): BudgetManager | undefined {
    return this.budgetManagers[0];
  }

  /** Spend of the team's period budgets in their current windows (`llmteam budget status`). */
  budgetStatus(): Promise<BudgetStatusReport[]> {
    return getBudgetStatus({
      budgets: this.budgetManagers,
      store: this.budgetStore,
      teamId: this.teamId,
      clock: this.clock,
    });
  }

  /** Registers a ready model under a name agents can use. */
  registerModel(name: string, model: LanguageModelV4): this {
    this.models.register(name, model);
    return this;
  }

  /**
   * The whole team as configuration data: `LLMTeam.fromConfig(team.toConfig())` rebuilds it.
   * A model instance is written as the name it was registered under (`openai/gpt-4o-mini`): to
   * rebuild, pass the instance again (in `models` under that name) or a provider that serves it.
   */
  toConfig(): TeamConfig {
    const agents = this.prepared.map((agent) => {
      const { tools, team } = agent.config;
      return {
        ...agent.config,
        ...(tools
          ? { tools: tools.map((tool) => (typeof tool === "string" ? tool : tool.name)) }
          : {}),
        ...(team instanceof LLMTeam ? { team: team.toConfig() } : {}),
      };
    });
    return structuredClone({ ...this.settings, agents });
  }

  /**
   * Checks the team without running it: its flow (or router settings) against its agents,
   * and, given the keys of a run input, that every prompt variable will have a value.
   * `run()` does the same before anything runs.
   * @throws ConfigError listing every problem with its path.
   */
  validate(inputKeys?: string[]): void {
    if (inputKeys) {
      this.planner.validate(inputKeys);
      return;
    }
    const { errors } = this.check();
    if (errors.length > 0) throw new ConfigError(errors);
  }

  /**
   * Runs the team to its end.
   * @returns the run's result; a failed or cancelled run resolves too, with `success: false`.
   * @throws ConfigError before anything runs: no agents, a prompt variable nothing provides,
   *   no model, an unknown provider or a missing API key.
   * @throws LifecycleError with `enforceLifecycle`, unless the team is READY (naming the missing call).
   */
  run(input: RunInput, options: RunOptions = {}): Promise<RunResult<TOutput>> {
    return this.runner.run(input, options) as Promise<RunResult<TOutput>>;
  }

  /**
   * Runs the team, yielding its events as they happen; `result` gives the same result as
   * `run()`. Configuration errors surface from the first `next()` and from `result`.
   */
  stream(input: RunInput, options: RunOptions = {}): RunStream<TOutput> {
    return this.runner.stream(input, options) as RunStream<TOutput>;
  }

  /**
   * Starts a run and returns its handle: `pause()`, `resume()`, `cancel()`, `approve(id)`,
   * `reject(id, reason)`, `snapshot()`, its events and its `result`. Needed for agents marked
   * `requiresApproval`. Errors that stop the run from starting reject `handle.result`.
   *
   * @example
   * const handle = team.start({ query: "Draft the release notes" });
   * await handle.pause(); // at the next step boundary
   * handle.resume();
   * const result = await handle.result;
   */
  start(input: RunInput, options: RunOptions = {}): RunHandle<TOutput> {
    return this.runner.start(input, options) as RunHandle<TOutput>;
  }

  /**
   * Opens a configurator chat: a model proposes configuration changes for `task` as
   * `ConfigurationProposal`s (structured output, validated against the schema); follow up with
   * `session.send(message)`. Nothing changes until proposals are approved and applied.
   * @throws ConfigError when no model is set for the configurator, or it proposes invalid changes.
   * @example
   * const session = await team.configure("Make the writer more formal");
   * for (const proposal of session.reply.proposals) proposal.approve();
   * team.lifecycle.applyApproved();
   */
  async configure(task: string, options: ConfigureOptions = {}): Promise<ConfiguratorSession> {
    const name =
      options.model ??
      firstModel(this.settings.model) ??
      this.defaultModel ??
      firstModel(this.prepared[0]?.config.model);
    if (name === undefined) {
      throw new ConfigError(
        `Team "${this.teamId}" has no model for the configurator. Pass { model: "provider/model" } to team.configure(), or set the team's model.`,
      );
    }
    const session = new ConfiguratorSession({
      ...options,
      team: this,
      model: await this.models.resolve(name),
      call: this.pipelines.team(),
      clock: this.clock,
    });
    await session.send(task, options.signal ? { signal: options.signal } : {});
    return session;
  }

  /** The lifecycle state with `enforceLifecycle`; undefined without (the team runs freely). */
  get state(): TeamState | undefined {
    return this.lifecycle.enforced ? this.lifecycle.state : undefined;
  }

  /** The configuration version: 1 as built, plus one each time proposals are applied. */
  get configVersion(): number {
    return this.lifecycle.configVersion;
  }

  /**
   * Starts configuring: UNCONFIGURED, READY, COMPLETED or FAILED → CONFIGURING.
   * @throws ConfigError without `enforceLifecycle`. @throws LifecycleError from another state.
   */
  markConfiguring(reason?: string): this {
    this.lifecycle.assertEnforced("markConfiguring");
    this.lifecycle.markConfiguring(reason);
    return this;
  }

  /**
   * Declares the team ready to run: CONFIGURING, COMPLETED or FAILED → READY.
   * @throws ConfigError without `enforceLifecycle`.
   * @throws LifecycleError from another state, or with proposals pending or approved but not applied.
   */
  markReady(reason?: string): this {
    this.lifecycle.assertEnforced("markReady");
    this.lifecycle.markReady(reason);
    return this;
  }

  /** Replaces the configuration at once (applied proposals); validates first, changing nothing on error. */
  private replaceConfig(config: TeamConfig): void {
    const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
    const { agents, ...settings } = namedConfig(this.models, config);
    if (settings.teamId !== this.teamId) {
      throw new ConfigError([
        {
          path: ["teamId"],
          message: `teamId cannot change (it is "${this.teamId}"): build a new team instead.`,
        },
      ]);
    }
    const prepared = (agents ?? []).map((agent, index) => this.prepare(agent, index));
    for (const [name, provider] of Object.entries(settings.providers ?? {}))
      this.models.registerProvider(name, provider);
    registerDeclaredPrices(this.costTracker.pricing, settings.pricing, settings.providers);
    this.settings = settings;
    this.pipelines.settingsChanged();
    this.prepared.splice(0, this.prepared.length, ...prepared);
    this.nestedTeams.clear();
    (agents ?? []).forEach((agent, index) => {
      if (agent.type === "team")
        this.nestedTeams.set(prepared[index]!.id, this.nestedTeamOf(agent, index));
    });
    this.flowChanged();
  }

  /**
   * Runs this team as a step of another run (see {@link NestedTeam}). Internal: used by
   * `type: team` agents and by groups.
   * @internal
   */
  runNested(
    input: Record<string, unknown>,
    parent: RunExecution,
    agentId: string,
    signal: AbortSignal,
  ): Promise<RunResult> {
    return this.runner.runNested(input, parent, agentId, signal);
  }

  /** Prepares a validated agent: its templates and its tools (inline ones join the registry). */
  private prepare(config: AgentConfig, index: number): PreparedAgent {
    for (const reference of config.tools ?? []) {
      if (typeof reference !== "string" && this.tools.get(reference.name) !== reference)
        this.tools.register(reference);
    }
    return prepareAgent(
      config,
      this.tools.resolve(config.tools ?? [], ["agents", index, "tools"]),
      this.clock,
    );
  }
}
