import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { GroupTeamFailedError } from "../errors/group-team-failed-error.js";
import { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import { systemClock, type Clock } from "../internal/clock.js";
import { newRunId } from "../internal/ids.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import type { ResolvedModel } from "../providers/model-call.js";
import { ModelRegistry } from "../providers/model-registry.js";
import { LLMTeam } from "../team/llm-team.js";
import { ORCHESTRATOR_DEFAULTS, orchestratorMaxTokens } from "../router/orchestrator-config.js";
import { ORCHESTRATOR_ID, type RouteSettings } from "../router/route-decision.js";
import { orchestratorTermination, type TerminationCondition } from "../router/termination.js";
import type { RunExecution, RunPlan } from "../run/run-execution.js";
import { normalizeInput, type RunInput, type RunOptions } from "../run/run-input.js";
import type { RunResult } from "../run/run-result.js";
import { startTracedRun } from "./start-traced-run.js";
import { RUNTIME_KEYS, type TeamRuntimeOptions } from "../team/team-runtime-options.js";
import {
  groupConfigSchema,
  groupSettingsSchema,
  type GroupConfig,
  type GroupRole,
  type TeamRole,
} from "./group-config.js";
import {
  groupResultOf,
  newGroupRunState,
  type GroupResult,
  type GroupRunState,
} from "./group-result.js";
import { coordinatorOrder, runGroupRole, type GroupMember } from "./group-run.js";
import { GroupStream } from "./group-stream.js";
import type { LLMGroupOptions } from "./llm-group-options.js";
import { groupEscalationIssues } from "./group-escalation.js";
import { OrchestratorCalls } from "./orchestrator-calls.js";

export type { GroupTeamEntry, LLMGroupOptions } from "./llm-group-options.js";

/**
 * A group of teams (RFC-008) coordinated in one of five roles — `report_collector`,
 * `coordinator`, `router`, `aggregator`, `arbiter` — with team roles `leader`, `member`,
 * `specialist` and `fallback`. A group run is one event log, like a team run: the teams are
 * its steps and their events appear under `group/team/agent`.
 *
 * @example
 * const group = new LLMGroup({ groupId: "desk", role: "coordinator", teams: [{ team: planners, role: "leader" }, writers] });
 * const result = await group.run({ query: "Launch plan for the new app" });
 * console.log(result.output, result.report.toMarkdown());
 */
export class LLMGroup {
  readonly groupId: string;
  readonly role: GroupRole;
  private readonly options: Omit<LLMGroupOptions, "teams">;
  private readonly entries: GroupMember[] = [];
  private readonly models: ModelRegistry;
  /** Providers the orchestrator can use: the group's own, then those its teams declare. */
  private readonly providerNames: Set<string>;
  private readonly clock: Clock;
  private readonly orchestratorCalls: OrchestratorCalls;

  /** @throws ConfigError naming every problem (unknown keys, two leaders, duplicate teams, …). */
  constructor(options: LLMGroupOptions) {
    const settings: Record<string, unknown> = { ...options };
    for (const key of [...RUNTIME_KEYS, "teams", "aggregate"]) delete settings[key];
    // Only a registry is runtime: declared prices belong to the teams (or to a provider).
    if (options.pricing !== undefined && !(options.pricing instanceof PricingRegistry))
      settings.pricing = options.pricing;
    const parsed = groupSettingsSchema.safeParse(settings, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
    this.options = options;
    this.groupId = options.groupId;
    this.role = options.role ?? "report_collector";
    this.clock = options.clock ?? systemClock;
    this.models = new ModelRegistry({
      ...(options.providers ? { providers: options.providers } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    this.providerNames = new Set(Object.keys(options.providers ?? {}));
    this.orchestratorCalls = new OrchestratorCalls({ ...options, clock: this.clock });
    this.orchestratorCalls.addProviders(options.providers);
    for (const entry of options.teams ?? []) {
      if (entry instanceof LLMTeam) this.addTeam(entry);
      else this.addTeam(entry.team, entry.role);
    }
  }

  /**
   * Builds a group from configuration data (a parsed group file): inline teams are built with
   * the runtime options; the group's `model` is their default model.
   * @throws ConfigError naming every problem; for `file:` entries use `loadGroup`.
   */
  static fromConfig(config: GroupConfig, runtime: TeamRuntimeOptions = {}): LLMGroup {
    const parsed = groupConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
    const { teams, ...settings } = config;
    const teamRuntime: TeamRuntimeOptions = { ...runtime };
    const model = runtime.defaultModel ?? config.model;
    if (model !== undefined) teamRuntime.defaultModel = model;
    const built = teams.map((entry, index) => {
      if (entry.file !== undefined) {
        throw new ConfigError([
          {
            path: ["teams", index, "file"],
            message: "Team files are read by loadGroup(path); fromConfig takes inline teams.",
          },
        ]);
      }
      const team = entry.team as LLMTeam | Parameters<typeof LLMTeam.fromConfig>[0];
      if (team instanceof LLMTeam) return { team, ...(entry.role ? { role: entry.role } : {}) };
      const providers =
        config.providers || team.providers ? { ...config.providers, ...team.providers } : undefined;
      try {
        return {
          team: LLMTeam.fromConfig({ ...team, ...(providers ? { providers } : {}) }, teamRuntime),
          ...(entry.role ? { role: entry.role } : {}),
        };
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        throw new ConfigError(
          error.issues.map((issue) => ({
            ...issue,
            path: ["teams", index, "team", ...issue.path],
          })),
          { cause: error },
        );
      }
    });
    return new LLMGroup({
      ...(settings as Omit<LLMGroupOptions, "teams">),
      ...runtime,
      teams: built,
    });
  }

  /**
   * Adds a team in a role (default `member`).
   * @throws ConfigError for a second leader or a team id already in the group.
   */
  addTeam(team: LLMTeam, role: TeamRole = "member"): this {
    const index = this.entries.length;
    if (!(team instanceof LLMTeam))
      throw new ConfigError([
        {
          path: ["teams", index],
          message:
            "A group's teams must be LLMTeam instances (or inline configurations in a group file).",
        },
      ]);
    const leader = this.entries.find((entry) => entry.role === "leader");
    if (role === "leader" && leader) {
      throw new ConfigError([
        {
          path: ["teams", index, "role"],
          message: `A group has at most one leader; "${leader.id}" is the leader already.`,
        },
      ]);
    }
    if (this.entries.some((entry) => entry.id === team.teamId)) {
      throw new ConfigError([
        {
          path: ["teams", index, "team", "teamId"],
          message: `Duplicate teamId "${team.teamId}": the group has a team with this id already.`,
        },
      ]);
    }
    this.entries.push({ id: team.teamId, team, role });
    // The orchestrator inherits the providers its teams declare (the group's own come first).
    for (const [name, provider] of Object.entries(team.toConfig().providers ?? {})) {
      if (this.providerNames.has(name)) continue;
      this.providerNames.add(name);
      this.models.registerProvider(name, provider);
      this.orchestratorCalls.addProviders({ [name]: provider });
    }
    return this;
  }

  /** Closes every team of the group (their MCP servers stop). */
  async close(): Promise<void> {
    await Promise.all(this.entries.map((entry) => entry.team.close()));
  }

  /** The teams and their roles, in the order they were added. */
  get teams(): readonly { teamId: string; role: TeamRole; team: LLMTeam }[] {
    return this.entries.map((entry) => ({ teamId: entry.id, role: entry.role, team: entry.team }));
  }

  /**
   * Checks every team against the input it will get (the run input; in a coordinator also
   * `previous` and earlier teams' outputs by team id). `run()` does the same first.
   * @throws ConfigError listing every problem, under `teams.<index>.team`.
   */
  validate(inputKeys: string[] = ["query"]): void {
    if (this.entries.every((entry) => entry.role === "fallback")) {
      throw new ConfigError([
        {
          path: ["teams"],
          message: `Group "${this.groupId}" has no team to run. Add one with group.addTeam(team).`,
        },
      ]);
    }
    const issues: ConfigIssue[] = [];
    const keysOf = new Map<GroupMember, string[]>();
    if (this.role === "coordinator") {
      const earlier: string[] = [];
      for (const member of coordinatorOrder(this.members())) {
        keysOf.set(
          member,
          earlier.length === 0 ? inputKeys : [...inputKeys, ...earlier, "previous"],
        );
        earlier.push(member.id);
      }
    }
    this.entries.forEach((entry, index) => {
      try {
        entry.team.validate(keysOf.get(entry) ?? inputKeys);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        issues.push(
          ...error.issues.map((issue) => ({
            ...issue,
            path: ["teams", index, "team", ...issue.path],
          })),
        );
      }
    });
    issues.push(...groupEscalationIssues(this.options.escalation, this.entries));
    if (issues.length > 0) throw new ConfigError(issues);
  }

  /**
   * Runs the group to its end.
   * @returns the group's result; a failed or cancelled run resolves too, with `success: false`.
   * @throws ConfigError before anything runs.
   */
  run(input: RunInput, options: RunOptions = {}): Promise<GroupResult> {
    const state = newGroupRunState();
    const plan = this.plan(input, options, new AbortController(), state);
    return startTracedRun(this.groupId, plan).then((result) => this.resultOf(result, state));
  }

  /** Runs the group, yielding the events of the group and its teams as they happen. */
  stream(input: RunInput, options: RunOptions = {}): GroupStream {
    const controller = new AbortController();
    const runId = options.runId ?? newRunId();
    const channel = new EventChannel<StreamEvent>(this.options.streamBufferSize ?? 1024, () =>
      controller.abort(
        Object.assign(new Error("The stream's consumer stopped reading."), { name: "AbortError" }),
      ),
    );
    const state = newGroupRunState();
    const plan = this.plan(input, { ...options, runId }, controller, state);
    const result = startTracedRun(this.groupId, plan, {
      push: (event) => channel.push(event),
      close: () => channel.close(),
      fail: (error) => channel.fail(error),
    }).then((finished) => this.resultOf(finished, state));
    return new GroupStream(runId, channel, result);
  }

  private members(): GroupMember[] {
    const members = this.entries.filter((entry) => entry.role !== "fallback");
    const leader = members.filter((entry) => entry.role === "leader");
    return [...leader, ...members.filter((entry) => entry.role !== "leader")];
  }

  /** The plan of one group run; its flow runs the group's role and keeps what it found in `state`. */
  private async plan(
    input: RunInput,
    options: RunOptions,
    controller: AbortController,
    state: GroupRunState,
  ): Promise<RunPlan> {
    const values = normalizeInput(input);
    this.validate(Object.keys(values));
    const models = new Map<string, ResolvedModel>();
    if (this.role === "router" || this.role === "arbiter") {
      const name =
        this.options.orchestrator?.model ?? this.options.model ?? this.options.defaultModel;
      if (name === undefined) {
        throw new ConfigError([
          {
            path: ["orchestrator", "model"],
            message: `A group with role ${this.role} needs a model to decide: set orchestrator.model or the group's model.`,
          },
        ]);
      }
      models.set(
        ORCHESTRATOR_ID,
        await this.models.resolve(typeof name === "string" ? name : this.models.nameOf(name)),
      );
    }
    const { timeoutMs } = this.options;
    return {
      runId: options.runId ?? newRunId(),
      teamId: this.groupId,
      agents: [],
      memberIds: this.entries.map((entry) => entry.id),
      models,
      // Retry, breaker, per-attempt timeout and cost, as every team's calls (orchestrator-calls.ts).
      call: this.orchestratorCalls.forRun(),
      clock: this.clock,
      signal: options.signal
        ? AbortSignal.any([options.signal, controller.signal])
        : controller.signal,
      controller,
      input: values,
      pathPrefix: this.groupId,
      mode: `group:${this.role}`,
      defaults: { temperature: undefined, maxTokens: undefined, stream: false },
      flow: (execution) => this.runRole(execution, state),
      timeout:
        timeoutMs === undefined ? undefined : { ms: timeoutMs, owner: `Group "${this.groupId}"` },
    };
  }

  /** The group's flow: its role over its teams. A failed team's partial output is kept. */
  private async runRole(execution: RunExecution, state: GroupRunState): Promise<unknown> {
    const [route, termination] = this.routing(execution.plan);
    try {
      state.output = await runGroupRole({
        execution,
        role: this.role,
        members: this.members(),
        fallbacks: this.entries.filter((entry) => entry.role === "fallback"),
        teamResults: state.teamResults,
        errors: state.errors,
        route,
        termination,
        aggregate: this.options.aggregate,
        escalation: this.options.escalation,
        step: 0,
      });
      return state.output;
    } catch (error) {
      if (GroupTeamFailedError.isInstance(error)) state.output = error.partialOutput;
      throw error;
    }
  }

  private resultOf(result: RunResult, state: GroupRunState): GroupResult {
    return groupResultOf(result, this.role, state.output, state.teamResults, state.errors);
  }

  private routing(plan: RunPlan): [RouteSettings | undefined, TerminationCondition | undefined] {
    const model = plan.models.get(ORCHESTRATOR_ID);
    if (!model) return [undefined, undefined];
    const orchestrator = this.options.orchestrator ?? {};
    const termination = orchestratorTermination(orchestrator, ORCHESTRATOR_DEFAULTS.maxIterations);
    const route: RouteSettings = {
      model,
      prompt: orchestrator.prompt,
      maxIterations: orchestrator.maxIterations ?? ORCHESTRATOR_DEFAULTS.maxIterations,
      onInvalidDecision: orchestrator.onInvalidDecision ?? ORCHESTRATOR_DEFAULTS.onInvalidDecision,
      temperature: orchestrator.temperature,
      maxTokens: orchestratorMaxTokens(orchestrator, undefined),
      noun: "team",
    };
    return [route, termination];
  }
}

/** The seed's name for {@link LLMGroup}. */
export { LLMGroup as GroupOrchestrator };
