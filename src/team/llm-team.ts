import type { LanguageModelV4 } from "@ai-sdk/provider";
import { agentConfigSchema, type AgentConfig } from "../agents/agent-config.js";
import { prepareAgent, type AgentCallSettings, type PreparedAgent } from "../agents/llm-agent.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { Budget } from "../cost/budget.js";
import { BudgetManager } from "../cost/budget-manager.js";
import { checkBudgetPricing, getBudgetStatus, type BudgetStatusReport } from "../cost/budget-status.js";
import { createCostGuard, type CostGuard } from "../cost/cost-middleware.js";
import { CostTracker } from "../cost/cost-tracker.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import { ConfigError } from "../errors/config-error.js";
import { RunTimeoutError } from "../errors/run-timeout-error.js";
import { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import { systemClock, type Clock } from "../internal/clock.js";
import { newRunId } from "../internal/ids.js";
import type { ModelCall, ModelCallMiddleware, ResolvedModel } from "../providers/model-call.js";
import { ModelRegistry } from "../providers/model-registry.js";
import { MemoryBreakerStore, type BreakerStore } from "../resilience/breaker-store.js";
import { resolveCircuitBreakerPolicy, type CircuitBreakerOptions } from "../resilience/circuit-breaker-policy.js";
import { resolveRetryPolicy, type RetryPolicyOptions } from "../resilience/retry-policy.js";
import type { AnyToolDefinition } from "../tools/tool-definition.js";
import { ToolRegistry } from "../tools/tool-registry.js";
import type { BudgetStore } from "../store/budget-store.js";
import { MemoryBudgetStore } from "../store/memory-budget-store.js";
import { ConfiguratorSession, type ConfigureOptions } from "./lifecycle/configurator-session.js";
import { EventLog } from "./lifecycle/event-log.js";
import { assertNoApprovalsNeeded, RunController } from "./lifecycle/run-controller.js";
import { RunHandle } from "./lifecycle/run-handle.js";
import { hashConfig } from "./lifecycle/run-snapshot.js";
import { TeamLifecycle } from "./lifecycle/team-lifecycle.js";
import type { TeamState } from "./lifecycle/team-state.js";
import { checkVariables } from "./flow/check-variables.js";
import type { NestedTeam } from "./nested-team.js";
import { ORCHESTRATOR_ID } from "./router/route-decision.js";
import { RunExecution, type RunPlan } from "./run-execution.js";
import type { RunResult } from "./run-result.js";
import { RunStream } from "./run-stream.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import { compileTeamFlow, flowMode, runTeamFlow, type TeamFlow } from "./team-flow.js";
import { buildModelPipeline } from "./model-pipeline.js";

/** Parts of a team that are not configuration data: model instances, clock, extra layers. */
export interface TeamRuntimeOptions {
  /** Ready AI SDK models by name, usable as `model` (e.g. `{ "test/model": scriptedModel }`). */
  models?: Record<string, LanguageModelV4>;
  /** Time source (default: the system clock). Tests pass a `FakeClock`. */
  clock?: Clock;
  /** Environment for `${VAR}` and provider keys (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Extra layers around every model call, outermost first. */
  middleware?: ModelCallMiddleware[];
  /** Events buffered for a slow `stream()` consumer before the run pauses (default 1024). */
  streamBufferSize?: number;
  /** Model for agents when neither the agent nor the team names one (the CLI uses it for its default model). */
  defaultModel?: string;
  /** Tools agents can name in `tools`, besides the built-ins. */
  tools?: AnyToolDefinition[];
  /** Prices of models (default: a registry with the bundled catalog). Register your own prices here. */
  pricing?: PricingRegistry;
  /**
   * Where period budgets (`hour`, `day`, `month`) keep their spend (default: in memory, this
   * process only). Pass a `SqliteBudgetStore` to survive restarts or a `RedisBudgetStore` to
   * share across processes.
   */
  budgetStore?: BudgetStore;
  /** The tracker that counts the team's runs (default: a new one). */
  costTracker?: CostTracker;
  /** Where circuit breakers keep their state (default: in memory, this process only). */
  breakerStore?: BreakerStore;
  /**
   * Enforce the team lifecycle (default false): runs need `markConfiguring()` then
   * `markReady()`, one run at a time; configuration changes only while configuring.
   */
  enforceLifecycle?: boolean;
}

/** Options of `new LLMTeam(...)`: the team's configuration plus runtime parts. */
export type LLMTeamOptions = TeamConfig & TeamRuntimeOptions;

/** Options of one run. */
export interface RunOptions {
  /** Aborting it cancels the run: the model call in flight is aborted, status `cancelled`. */
  signal?: AbortSignal;
  /** Id of the run (default: a new random id). */
  runId?: string;
}

/** Run input: named values for the prompts, or a string taken as `{ query }`. */
export type RunInput = Record<string, unknown> | string;

const RUN_ENDED = new Error("The run ended.");

const RUNTIME_KEYS = [
  "models",
  "clock",
  "env",
  "middleware",
  "streamBufferSize",
  "defaultModel",
  "pricing",
  "budgetStore",
  "costTracker",
  "tools",
  "enforceLifecycle",
  "breakerStore",
] as const;

/**
 * A team of LLM agents. Declare agents as data, then `run()` or `stream()` it.
 *
 * @example
 * const team = new LLMTeam({ teamId: "support", model: "openai/gpt-4o-mini" });
 * team.addAgent({ type: "llm", role: "triage", prompt: "Classify this request: {query}" });
 * team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query}. Category: {triage}" });
 * const result = await team.run({ query: "My invoice is wrong" });
 */
export class LLMTeam implements NestedTeam {
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
  private readonly middleware: ModelCallMiddleware[];
  private readonly streamBufferSize: number;
  private readonly defaultModel: string | undefined;
  private readonly costGuard: CostGuard;
  /** Breaker state of every agent of the team, kept across runs. */
  readonly breakerStore: BreakerStore;
  private teamCall: ModelCall | undefined;
  private agentPipelines = new WeakMap<PreparedAgent, ModelCall>();
  private readonly runtime: TeamRuntimeOptions;
  /** Nested teams of `type: team` agents, by agent id. */
  private readonly nestedTeams = new Map<string, LLMTeam>();
  private compiledFlow: TeamFlow | undefined;
  /** Input key sets already checked against the prompts (runs repeat the same shape). */
  private readonly checkedInputs = new Set<string>();
  private modelPlan: ModelPlan | undefined;
  /** The plan being built, shared by runs that start meanwhile (e.g. a burst of concurrent runs). */
  private pendingModelPlan: Promise<ModelPlan> | undefined;

  /**
   * @throws ConfigError naming every invalid key, with what is valid; when `agents` are
   *   given, also every problem of the flow (unknown agents, cycles, unreachable agents,
   *   ambiguous entry, conditions that cannot hold).
   */
  constructor(options: LLMTeamOptions) {
    const config: Record<string, unknown> = { ...options };
    for (const key of RUNTIME_KEYS) delete config[key];
    const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
    const { agents, ...settings } = config as TeamConfig;
    this.settings = settings;
    this.teamId = settings.teamId;
    this.clock = options.clock ?? systemClock;
    this.middleware = options.middleware ?? [];
    this.streamBufferSize = options.streamBufferSize ?? 1024;
    this.defaultModel = options.defaultModel;
    this.runtime = Object.fromEntries(RUNTIME_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]));
    this.tools = new ToolRegistry({ tools: options.tools ?? [] });
    this.costTracker =
      options.costTracker ?? new CostTracker({ pricing: options.pricing ?? new PricingRegistry({ clock: this.clock }), clock: this.clock });
    this.budgetManagers = [
      ...(settings.maxCostPerRun === undefined ? [] : [new Budget({ maxCost: settings.maxCostPerRun })]),
      ...(settings.budgets ?? []).map((budget) => new Budget(budget)),
    ].map((budget) => new BudgetManager(budget));
    this.budgetStore = options.budgetStore ?? new MemoryBudgetStore();
    this.breakerStore = options.breakerStore ?? new MemoryBreakerStore();
    this.costGuard = createCostGuard({
      tracker: this.costTracker,
      budgets: this.budgetManagers,
      store: this.budgetStore,
      teamId: this.teamId,
      allowUnpriced: settings.allowUnpriced ?? false,
    });
    this.models = new ModelRegistry({
      ...(settings.providers ? { providers: settings.providers } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    this.lifecycle = new TeamLifecycle({
      enforced: options.enforceLifecycle ?? false,
      clock: this.clock,
      teamId: this.teamId,
      read: () => this.toConfig(),
      write: (next) => this.replaceConfig(next),
    });
    for (const agent of agents ?? []) this.addAgent(agent);
  }

  /**
   * Builds a team from a configuration object (e.g. parsed JSON or YAML).
   * @throws ConfigError naming every invalid key.
   */
  static fromConfig(config: TeamConfig, runtime: TeamRuntimeOptions = {}): LLMTeam {
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
      throw new ConfigError("A team configuration must be an object with teamId and agents.");
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
    const parsed = agentConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, ["agents", index]));
    const agent = this.prepare(config, index);
    const sameRole = this.prepared.find((other) => other.role === agent.role);
    if (sameRole) {
      throw new ConfigError([{ path: ["agents", index, "role"], message: `Duplicate role "${agent.role}": the team has an agent with this role already. Roles must be unique in a team.` }]);
    }
    const sameId = this.prepared.find((other) => other.id === agent.id);
    if (sameId) {
      throw new ConfigError([{ path: ["agents", index, "id"], message: `Duplicate agent id "${agent.id}": agent "${sameId.role}" has it already.` }]);
    }
    if (config.type === "team") this.nestedTeams.set(agent.id, this.nestedTeamOf(config, index));
    this.prepared.push(agent);
    this.flowChanged();
    return this;
  }

  /** Builds the nested team of a `type: team` agent; it inherits the models, clock and cost tracking. */
  private nestedTeamOf(config: AgentConfig, index: number): LLMTeam {
    const team = config.team as LLMTeam | TeamConfig;
    if (team instanceof LLMTeam) return team;
    const inherited: TeamRuntimeOptions = { ...this.runtime, costTracker: this.costTracker, clock: this.clock };
    const model = firstModel(this.settings.model) ?? this.defaultModel;
    if (model !== undefined) inherited.defaultModel = model;
    const providers = this.settings.providers || team.providers ? { ...this.settings.providers, ...team.providers } : undefined;
    try {
      return LLMTeam.fromConfig({ ...team, ...(providers ? { providers } : {}) }, inherited);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: ["agents", index, "team", ...issue.path] })), { cause: error });
    }
  }

  private flowChanged(): void {
    this.compiledFlow = undefined;
    this.modelPlan = undefined;
    this.pendingModelPlan = undefined;
    this.checkedInputs.clear();
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
    return getBudgetStatus({ budgets: this.budgetManagers, store: this.budgetStore, teamId: this.teamId, clock: this.clock });
  }

  /** Registers a ready model under a name agents can use. */
  registerModel(name: string, model: LanguageModelV4): this {
    this.models.register(name, model);
    return this;
  }

  /** The whole team as configuration data: `LLMTeam.fromConfig(team.toConfig())` rebuilds it. */
  toConfig(): TeamConfig {
    const agents = this.prepared.map((agent) => {
      const { tools, team } = agent.config;
      return {
        ...agent.config,
        ...(tools ? { tools: tools.map((tool) => (typeof tool === "string" ? tool : tool.name)) } : {}),
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
    const flow = this.flow();
    if (inputKeys) this.checkVariables(flow, inputKeys);
  }

  /**
   * Runs the team to its end.
   * @returns the run's result; a failed or cancelled run resolves too, with `success: false`.
   * @throws ConfigError before anything runs: no agents, a prompt variable nothing provides,
   *   no model, an unknown provider or a missing API key.
   * @throws LifecycleError with `enforceLifecycle`, unless the team is READY (naming the missing call).
   */
  async run(input: RunInput, options: RunOptions = {}): Promise<RunResult> {
    this.lifecycle.assertCanRun();
    const controller = new AbortController();
    const control = this.lifecycle.enforced ? new RunController(this.lifecycle, false) : undefined;
    const plan = await this.plan(input, options, controller, control);
    control?.begin(plan.runId);
    return this.execute(new RunExecution(plan, undefined), controller, control);
  }

  /**
   * Runs the team, yielding its events as they happen; `result` gives the same result as
   * `run()`. Configuration errors surface from the first `next()` and from `result`.
   */
  stream(input: RunInput, options: RunOptions = {}): RunStream {
    const controller = new AbortController();
    const runId = options.runId ?? newRunId();
    const channel = new EventChannel<StreamEvent>(this.streamBufferSize, () =>
      controller.abort(Object.assign(new Error("The stream's consumer stopped reading."), { name: "AbortError" })),
    );
    const result = (async () => {
      let plan: RunPlan;
      const control = this.lifecycle.enforced ? new RunController(this.lifecycle, false) : undefined;
      try {
        this.lifecycle.assertCanRun();
        plan = await this.plan(input, { ...options, runId }, controller, control);
        control?.begin(runId);
      } catch (error) {
        channel.fail(error);
        throw error;
      }
      const finished = await this.execute(new RunExecution(plan, channel), controller, control);
      channel.close();
      return finished;
    })();
    return new RunStream(runId, channel, result);
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
  start(input: RunInput, options: RunOptions = {}): RunHandle {
    const abort = new AbortController();
    const runId = options.runId ?? newRunId();
    const control = new RunController(this.lifecycle, true);
    const log = new EventLog();
    const result = (async () => {
      try {
        this.lifecycle.assertCanRun();
        const plan = await this.plan(input, { ...options, runId }, abort, control);
        plan.listeners.push(log.append);
        control.begin(runId);
        return await this.execute(new RunExecution(plan, undefined), abort, control);
      } catch (error) {
        log.fail(error);
        throw error;
      } finally {
        log.close();
      }
    })();
    return new RunHandle({
      runId,
      teamId: this.teamId,
      configVersion: this.configVersion,
      configHash: hashConfig({ ...this.settings, agents: this.prepared.map((agent) => agent.config) }),
      input: typeof input === "string" ? { query: input } : input,
      clock: this.clock,
      controller: control,
      abort,
      log,
      result,
    });
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
    const name = options.model ?? firstModel(this.settings.model) ?? this.defaultModel ?? firstModel(this.prepared[0]?.config.model);
    if (name === undefined) {
      throw new ConfigError(`Team "${this.teamId}" has no model for the configurator. Pass { model: "provider/model" } to team.configure(), or set the team's model.`);
    }
    const session = new ConfiguratorSession({ ...options, team: this, model: await this.models.resolve(name), call: this.pipeline(), clock: this.clock });
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
    const { agents, ...settings } = structuredClone(config);
    if (settings.teamId !== this.teamId) {
      throw new ConfigError([{ path: ["teamId"], message: `teamId cannot change (it is "${this.teamId}"): build a new team instead.` }]);
    }
    const prepared = (agents ?? []).map((agent, index) => this.prepare(agent, index));
    for (const [name, provider] of Object.entries(settings.providers ?? {})) this.models.registerProvider(name, provider);
    this.settings = settings;
    this.teamCall = undefined;
    this.prepared.splice(0, this.prepared.length, ...prepared);
    this.nestedTeams.clear();
    (agents ?? []).forEach((agent, index) => {
      if (agent.type === "team") this.nestedTeams.set(prepared[index]!.id, this.nestedTeamOf(agent, index));
    });
    this.flowChanged();
  }

  /**
   * Runs the flow. `abort` stops the run (the team's `timeoutMs` uses it); with
   * `parentEndsCost`, the cost tracker's run (shared with a parent run) is left to the parent.
   */
  private async execute(execution: RunExecution, abort: AbortController, control?: RunController, parentEndsCost = false): Promise<RunResult> {
    const { plan } = execution;
    const timeoutMs = this.settings.timeoutMs;
    // Only teams with a timeout pay for a timer; it is cleared with a preallocated reason.
    const timer = timeoutMs === undefined ? undefined : new AbortController();
    if (timer) {
      plan.clock.sleep(timeoutMs!, timer.signal).then(
        () => abort.abort(new RunTimeoutError(timeoutMs!, `Team "${this.teamId}"`)),
        () => undefined,
      );
    }
    try {
      await execution.emit("run_started", { teamId: this.teamId, agents: plan.agents.map((agent) => agent.id), input: plan.input, mode: plan.mode });
      if (control) await control.started(execution);
      const output = await runTeamFlow(execution, this.flow());
      if (control) await control.finish(execution, "completed", "run completed");
      return await execution.complete(output);
    } catch (error) {
      if (control) await control.finish(execution, "failed", execution.signal.aborted ? "run cancelled" : `run failed: ${error instanceof Error ? error.message : String(error)}`);
      return await execution.fail(error);
    } finally {
      timer?.abort(RUN_ENDED);
      if (!parentEndsCost && this.costTracker.isActive(plan.runId)) this.costTracker.closeRun(plan.runId);
    }
  }

  /**
   * Runs this team as a step of another run (see {@link NestedTeam}). Internal: used by
   * `type: team` agents and by groups.
   * @internal
   */
  async runNested(input: Record<string, unknown>, parent: RunExecution, agentId: string, signal: AbortSignal): Promise<RunResult> {
    const controller = new AbortController();
    // A tracker shared with the parent already counts this run: the parent ends it.
    const sharedTracker = this.costTracker.isActive(parent.plan.runId);
    const plan = await this.plan(input, { runId: parent.plan.runId, signal }, controller);
    plan.pathPrefix = `${parent.plan.pathPrefix}/${agentId}`;
    const { gate, approver } = parent.plan;
    if (gate) plan.gate = () => gate(parent);
    if (approver) plan.approver = approver;
    return this.execute(new RunExecution(plan, { push: (event) => parent.forward(event) }), controller, undefined, sharedTracker);
  }

  private flow(): TeamFlow {
    this.compiledFlow ??= compileTeamFlow(this.settings, this.prepared);
    return this.compiledFlow;
  }

  private async plan(input: RunInput, options: RunOptions, controller: AbortController, control?: RunController): Promise<RunPlan> {
    const values = normalizeInput(input);
    if (this.prepared.length === 0) {
      throw new ConfigError(`Team "${this.teamId}" has no agents. Add one with team.addAgent({ type: "llm", role, prompt }).`);
    }
    const flow = this.flow();
    this.checkVariables(flow, Object.keys(values));
    if (!control?.interactive) assertNoApprovalsNeeded(this.prepared);
    const parts = this.cachedModelPlan() ?? (await (this.pendingModelPlan ??= this.buildModelPlan(flow).finally(() => (this.pendingModelPlan = undefined))));
    if (this.budgetManagers.length > 0) {
      checkBudgetPricing({
        models: parts.modelNames,
        pricing: this.costTracker.pricing,
        budgets: this.budgetManagers,
        allowUnpriced: this.settings.allowUnpriced ?? false,
      });
    }
    const runId = options.runId ?? newRunId();
    this.costTracker.startRun(runId, this.teamId);
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const plan: RunPlan = {
      runId,
      teamId: this.teamId,
      agents: parts.agents,
      roles: parts.roles,
      models: parts.models,
      fallbackModels: parts.fallbackModels,
      agentCalls: parts.agentCalls,
      agentSettings: parts.agentSettings,
      call: this.pipeline(),
      clock: this.clock,
      signal,
      input: values,
      pathPrefix: this.teamId,
      mode: parts.mode,
      defaults: parts.defaults,
      listeners: [],
    };
    if (control?.interactive) {
      plan.gate = control.gate;
      plan.approver = control;
    }
    if (parts.teams.size > 0) plan.teams = parts.teams;
    return plan;
  }

  /**
   * The input-independent part of the plan, built by the last run, when it still holds: the
   * agents and flow have not changed since (that clears it) and the registry still hands out
   * the same (settled) model for every name. Runs share it read-only.
   */
  private cachedModelPlan(): ModelPlan | undefined {
    const cached = this.modelPlan;
    if (!cached) return undefined;
    for (let index = 0; index < cached.names.length; index++) {
      if (this.models.resolve(cached.names[index]!) !== cached.resolutions[index]) return undefined;
    }
    return cached;
  }

  private async buildModelPlan(flow: TeamFlow): Promise<ModelPlan> {
    const names: string[] = [];
    const resolutions: Promise<ResolvedModel>[] = [];
    const resolve = (name: string): Promise<ResolvedModel> => {
      const resolution = this.models.resolve(name);
      names.push(name);
      resolutions.push(resolution);
      return resolution;
    };
    const models = new Map<string, ResolvedModel>();
    const fallbackModels = new Map<string, ResolvedModel[]>();
    const agentCalls = new Map<string, ModelCall>();
    const agentSettings = new Map<string, AgentCallSettings>();
    const teams = new Map<string, NestedTeam>();
    const agents = [...this.prepared];
    for (const agent of agents) {
      const nested = this.nestedTeams.get(agent.id);
      if (nested) {
        teams.set(agent.id, nested);
        continue;
      }
      const [name, ...fallbacks] = this.modelNamesOf(agent);
      if (name === undefined) {
        throw new ConfigError(
          `Agent "${agent.id}" has no model. Set "model" on the team or the agent, e.g. model: openai/gpt-4o-mini.`,
        );
      }
      const model = await resolve(name);
      models.set(agent.id, model);
      if (fallbacks.length > 0) fallbackModels.set(agent.id, await Promise.all(fallbacks.map(resolve)));
      const call = this.callFor(agent);
      agentCalls.set(agent.id, call);
      agentSettings.set(agent.id, {
        model,
        fallbackModels: fallbackModels.get(agent.id),
        call,
        temperature: agent.config.temperature ?? this.settings.temperature,
        maxTokens: agent.config.maxTokens ?? this.settings.maxTokens,
        stream: agent.config.stream ?? this.settings.stream ?? true,
      });
    }
    if (flow.kind === "router") {
      const name = flow.model ?? firstModel(this.settings.model) ?? this.defaultModel;
      if (name === undefined) {
        throw new ConfigError([{ path: ["orchestrator", "model"], message: "The orchestrator has no model. Set orchestrator.model or the team's model, e.g. model: openai/gpt-4o-mini." }]);
      }
      models.set(ORCHESTRATOR_ID, await resolve(name));
    }
    const plan: ModelPlan = {
      names,
      resolutions,
      modelNames: [...new Set([...models.values(), ...[...fallbackModels.values()].flat()].map((model) => model.name))],
      agents,
      roles: new Map(agents.map((agent) => [agent.id, agent.role])),
      models,
      fallbackModels,
      agentCalls,
      agentSettings,
      teams,
      mode: flowMode(flow),
      defaults: { temperature: this.settings.temperature, maxTokens: this.settings.maxTokens, stream: this.settings.stream ?? true },
    };
    // Only a plan built from the current agents and flow is kept (a change during the awaits clears it).
    if (this.prepared.length === agents.length && this.prepared.every((agent, index) => agent === agents[index]) && this.compiledFlow === flow) {
      this.modelPlan = plan;
    }
    return plan;
  }

  /**
   * The model-call pipeline of calls that belong to no agent (router, configurator): the user's
   * layers, the team's resilience defaults, then the cost layer around the provider call.
   */
  private pipeline(): ModelCall {
    this.teamCall ??= this.buildPipeline(this.settings.retryPolicy, this.settings.circuitBreaker, undefined);
    return this.teamCall;
  }

  /** An agent's pipeline, built once: its retry policy and breaker over the team's defaults. */
  private callFor(agent: PreparedAgent): ModelCall {
    let call = this.agentPipelines.get(agent);
    if (!call) {
      const { config } = agent;
      call = this.buildPipeline(
        resolveRetryPolicy(this.settings.retryPolicy, config.retryPolicy),
        resolveCircuitBreakerPolicy(this.settings.circuitBreaker, config.circuitBreaker) ?? false,
        config.timeoutMs,
      );
      this.agentPipelines.set(agent, call);
    }
    return call;
  }

  /** Outermost first: the user's middleware, fallback → retry → breaker → timeout, cost, the provider call. */
  private buildPipeline(
    retryPolicy: RetryPolicyOptions | false | undefined,
    circuitBreaker: CircuitBreakerOptions | false | undefined,
    timeoutMs: number | undefined,
  ): ModelCall {
    return buildModelPipeline(
      { retryPolicy, circuitBreaker, timeoutMs },
      { cost: this.costGuard, middleware: this.middleware, breakerStore: this.breakerStore, breakerKeyPrefix: `${this.teamId}:` },
    );
  }

  /** Prepares a validated agent: its templates and its tools (inline ones join the registry). */
  private prepare(config: AgentConfig, index: number): PreparedAgent {
    for (const reference of config.tools ?? []) {
      if (typeof reference !== "string" && this.tools.get(reference.name) !== reference) this.tools.register(reference);
    }
    return prepareAgent(config, this.tools.resolve(config.tools ?? [], ["agents", index, "tools"]), this.clock);
  }

  /** The agent's model and fallbacks, in order. */
  private modelNamesOf(agent: PreparedAgent): string[] {
    const primary = agent.config.model ?? this.settings.model ?? this.defaultModel;
    const list = primary === undefined ? [] : Array.isArray(primary) ? [...primary] : [primary];
    return [...list, ...(agent.config.fallbackModels ?? [])];
  }

  private checkVariables(flow: TeamFlow, inputKeys: string[]): void {
    const signature = inputKeys.length === 1 ? inputKeys[0]! : [...inputKeys].sort().join("\u0000");
    if (this.checkedInputs.has(signature)) return;
    const issues = checkVariables(this.prepared, flow, inputKeys);
    this.prepared.forEach((agent, index) => {
      const nested = this.nestedTeams.get(agent.id);
      if (!nested) return;
      const keys = agent.config.prompt === undefined ? inputKeys : [...new Set([...inputKeys, "query"])];
      try {
        nested.validate(keys);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        issues.push(...error.issues.map((issue) => ({ ...issue, path: ["agents", index, "team", ...issue.path] })));
      }
    });
    if (issues.length > 0) throw new ConfigError(issues);
    if (this.checkedInputs.size < 64) this.checkedInputs.add(signature);
  }
}

/** The part of a run's plan that does not depend on its input, shared by runs until the team changes. */
interface ModelPlan {
  /** The model names resolved, in order, and the registry's answers: the plan holds while they are the same. */
  names: string[];
  resolutions: Promise<ResolvedModel>[];
  /** Distinct names of the models the agents may call (for the budget pricing check). */
  modelNames: string[];
  agents: PreparedAgent[];
  roles: ReadonlyMap<string, string>;
  models: Map<string, ResolvedModel>;
  fallbackModels: Map<string, ResolvedModel[]>;
  agentCalls: Map<string, ModelCall>;
  agentSettings: Map<string, AgentCallSettings>;
  teams: Map<string, NestedTeam>;
  mode: string;
  defaults: RunPlan["defaults"];
}

function firstModel(model: string | string[] | undefined): string | undefined {
  return Array.isArray(model) ? model[0] : model;
}

/** The run input as named values: a string is `{ query }`. @throws ConfigError for anything else. */
export function normalizeInput(input: RunInput): Record<string, unknown> {
  if (typeof input === "string") return { query: input };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(`Run input must be an object of named values, e.g. { query: "..." }, or a string; got ${Array.isArray(input) ? "an array" : typeof input}.`);
  }
  return input;
}
