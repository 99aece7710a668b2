import type { LanguageModelV4 } from "@ai-sdk/provider";
import { modelNameOf } from "../agents/agent-config.js";
import type { AgentCallSettings, PreparedAgent } from "../agents/llm-agent.js";
import type { BudgetManager } from "../cost/budget-manager.js";
import { checkBudgetPricing } from "../cost/budget-status.js";
import type { CostTracker } from "../cost/cost-tracker.js";
import { ConfigError } from "../errors/config-error.js";
import type { Clock } from "../internal/clock.js";
import { newRunId } from "../internal/ids.js";
import type { ModelCall, ResolvedModel } from "../providers/model-call.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import { checkVariables } from "../flows/check-variables.js";
import { assertNoApprovalsNeeded } from "./lifecycle/assert-no-approvals.js";
import type { NestedTeam } from "../run/nested-team.js";
import { ORCHESTRATOR_ID } from "../router/route-decision.js";
import { agentCallSettings } from "../run/agent-call-settings.js";
import type { RunExecution, RunPlan } from "../run/run-execution.js";
import type { RunLaunch } from "./run-launch.js";
import { normalizeInput, type RunInput, type RunOptions } from "../run/run-input.js";
import type { TeamConfig } from "./team-config.js";
import { runInputChecker, type TeamInputs } from "./team-inputs.js";
import { flowMode, runTeamFlow, type TeamFlow } from "../flows/team-flow.js";
import type { TeamPipelines } from "./team-pipelines.js";
import type { WorkflowStep } from "../run/workflow-step.js";
import { workflowSteps } from "./team-steps.js";
import { assertNoHumanEscalation, compileFlowAndEscalation } from "./team-escalation.js";
import type { EscalationPlan } from "../run/escalate-step.js";
import type { EstimateOptions, EstimateSource, TeamEstimate } from "./estimate-team.js";

/** A nested team as the planner sees it: it runs as a step and checks a run input's keys. */
export interface PlannedNestedTeam extends NestedTeam<RunExecution> {
  /** @throws ConfigError when the team's flow is invalid or the keys leave a prompt variable unset. */
  validate(inputKeys?: string[]): void;
  /** The least and most a run of it may cost (see `LLMTeam.estimate`). */
  estimate(input: RunInput, options: EstimateOptions): Promise<TeamEstimate>;
}

/** What a {@link TeamPlanner} plans from: live views of its team, read at every run. */
export interface TeamPlannerOptions {
  teamId: string;
  /** The team's agents in run order: the team's own list, which it edits in place (the planner only reads it). */
  agents: PreparedAgent[];
  /** Nested teams of `type: team` agents, by agent id (the team's own map). */
  nestedTeams: ReadonlyMap<string, PlannedNestedTeam>;
  /** The team's current settings (replaced when approved proposals are applied). */
  settings: () => Omit<TeamConfig, "agents">;
  /** Model for agents when neither the agent nor the team names one. */
  defaultModel: string | undefined;
  models: ModelRegistry;
  costTracker: CostTracker;
  budgetManagers: readonly BudgetManager[];
  pipelines: TeamPipelines;
  clock: Clock;
  /** Environment for `${NAME}` in http steps' headers. */
  env: Record<string, string | undefined>;
}

/**
 * Plans a team's runs: compiles its flow, checks run inputs against the prompts, resolves the
 * models and builds the {@link RunPlan}. The input-independent part (models, pipelines,
 * settings per agent) is cached and shared by runs until the team changes (`changed()`).
 */
export class TeamPlanner {
  private compiledFlow: TeamFlow | undefined;
  /** The escalation policies of the team's runs, resolved with the flow. */
  private escalation: EscalationPlan | undefined;
  /** The plan's `flow`: runs the compiled flow (made once per compiled flow). */
  private runFlow: ((execution: RunExecution) => Promise<unknown>) | undefined;
  /** Input key sets already checked against the prompts (runs repeat the same shape). */
  private readonly checkedInputs = new Set<string>();
  private modelPlan: ModelPlan | undefined;
  /** The plan being built, shared by runs that start meanwhile (e.g. a burst of concurrent runs). */
  private pendingModelPlan: Promise<ModelPlan> | undefined;
  /** The checker of the declared `inputs`, built once per settings. */
  private inputCheck:
    { inputs: TeamInputs; check: (values: Record<string, unknown>) => void } | undefined;

  constructor(private readonly team: TeamPlannerOptions) {}

  private get settings(): Omit<TeamConfig, "agents"> {
    return this.team.settings();
  }

  /** Forgets everything derived from the agents and settings: the next run compiles and plans again. */
  changed(): void {
    this.compiledFlow = undefined;
    this.runFlow = undefined;
    this.modelPlan = undefined;
    this.pendingModelPlan = undefined;
    this.checkedInputs.clear();
  }

  /** The team's compiled flow and escalation policies, once per change. @throws ConfigError */
  flow(): TeamFlow {
    if (this.compiledFlow) return this.compiledFlow;
    const { flow, escalation } = compileFlowAndEscalation(this.settings, this.team.agents);
    this.escalation = escalation;
    return (this.compiledFlow = flow);
  }

  /**
   * Checks the flow and, given the keys of a run input, that every prompt variable (of this
   * team and its nested teams) will have a value.
   * @throws ConfigError listing every problem with its path.
   */
  validate(inputKeys?: string[]): void {
    const flow = this.flow();
    if (inputKeys) this.checkVariables(flow, inputKeys);
  }

  /** What `team.estimate()` reads: the agents, settings, compiled flow and prices as they are now. */
  estimateSource(): EstimateSource {
    const { costTracker, clock, ...team } = this.team;
    const pricing = costTracker.pricing;
    const validate = (keys: string[] | undefined): void => this.validate(keys);
    return {
      ...team,
      settings: this.settings,
      flow: this.flow(),
      pricing,
      nowMs: clock.now(),
      validate,
    };
  }

  /**
   * The plan of one run, and its run started in the cost tracker: what can fail before the run
   * fails here. @throws ConfigError for a bad input, no agents, an unset prompt variable, no
   * model, an unpriced model under a budget, or agents needing approval in a run nobody can approve.
   */
  plan(input: RunInput, options: RunOptions, launch: RunLaunch): RunPlan | Promise<RunPlan> {
    const { teamId, agents } = this.team;
    const values = normalizeInput(input);
    this.checkInput(values);
    if (agents.length === 0) {
      throw new ConfigError(
        `Team "${teamId}" has no agents. Add one with team.addAgent({ type: "llm", role, prompt }).`,
      );
    }
    const flow = this.flow();
    this.checkVariables(flow, Object.keys(values));
    if (!launch.control?.interactive) {
      assertNoApprovalsNeeded(agents);
      assertNoHumanEscalation(this.escalation, agents);
    }
    // The model plan is built once (resolving models may wait); runs after that plan at once.
    const cached = this.cachedModelPlan();
    if (cached) return this.runPlan(cached, values, options, launch);
    return (this.pendingModelPlan ??= this.buildModelPlan(flow).finally(
      () => (this.pendingModelPlan = undefined),
    )).then((parts) => this.runPlan(parts, values, options, launch));
  }

  /** Checks a run input against the team's declared `inputs`. @throws ConfigError naming what is missing or wrong. */
  private checkInput(values: Record<string, unknown>): void {
    const { inputs } = this.settings;
    if (inputs === undefined) return;
    if (this.inputCheck?.inputs !== inputs)
      this.inputCheck = { inputs, check: runInputChecker(this.team.teamId, inputs) };
    this.inputCheck.check(values);
  }

  /** The plan of one run over the team's model plan. */
  private runPlan(
    parts: ModelPlan,
    values: Record<string, unknown>,
    options: RunOptions,
    launch: RunLaunch,
  ): RunPlan {
    const { teamId, costTracker, budgetManagers } = this.team;
    if (budgetManagers.length > 0) {
      checkBudgetPricing({
        models: parts.modelNames,
        pricing: costTracker.pricing,
        budgets: budgetManagers,
        allowUnpriced: this.settings.allowUnpriced ?? false,
      });
    }
    const runId = options.runId ?? newRunId();
    costTracker.startRun(runId, teamId);
    const { controller, control, nested } = launch;
    const signal = options.signal
      ? AbortSignal.any([options.signal, controller.signal])
      : controller.signal;
    const interactive = control?.interactive === true;
    const { timeoutMs } = this.settings;
    const flow = this.flow();
    const plan: RunPlan = {
      runId,
      teamId,
      agents: parts.agents,
      memberIds: parts.agentIds,
      roles: parts.roles,
      models: parts.models,
      fallbackModels: parts.fallbackModels,
      agentCalls: parts.agentCalls,
      agentSettings: parts.agentSettings,
      call: this.team.pipelines.team(),
      meter: this.team.pipelines.meter,
      clock: this.team.clock,
      signal,
      controller,
      input: values,
      pathPrefix: nested?.pathPrefix ?? teamId,
      mode: parts.mode,
      defaults: parts.defaults,
      flow: (this.runFlow ??= (execution) => runTeamFlow(execution, flow)),
      timeout: timeoutMs === undefined ? undefined : { ms: timeoutMs, owner: `Team "${teamId}"` },
      costRun: nested?.parentEndsCost
        ? undefined
        : { tracker: costTracker, foldsCost: budgetManagers.length === 0 },
      hooks: control,
      observed: nested?.observed ?? launch.observed,
      gate: nested ? nested.gate : interactive ? control.gate : undefined,
      approver: nested ? nested.approver : interactive ? control : undefined,
      teams: parts.teams.size > 0 ? parts.teams : undefined,
      steps: parts.steps.size > 0 ? parts.steps : undefined,
      journal: launch.journal,
      replay: launch.replay,
      escalation: this.escalation,
    };
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
    const { models } = this.team;
    if (cached.registryVersion === models.version) return cached;
    for (let index = 0; index < cached.names.length; index++) {
      if (models.resolve(cached.names[index]!) !== cached.resolutions[index]) return undefined;
    }
    cached.registryVersion = models.version;
    return cached;
  }

  private async buildModelPlan(flow: TeamFlow): Promise<ModelPlan> {
    const names: string[] = [];
    const resolutions: Promise<ResolvedModel>[] = [];
    const resolve = (name: string): Promise<ResolvedModel> => {
      const resolution = this.team.models.resolve(name);
      names.push(name);
      resolutions.push(resolution);
      return resolution;
    };
    const models = new Map<string, ResolvedModel>();
    const fallbackModels = new Map<string, ResolvedModel[]>();
    const agentCalls = new Map<string, ModelCall>();
    const agentSettings = new Map<string, AgentCallSettings>();
    const teams = new Map<string, NestedTeam<RunExecution>>();
    const agents = [...this.team.agents];
    const steps = workflowSteps(agents, this.team);
    const defaults: RunPlan["defaults"] = {
      temperature: this.settings.temperature,
      maxTokens: this.settings.maxTokens,
      stream: this.settings.stream,
    };
    for (const agent of agents) {
      const nested = this.team.nestedTeams.get(agent.id);
      if (nested) {
        teams.set(agent.id, nested);
        continue;
      }
      // rag / kag agents and workflow steps call no model: the run runs their step.
      if (agent.step || steps.has(agent.id)) continue;
      const [name, ...fallbacks] = this.modelNamesOf(agent);
      if (name === undefined) {
        throw new ConfigError(
          `Agent "${agent.id}" has no model. Set "model" on the team or the agent, e.g. model: openai/gpt-4o-mini.`,
        );
      }
      const model = await resolve(name);
      models.set(agent.id, model);
      if (fallbacks.length > 0)
        fallbackModels.set(agent.id, await Promise.all(fallbacks.map(resolve)));
      const call = this.team.pipelines.agent(agent);
      agentCalls.set(agent.id, call);
      agentSettings.set(
        agent.id,
        agentCallSettings(agent, model, fallbackModels.get(agent.id), call, defaults),
      );
    }
    if (flow.kind === "router") models.set(ORCHESTRATOR_ID, await resolve(this.routerModel(flow)));
    const plan: ModelPlan = {
      names,
      resolutions,
      registryVersion: -1,
      modelNames: [
        ...new Set(
          [...models.values(), ...[...fallbackModels.values()].flat()].map((model) => model.name),
        ),
      ],
      agents,
      agentIds: agents.map((agent) => agent.id),
      roles: new Map(agents.map((agent) => [agent.id, agent.role])),
      models,
      fallbackModels,
      agentCalls,
      agentSettings,
      teams,
      steps,
      mode: flowMode(flow),
      defaults,
    };
    // Only a plan built from the current agents and flow is kept (a change during the awaits clears it).
    const current = this.team.agents;
    if (
      current.length === agents.length &&
      current.every((agent, index) => agent === agents[index]) &&
      this.compiledFlow === flow
    ) {
      this.modelPlan = plan;
    }
    return plan;
  }

  /** The router's model name. @throws ConfigError when neither the orchestrator nor the team names one. */
  private routerModel(flow: TeamFlow & { kind: "router" }): string {
    const name = firstModel(flow.model ?? this.settings.model) ?? this.team.defaultModel;
    if (name !== undefined) return name;
    throw new ConfigError([
      {
        path: ["orchestrator", "model"],
        message:
          "The orchestrator has no model. Set orchestrator.model or the team's model, e.g. model: openai/gpt-4o-mini.",
      },
    ]);
  }

  /** The agent's model and fallbacks, in order. */
  private modelNamesOf(agent: PreparedAgent): string[] {
    const primary = agent.config.model ?? this.settings.model ?? this.team.defaultModel;
    const list = primary === undefined ? [] : Array.isArray(primary) ? [...primary] : [primary];
    return [...list, ...(agent.config.fallbackModels ?? [])].map(modelNameOf);
  }

  private checkVariables(flow: TeamFlow, inputKeys: string[]): void {
    const signature = inputKeys.length === 1 ? inputKeys[0]! : [...inputKeys].sort().join("\u0000");
    if (this.checkedInputs.has(signature)) return;
    const { agents, nestedTeams } = this.team;
    const issues = checkVariables(agents, flow, inputKeys);
    agents.forEach((agent, index) => {
      const nested = nestedTeams.get(agent.id);
      if (!nested) return;
      const keys =
        agent.config.prompt === undefined ? inputKeys : [...new Set([...inputKeys, "query"])];
      try {
        nested.validate(keys);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        issues.push(
          ...error.issues.map((issue) => ({
            ...issue,
            path: ["agents", index, "team", ...issue.path],
          })),
        );
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
  /** The registry's version when the resolutions were last checked: unchanged, they still hold. */
  registryVersion: number;
  /** Distinct names of the models the agents may call (for the budget pricing check). */
  modelNames: string[];
  agents: PreparedAgent[];
  agentIds: string[];
  roles: ReadonlyMap<string, string>;
  models: Map<string, ResolvedModel>;
  fallbackModels: Map<string, ResolvedModel[]>;
  agentCalls: Map<string, ModelCall>;
  agentSettings: Map<string, AgentCallSettings>;
  teams: Map<string, NestedTeam<RunExecution>>;
  steps: Map<string, WorkflowStep>;
  mode: string;
  defaults: RunPlan["defaults"];
}

/** The first model of a model setting: the model itself, or the head of a list (the rest are fallbacks). */
export function firstModel(model: ModelListSetting | undefined): string | undefined {
  const first = Array.isArray(model) ? model[0] : model;
  return first === undefined ? undefined : modelNameOf(first);
}

/** A `model` setting: a model or a list of them (names, once the team has named its instances). */
export type ModelListSetting = string | LanguageModelV4 | (string | LanguageModelV4)[];
