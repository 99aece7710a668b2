import type { LanguageModelV4 } from "@ai-sdk/provider";
import { agentConfigSchema, type AgentConfig } from "../agents/agent-config.js";
import { prepareAgent, type PreparedAgent } from "../agents/llm-agent.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError } from "../errors/config-error.js";
import { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import { systemClock, type Clock } from "../internal/clock.js";
import { RunTimeoutError } from "../errors/run-timeout-error.js";
import { newRunId } from "../internal/ids.js";
import { callModel } from "../providers/call-model.js";
import type { ModelCall, ModelCallMiddleware, ResolvedModel } from "../providers/model-call.js";
import { ModelRegistry } from "../providers/model-registry.js";
import { checkVariables } from "./flow/check-variables.js";
import type { NestedTeam } from "./nested-team.js";
import { ORCHESTRATOR_ID } from "./router/route-decision.js";
import { RunExecution, type RunPlan } from "./run-execution.js";
import type { RunResult } from "./run-result.js";
import { RunStream } from "./run-stream.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import { compileTeamFlow, flowMode, runTeamFlow, type TeamFlow } from "./team-flow.js";

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
  /** Model for agents that name none, in place of the team's `model` (the CLI's `--model`). */
  defaultModel?: string;
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

const RUNTIME_KEYS = ["models", "clock", "env", "middleware", "streamBufferSize", "defaultModel"] as const;

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
  private readonly settings: Omit<TeamConfig, "agents">;
  private readonly prepared: PreparedAgent[] = [];
  private readonly clock: Clock;
  private readonly middleware: ModelCallMiddleware[];
  private readonly streamBufferSize: number;
  private readonly defaultModel: string | undefined;
  private readonly runtime: TeamRuntimeOptions;
  /** Nested teams of `type: team` agents, by agent id. */
  private readonly nestedTeams = new Map<string, LLMTeam>();
  private compiledFlow: TeamFlow | undefined;
  /** Input key sets already checked against the prompts (runs repeat the same shape). */
  private readonly checkedInputs = new Set<string>();

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
    this.models = new ModelRegistry({
      ...(settings.providers ? { providers: settings.providers } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.env ? { env: options.env } : {}),
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
   */
  addAgent(config: AgentConfig): this {
    const index = this.prepared.length;
    const parsed = agentConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, ["agents", index]));
    const agent = prepareAgent(config);
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
    this.compiledFlow = undefined;
    this.checkedInputs.clear();
    return this;
  }

  private nestedTeamOf(config: AgentConfig, index: number): LLMTeam {
    const team = config.team as LLMTeam | TeamConfig;
    if (team instanceof LLMTeam) return team;
    const inherited: TeamRuntimeOptions = { ...this.runtime };
    const model = this.defaultModel ?? this.settings.model;
    if (model !== undefined) inherited.defaultModel = model;
    const providers = this.settings.providers || team.providers ? { ...this.settings.providers, ...team.providers } : undefined;
    try {
      return LLMTeam.fromConfig({ ...team, ...(providers ? { providers } : {}) }, inherited);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: ["agents", index, "team", ...issue.path] })), { cause: error });
    }
  }

  /** The configuration of the agent with this id, if any. */
  getAgent(id: string): AgentConfig | undefined {
    return this.prepared.find((agent) => agent.id === id)?.config;
  }

  /** The agents' configurations, in run order. */
  get agents(): readonly AgentConfig[] {
    return this.prepared.map((agent) => agent.config);
  }

  /** Registers a ready model under a name agents can use. */
  registerModel(name: string, model: LanguageModelV4): this {
    this.models.register(name, model);
    return this;
  }

  /** The whole team as configuration data: `LLMTeam.fromConfig(team.toConfig())` rebuilds it. */
  toConfig(): TeamConfig {
    const agents = this.prepared.map((agent) => {
      const nested = agent.config.team;
      return nested instanceof LLMTeam ? { ...agent.config, team: nested.toConfig() } : agent.config;
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
   */
  async run(input: RunInput, options: RunOptions = {}): Promise<RunResult> {
    const controller = new AbortController();
    const plan = await this.plan(input, options, controller);
    return this.execute(new RunExecution(plan, undefined), controller);
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
      try {
        plan = await this.plan(input, { ...options, runId }, controller);
      } catch (error) {
        channel.fail(error);
        throw error;
      }
      const finished = await this.execute(new RunExecution(plan, channel), controller);
      channel.close();
      return finished;
    })();
    return new RunStream(runId, channel, result);
  }

  /** Runs the flow; `controller` aborts the run (the team's `timeoutMs` uses it). */
  private async execute(execution: RunExecution, controller: AbortController): Promise<RunResult> {
    const { plan } = execution;
    const timeoutMs = this.settings.timeoutMs;
    // Only teams with a timeout pay for a timer; it is cleared with a preallocated reason.
    const timer = timeoutMs === undefined ? undefined : new AbortController();
    if (timer) {
      plan.clock.sleep(timeoutMs!, timer.signal).then(
        () => controller.abort(new RunTimeoutError(timeoutMs!, `Team "${this.teamId}"`)),
        () => undefined,
      );
    }
    try {
      await execution.emit("run_started", { teamId: this.teamId, agents: plan.agents.map((agent) => agent.id), input: plan.input, mode: plan.mode });
      const output = await runTeamFlow(execution, this.flow());
      return await execution.complete(output);
    } catch (error) {
      return await execution.fail(error);
    } finally {
      timer?.abort(RUN_ENDED);
    }
  }

  /**
   * Runs this team as a step of another run (see {@link NestedTeam}). Internal: used by
   * `type: team` agents and by groups.
   * @internal
   */
  async runNested(input: Record<string, unknown>, parent: RunExecution, agentId: string, signal: AbortSignal): Promise<RunResult> {
    const controller = new AbortController();
    const plan = await this.plan(input, { runId: parent.plan.runId, signal }, controller);
    plan.pathPrefix = `${parent.plan.pathPrefix}/${agentId}`;
    const gate = parent.plan.gate;
    if (gate) plan.gate = () => gate(parent);
    else delete plan.gate;
    return this.execute(new RunExecution(plan, { push: (event) => parent.forward(event) }), controller);
  }

  private flow(): TeamFlow {
    this.compiledFlow ??= compileTeamFlow(this.settings, this.prepared);
    return this.compiledFlow;
  }

  private async plan(input: RunInput, options: RunOptions, controller: AbortController): Promise<RunPlan> {
    const values = normalizeInput(input);
    if (this.prepared.length === 0) {
      throw new ConfigError(`Team "${this.teamId}" has no agents. Add one with team.addAgent({ type: "llm", role, prompt }).`);
    }
    const flow = this.flow();
    this.checkVariables(flow, Object.keys(values));
    const models = new Map<string, ResolvedModel>();
    const teams = new Map<string, NestedTeam>();
    for (const agent of this.prepared) {
      const nested = this.nestedTeams.get(agent.id);
      if (nested) {
        teams.set(agent.id, nested);
        continue;
      }
      const name = agent.config.model ?? this.defaultModel ?? this.settings.model;
      if (name === undefined) {
        throw new ConfigError(
          `Agent "${agent.id}" has no model. Set "model" on the team or the agent, e.g. model: openai/gpt-4o-mini.`,
        );
      }
      models.set(agent.id, await this.models.resolve(name));
    }
    if (flow.kind === "router") {
      const name = flow.model ?? this.defaultModel ?? this.settings.model;
      if (name === undefined) {
        throw new ConfigError([{ path: ["orchestrator", "model"], message: "The orchestrator has no model. Set orchestrator.model or the team's model, e.g. model: openai/gpt-4o-mini." }]);
      }
      models.set(ORCHESTRATOR_ID, await this.models.resolve(name));
    }
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    return {
      runId: options.runId ?? newRunId(),
      teamId: this.teamId,
      agents: [...this.prepared],
      models,
      call: this.pipeline(),
      clock: this.clock,
      signal,
      input: values,
      pathPrefix: this.teamId,
      mode: flowMode(flow),
      defaults: { temperature: this.settings.temperature, maxTokens: this.settings.maxTokens, stream: this.settings.stream ?? true },
      listeners: [],
      ...(teams.size > 0 ? { teams } : {}),
    };
  }

  private pipeline(): ModelCall {
    let call: ModelCall = callModel;
    for (let index = this.middleware.length - 1; index >= 0; index--) call = this.middleware[index]!(call);
    return call;
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

/** The run input as named values: a string is `{ query }`. @throws ConfigError for anything else. */
export function normalizeInput(input: RunInput): Record<string, unknown> {
  if (typeof input === "string") return { query: input };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(`Run input must be an object of named values, e.g. { query: "..." }, or a string; got ${Array.isArray(input) ? "an array" : typeof input}.`);
  }
  return input;
}
