import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { AgentConfig } from "../agents/agent-config.js";
import type { BudgetManager } from "../cost/budget-manager.js";
import {
  getBudgetRemaining,
  type BudgetRemaining,
  type BudgetStatusReport,
} from "../cost/budget-status.js";
import type { CostTracker } from "../cost/cost-tracker.js";
import { registerDeclaredPrices } from "../cost/pricing-schema.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { systemClock, type Clock } from "../internal/clock.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import { MemoryBreakerStore, type BreakerStore } from "../resilience/breaker-store.js";
import type { AnyToolDefinition } from "../tools/tool-definition.js";
import { ToolRegistry } from "../tools/tool-registry.js";
import { McpServers } from "../tools/mcp/mcp-servers.js";
import type { BudgetStore } from "../store/budget-store.js";
import { ConfiguratorSession, type ConfigureOptions } from "./lifecycle/configurator-session.js";
import type { RunHandle } from "./lifecycle/run-handle.js";
import { TeamLifecycle } from "./lifecycle/team-lifecycle.js";
import { LifecycleControls } from "./lifecycle/lifecycle-controls.js";
import { checkTeamConfig, type TeamConfigCheck } from "./check-team-config.js";
import { createTeamCost } from "./create-team-cost.js";
import type { NestedTeam } from "../run/nested-team.js";
import type { RunExecution } from "../run/run-execution.js";
import type { RunInput, RunOptions } from "../run/run-input.js";
import type { RunResult } from "../run/run-result.js";
import type { RunStream } from "../run/run-stream.js";
import { fromConfigOptions, parseTeamOptions } from "./parse-team-options.js";
import { TeamAgents, type AgentTools } from "./team-agents.js";
import type { TypedTeamOptions } from "./team-output.js";
import type { TeamConfig } from "./team-config.js";
import { TeamPipelines } from "./team-pipelines.js";
import type { LLMTeamOptions } from "./llm-team-options.js";
import { configuratorModelName, namedReplacement, teamModels } from "./name-model-instances.js";
import { nestedTeamOf } from "./nested-team-config.js";
import { firstModel, type TeamPlanner } from "./team-planner.js";
import { TeamRunner } from "./team-runner.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";
import { toTeamConfig } from "./to-team-config.js";
import { openedRunStore } from "../store/lazy-run-store.js";
import type { RunStore } from "../store/run-store.js";
import { estimateTeam, type EstimateOptions, type TeamEstimate } from "./estimate-team.js";

/**
 * A team of LLM agents. Declare agents as data, then `run()` or `stream()` it.
 *
 * @example
 * const team = new LLMTeam({ teamId: "support", model: "openai/gpt-4o-mini" });
 * team.addAgent({ type: "llm", role: "triage", prompt: "Classify this request: {query}" });
 * team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query}. Category: {triage}" });
 * const result = await team.run({ query: "My invoice is wrong" });
 */
export class LLMTeam<TOutput = unknown>
  extends LifecycleControls
  implements NestedTeam<RunExecution>
{
  readonly teamId: string;
  /** Models by name: registered instances and providers. */
  readonly models: ModelRegistry;
  /** Tools by name: registered ones and the built-ins. */
  readonly tools: ToolRegistry;
  /** The team's MCP servers (`mcpServers`): started on first use, stopped by {@link close}. */
  readonly mcpServers: McpServers;
  /** Counts what every model call of the team's runs costs; `history` holds ended runs. */
  readonly costTracker: CostTracker;
  /** One manager per budget: `maxCostPerRun` first, then `budgets`. Add alert callbacks here. */
  readonly budgetManagers: readonly BudgetManager[];
  /** Where the team's period budgets keep their spend. */
  readonly budgetStore: BudgetStore;
  override readonly lifecycle: TeamLifecycle;
  private settings: Omit<TeamConfig, "agents">;
  /** The agents, prepared, with the nested teams of `type: team` agents. */
  private readonly members: TeamAgents<LLMTeam>;
  private readonly clock: Clock;
  private defaultModel: string | undefined;
  /** Breaker state of every agent of the team, kept across runs. */
  readonly breakerStore: BreakerStore;
  private readonly runtime: TeamRuntimeOptions;
  private readonly pipelines: TeamPipelines;
  private readonly planner: TeamPlanner;
  private readonly runner: TeamRunner;

  /**
   * @throws ConfigError naming every invalid key (and what is valid) and, with `agents`, every
   *   flow problem (unknown agents, cycles, unreachable agents, ambiguous entry, dead conditions).
   *
   * A sequential team whose `agents` end with an `llm` agent with a zod `outputSchema` is typed
   * by it: `run()` resolves to `RunResult<z.output<typeof schema>>` (see {@link TypedTeamOptions}).
   */
  constructor(options: TypedTeamOptions<TOutput>);
  constructor(options: LLMTeamOptions);
  constructor(options: LLMTeamOptions) {
    super();
    // Schema problems come with what the rest of the configuration shows (see checkConfig).
    const { agents, settings, runtime, registry } = parseTeamOptions(
      options,
      () => LLMTeam.checkConfig(options).errors,
    );
    this.teamId = settings.teamId;
    this.clock = options.clock ?? systemClock;
    this.runtime = runtime;
    this.mcpServers = new McpServers(settings.mcpServers);
    this.tools = new ToolRegistry({ tools: options.tools ?? [], mcpServers: this.mcpServers });
    const cost = createTeamCost(this.teamId, settings, runtime, registry, this.clock);
    ({ costTracker: this.costTracker, budgetStore: this.budgetStore } = cost);
    this.budgetManagers = cost.budgetManagers;
    this.breakerStore = options.breakerStore ?? new MemoryBreakerStore();
    const currentSettings = (): Omit<TeamConfig, "agents"> => this.settings;
    this.pipelines = new TeamPipelines(
      currentSettings,
      {
        cost: cost.layer,
        middleware: options.middleware ?? [],
        breakerStore: this.breakerStore,
        breakerKeyPrefix: `${this.teamId}:`,
      },
      cost.meter,
    );
    // Model instances given in place of names are registered and named from here on.
    ({
      models: this.models,
      settings: this.settings,
      defaultModel: this.defaultModel,
    } = teamModels(settings, options));
    this.lifecycle = new TeamLifecycle({
      enforced: options.enforceLifecycle ?? false,
      clock: this.clock,
      teamId: this.teamId,
      read: () => this.toConfig(),
      write: (next) => this.replaceConfig(next),
      check: (next) => this.members.unknownTools(next),
    });
    const { teamId, costTracker, clock } = this;
    this.members = new TeamAgents<LLMTeam>({
      settings: currentSettings,
      models: this.models,
      tools: this.tools,
      clock,
      defaultModel: this.defaultModel,
      pricing: costTracker.pricing,
      budgets: this.budgetManagers,
      nestedTeam: (config, index) => this.nestedTeamOf(config, index),
      changed: () => this.planner.changed(),
      knowledge: runtime.knowledge,
    });
    this.runner = new TeamRunner({
      teamId,
      agents: this.members.prepared,
      nestedTeams: this.members.nestedTeams,
      settings: currentSettings,
      defaultModel: this.defaultModel,
      models: this.models,
      costTracker,
      budgetManagers: this.budgetManagers,
      pipelines: this.pipelines,
      clock,
      env: options.env ?? process.env,
      lifecycle: this.lifecycle,
      streamBufferSize: options.streamBufferSize ?? 1024,
      runStore: openedRunStore(runtime.runStore ?? settings.runStore),
    });
    this.planner = this.runner.planner;
    if (agents !== undefined) this.members.addAll(agents, () => this.check().errors);
  }

  /**
   * Checks a configuration without throwing: every error `new LLMTeam(config)` would throw and
   * every warning of `team.check()`, in one call — the parts that parse are checked even when
   * others fail the schema. @example const { errors, warnings } = LLMTeam.checkConfig(config);
   */
  static checkConfig(options: LLMTeamOptions): TeamConfigCheck<LLMTeam> {
    return checkTeamConfig(options, (settings, gaps, agents) => {
      const team = new LLMTeam(settings);
      team.members.gaps = gaps;
      return { team, errors: team.members.addConfigured(agents) };
    });
  }

  /**
   * Builds a team from a configuration object (e.g. parsed JSON or YAML).
   * @throws ConfigError naming every invalid key.
   */
  static fromConfig(config: TeamConfig, runtime: TeamRuntimeOptions = {}): LLMTeam {
    return new LLMTeam(fromConfigOptions(config, runtime));
  }

  /**
   * Adds an agent; agents run in the order they were added (sequential flow).
   * @throws ConfigError for an invalid agent or a duplicate role or id.
   * @throws LifecycleError with `enforceLifecycle`, unless the team is unconfigured or configuring.
   */
  addAgent(config: AgentConfig): this {
    this.lifecycle.assertConfigurable("add an agent");
    this.members.add(config);
    return this;
  }

  /**
   * The load-time check of the whole team (`llmteam validate`), nested teams included, calling
   * nothing. `errors`: the flow, prompt variables against `inputs` and outputs, field reads,
   * models and providers, unpriced models under a budget; `warnings`: what the environment
   * lacks (API keys, local model files), which a run reports as errors at start.
   */
  check(): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
    return this.members.check((inputs) => this.planner.validate(inputs));
  }

  /** Builds the nested team of a `type: team` agent; it inherits the models, clock and cost tracking. */
  private nestedTeamOf(config: AgentConfig, index: number): LLMTeam {
    const { settings, runtime, models, costTracker, clock, defaultModel } = this;
    const parent = { settings, runtime, models, costTracker, clock, defaultModel };
    const isTeam = (value: unknown): value is LLMTeam => value instanceof LLMTeam;
    return nestedTeamOf(config.team as LLMTeam | TeamConfig, isTeam, index, parent, (c, r) =>
      LLMTeam.fromConfig(c, r),
    );
  }

  /** The configuration of the agent with this id, if any. */
  getAgent(id: string): AgentConfig | undefined {
    return this.members.prepared.find((agent) => agent.id === id)?.config;
  }

  /** The agents' configurations, in run order. */
  get agents(): readonly AgentConfig[] {
    return this.members.prepared.map((agent) => agent.config);
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
  async budgetStatus(): Promise<BudgetStatusReport[]> {
    return (await this.remaining()).periods;
  }

  /**
   * The least and most a run with this input may cost, per agent and in total, calling nothing;
   * unpriced models listed, never $0 (docs/cost.md). @throws ConfigError as `run()` would.
   */
  estimate(input: RunInput, options: EstimateOptions = {}): Promise<TeamEstimate> {
    return estimateTeam(this.planner.estimateSource(), input, options);
  }

  /** What is left of the run budgets of `runId` (or a new run) and the period budgets; `remainingUsd`: the least. */
  remaining(options: { runId?: string } = {}): Promise<BudgetRemaining> {
    const { budgetManagers: budgets, budgetStore: store, teamId, clock, costTracker } = this;
    return getBudgetRemaining({ budgets, store, teamId, clock, tracker: costTracker, ...options });
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
    return toTeamConfig(this.settings, this.agents, (team) =>
      team instanceof LLMTeam ? team.toConfig() : undefined,
    );
  }

  /**
   * Checks the team without running it: its flow (or router settings) against its agents,
   * and, given the keys of a run input, that every prompt variable will have a value.
   * `run()` does the same before anything runs.
   * @throws ConfigError listing every problem with its path.
   */
  validate(inputKeys?: string[]): void {
    if (inputKeys) return this.planner.validate(inputKeys);
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
   * Goes on with a stored run (needs a `runStore`) from its last durable step, same run id (docs/durable-runs.md).
   * @throws ConfigError for an unknown run or a team changed incompatibly; LifecycleError for an ended run.
   */
  resume(runId: string, options: Omit<RunOptions, "runId"> = {}): Promise<RunHandle<TOutput>> {
    return this.runner.resume(runId, options) as Promise<RunHandle<TOutput>>;
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
    const name = configuratorModelName(this.teamId, [
      options.model,
      firstModel(this.settings.model),
      this.defaultModel,
      firstModel(this.members.prepared[0]?.config.model),
    ]);
    return ConfiguratorSession.open(task, {
      ...options,
      team: this,
      model: await this.models.resolve(name),
      call: this.pipelines.team(),
      clock: this.clock,
    });
  }

  /** Where the team's runs are stored (`runStore`); `undefined`: runs live in memory only. */
  get runStore(): RunStore | undefined {
    return this.runner.runStore;
  }

  /** Stops the team's MCP servers (and its nested teams') and closes a run store it opened from a spec. */
  async close(): Promise<void> {
    await Promise.all([this.members.close(), this.runner.close()]);
  }

  /** Every tool each agent would get, with its JSON Schema (MCP servers start to list theirs). */
  listTools(signal?: AbortSignal): Promise<AgentTools[]> {
    return this.members.listTools(signal);
  }

  /** Replaces the configuration at once (applied proposals); validates first, changing nothing on error. */
  private replaceConfig(config: TeamConfig): void {
    const { agents, ...settings } = namedReplacement(this.models, config, this.teamId);
    const prepared = this.members.prepareAll(agents ?? []);
    for (const [name, provider] of Object.entries(settings.providers ?? {}))
      this.models.registerProvider(name, provider);
    registerDeclaredPrices(this.costTracker.pricing, settings.pricing, settings.providers);
    this.settings = settings;
    this.pipelines.settingsChanged();
    this.members.replace(prepared, agents ?? []);
  }

  /** @internal Runs this team as a step of another run (`type: team` agents, groups; see {@link NestedTeam}). */
  runNested(
    input: Record<string, unknown>,
    parent: RunExecution,
    agentId: string,
    signal: AbortSignal,
  ): Promise<RunResult> {
    return this.runner.runNested(input, parent, agentId, signal);
  }
}
