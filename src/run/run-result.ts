import type { AgentResult } from "../agents/agent-result.js";
import type { RunCost } from "../cost/cost-tracker.js";
import { RunCostBuilder } from "../cost/run-cost-builder.js";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { eventCause } from "../events/create-event.js";
import type { ErrorInfo, RunStatus, StreamEvent, StreamEventOf } from "../events/stream-event.js";
import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import { ReportRecorder } from "./report/report-recorder.js";
import type { RunReport } from "./report/run-report.js";

/**
 * What a run produced. Built from the run's events, so `run()` and `stream()` always agree.
 * `TOutput` is the type of `finalOutput` once `success` is true: `unknown` unless the team is
 * typed by its last agent's zod `outputSchema` (see `TypedTeamOptions`).
 */
export type RunResult<TOutput = unknown> = RunResultFields &
  (
    | {
        /** True only when the run completed. */
        success: true;
        /** What the run answers: the output of the last agent that completed. */
        finalOutput: TOutput;
      }
    | {
        success: false;
        /** The output of the last agent that completed before the run ended, if any. */
        finalOutput: unknown;
      }
  );

/** The fields of a {@link RunResult} besides `success` and `finalOutput`. */
export interface RunResultFields {
  runId: string;
  teamId: string;
  status: RunStatus | "running";
  /** Each agent's output, by agent id. */
  output: Record<string, unknown>;
  /** Agents in the order they started. */
  agentsCalled: string[];
  /** One result per agent run, in the order they finished. */
  agentResults: AgentResult[];
  /**
   * Tokens of every model call in the run, from its `cost_update` events: calls of agents that
   * failed, of the orchestrator and of nested teams, and what a cut stream had produced, included.
   */
  usage: Usage;
  /**
   * What the run cost, from its `cost_update` events: total and per agent and model in USD,
   * tokens, and the models that had no price (their calls are not in `totalUsd`).
   */
  cost: RunCost;
  durationMs: number;
  /** Why the run did not complete. */
  error?: Error;
  /** The agent whose failure ended the run. */
  failedAgent?: string;
  /** ISO-8601 times. */
  startedAt: string;
  completedAt?: string;
  /** Number of events the run emitted. */
  eventCount: number;
  /**
   * What the run did, for people (`report.toMarkdown()`) and programs (`report.toJSON()`):
   * agents in order, durations, tokens, cost, routing decisions, errors. Built on first read
   * (not enumerable, so it stays out of `JSON.stringify(result)`).
   */
  readonly report: RunReport;
}

const NESTED_STEP_EVENTS = new Set<string>([
  "agent_started",
  "agent_completed",
  "agent_failed",
  "agent_selected",
  "escalation",
]);

/**
 * A result as the fold builds it: a class, so every result shares one shape (an accessor
 * defined on a plain object would put it in dictionary mode) and `report` is a prototype
 * getter, out of `JSON.stringify(result)` and spreads.
 */
class RunResultRecord implements RunResultFields {
  runId: string;
  teamId: string;
  success = false;
  status: RunStatus | "running" = "running";
  output: Record<string, unknown> = {};
  finalOutput: unknown = undefined;
  agentsCalled: string[] = [];
  agentResults: AgentResult[] = [];
  usage: Usage = emptyUsage();
  cost: RunCost;
  durationMs = 0;
  startedAt = "";
  eventCount = 0;
  declare error?: Error;
  declare failedAgent?: string;
  declare completedAt?: string;
  readonly #recorder: ReportRecorder;

  constructor(runId: string, teamId: string, cost: RunCost, recorder: ReportRecorder) {
    this.runId = runId;
    this.teamId = teamId;
    this.cost = cost;
    this.#recorder = recorder;
  }

  get report(): RunReport {
    return this.#recorder.report(this);
  }
}

/** Folds a run's events into its {@link RunResult}, one event at a time. */
export class RunResultBuilder {
  readonly result: RunResult;
  /** The agent result the last `agent_completed` or `agent_failed` event folded in. */
  lastAgentResult: AgentResult | undefined;
  private readonly costs: RunCostBuilder;
  private readonly recorder: ReportRecorder;
  private readonly pathPrefix: string;

  /**
   * @param pathPrefix the agent path of this run's own agents (default `teamId`). Agent
   *   events of nested runs (deeper paths) are in the log but not folded into this result:
   *   the step that ran the nested team reports its output and usage.
   * @param roles the role of each agent id, for an agent that ends without an `agent_started` event.
   */
  constructor(
    runId: string,
    teamId: string,
    pathPrefix = teamId,
    roles?: ReadonlyMap<string, string>,
  ) {
    this.recorder = new ReportRecorder(roles);
    this.pathPrefix = `${pathPrefix}/`;
    this.costs = new RunCostBuilder(runId, teamId);
    this.result = new RunResultRecord(runId, teamId, this.costs.cost, this.recorder);
  }

  /** Counts an event the fold has nothing else to take from (a `progress` event nobody reads). */
  count(): void {
    this.result.eventCount++;
  }

  /**
   * Folds one event into the result. `own` (default false) says the event is this run's own
   * (emitted by its execution, not forwarded from a nested run), which skips the nesting check.
   */
  apply(event: StreamEvent, own = false): void {
    const result = this.result;
    result.eventCount++;
    // Agent steps of nested runs (deeper paths) are in the log; the step that ran the nested
    // team folds its output and usage. Other nested events (cost, warnings) count here.
    if (
      !own &&
      event.agentPath !== undefined &&
      NESTED_STEP_EVENTS.has(event.type) &&
      !this.isOwn(event.agentPath, event.agentId)
    )
      return;
    // One dispatch per event; the most frequent types first (tokens, then a step's events).
    switch (event.type) {
      case "token":
        break;
      case "agent_completed":
        this.agentCompleted(event);
        break;
      case "cost_update":
        // Every model call's tokens, whatever became of the step that made it.
        addUsage(result.usage, event.data.tokens);
        this.costs.apply(event.agentId, event.data);
        break;
      case "agent_started":
        result.agentsCalled.push(event.agentId!);
        this.recorder.agentStarted(event.agentId!, event.data.role, event.timestamp);
        break;
      case "run_started":
        this.runStarted(event);
        break;
      case "agent_failed":
        this.agentFailed(event);
        break;
      case "agent_selected":
        this.recorder.decision(event.data);
        break;
      case "warning":
        this.recorder.warning(event.data.message);
        break;
      case "escalation":
        this.recorder.escalation(event.agentId!, event.data);
        break;
      case "run_completed":
        this.runCompleted(event);
        break;
      case "run_failed":
        this.runFailed(event);
        break;
      case "run_cancelled":
        this.runCancelled(event);
        break;
      default:
        break;
    }
  }

  private agentCompleted(event: StreamEventOf<"agent_completed">): void {
    const result = this.result;
    const data = event.data;
    const agentId = event.agentId!;
    result.output[agentId] = data.output;
    result.finalOutput = data.output;
    // Spread first: the engine clones `details` at once, then adds the fields.
    const agentResult: AgentResult = {
      ...data.details,
      agentId,
      role: this.recorder.agentEnded(agentId, event.timestamp),
      output: data.output,
      success: true,
      usage: data.usage,
      model: data.model,
      latencyMs: data.latencyMs,
    } as AgentResult;
    agentResult.modelCalls ??= 0;
    result.agentResults.push(agentResult);
    this.lastAgentResult = agentResult;
  }

  private agentFailed(event: StreamEventOf<"agent_failed">): void {
    const data = event.data;
    const agentId = event.agentId!;
    const agentResult: AgentResult = {
      modelCalls: 0,
      ...data.details,
      agentId,
      role: this.recorder.agentEnded(agentId, event.timestamp),
      output: undefined,
      success: false,
      error: data.error,
      usage: data.usage,
      model: data.model,
      latencyMs: data.latencyMs,
    };
    this.result.agentResults.push(agentResult);
    this.lastAgentResult = agentResult;
  }

  private runStarted(event: StreamEventOf<"run_started">): void {
    this.result.startedAt = isoTime(event.timestamp);
    this.result.cost.startedAt = event.timestamp;
    this.recorder.runStarted(event.data.mode, event.timestamp);
  }

  private runCompleted(event: StreamEventOf<"run_completed">): void {
    const result = this.result;
    result.success = true;
    result.status = "completed";
    result.finalOutput = event.data.output;
    this.finish(event.timestamp, event.data.durationMs);
  }

  private runCancelled(event: StreamEventOf<"run_cancelled">): void {
    const result = this.result;
    result.status = "cancelled";
    result.error = errorFrom(event, { name: "AbortError", message: event.data.reason });
    this.finish(event.timestamp, event.data.durationMs);
  }

  private runFailed(event: StreamEventOf<"run_failed">): void {
    const result = this.result;
    result.status = event.data.status;
    result.error = errorFrom(event, event.data.error);
    if (event.data.failedAgent !== undefined) result.failedAgent = event.data.failedAgent;
    this.finish(event.timestamp, event.data.durationMs);
  }

  private isOwn(agentPath: string, agentId: string | undefined): boolean {
    return (
      agentId !== undefined &&
      agentPath.length === this.pathPrefix.length + agentId.length &&
      agentPath.startsWith(this.pathPrefix)
    );
  }

  private finish(timestamp: number, durationMs: number): void {
    this.result.completedAt = isoTime(timestamp);
    this.result.cost.endedAt = timestamp;
    this.result.durationMs = durationMs;
  }
}

/** The original error when the event carries it, else an error rebuilt from the event's data. */
function errorFrom(event: StreamEvent, info: ErrorInfo): Error {
  const cause = eventCause(event);
  if (cause instanceof Error) return cause;
  const error = new LLMTeamError(info.message);
  error.name = info.name;
  return error;
}

let lastIsoMs = Number.NaN;
let lastIso = "";

/** `timestamp` as an ISO-8601 string. Runs that start or end in the same millisecond share one. */
function isoTime(timestamp: number): string {
  if (timestamp !== lastIsoMs) {
    lastIso = new Date(timestamp).toISOString();
    lastIsoMs = timestamp;
  }
  return lastIso;
}
