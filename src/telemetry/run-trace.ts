import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import type { ErrorInfo } from "../events/error-info.js";
import type { StreamEvent, StreamEventOf } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";
import { metricsOff, telemetrySettings, tracingOff } from "./telemetry-settings.js";
import {
  BREAKER_STATE_VALUE,
  instrumentsOf,
  type TelemetryInstruments,
} from "./telemetry-metrics.js";

/** Runs being traced, by run id: where the model-call layer finds its parent span. */
const activeRuns = new Map<string, RunTrace>();

/** The trace of the run `runId`, while it runs and is traced. */
export function traceOfRun(runId: string): RunTrace | undefined {
  return activeRuns.size === 0 ? undefined : activeRuns.get(runId);
}

/**
 * Starts tracing a run, or returns undefined when nothing records spans or metrics (no tracer
 * or meter provider registered): then the run pays for nothing more. The returned trace's `listen` takes every
 * event of the run (a run outlet's listener); nested runs' events arrive through it too.
 */
export function startRunTrace(teamId: string): RunTrace | undefined {
  if (tracingOff() && metricsOff()) return undefined;
  const { tracer, meter, captureMessageContent } = telemetrySettings();
  const span = tracer.startSpan(`invoke_agent ${teamId}`, {
    kind: SpanKind.INTERNAL,
    attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": teamId },
  });
  // A sampler that drops the run leaves its metrics, when a meter provider takes them.
  if (!span.isRecording() && metricsOff()) return undefined;
  return new RunTrace(tracer, span, instrumentsOf(meter), captureMessageContent);
}

/** The parts of a run's outlet a trace joins (the run engine's `RunOutlet`, structurally). */
export interface TracedOutlet {
  readonly push?: ((event: StreamEvent) => void | Promise<void>) | undefined;
  readonly listen?: ((event: StreamEvent) => void) | undefined;
  readonly close?: (() => void) | undefined;
  readonly fail?: ((error: unknown) => void) | undefined;
}

/**
 * The outlet of a top-level run with its trace listening, and whether the run's events were
 * read as they happen before the trace joined (a listener makes a run "observed", and a traced
 * `run()` must not start streaming its model calls for that). Undefined when nothing records
 * spans: the run keeps its own outlet and pays for nothing.
 */
export function traceRunOutlet<Outlet extends TracedOutlet>(
  name: string,
  outlet: Outlet,
): { outlet: Outlet; observed: boolean } | undefined {
  const traced = startRunTrace(name);
  if (!traced) return undefined;
  const { listen, fail } = outlet;
  return {
    observed: outlet.push !== undefined || listen !== undefined,
    outlet: {
      ...outlet,
      fail: (error: unknown) => {
        traced.abandon(error);
        fail?.(error);
      },
      listen: listen
        ? (event: StreamEvent) => {
            listen(event);
            traced.listen(event);
          }
        : traced.listen,
    },
  };
}

/** What a trace keeps of one agent step. */
interface AgentSpan {
  span: Span;
  costUsd: number;
}

/** One traced run: its span, its agents' and tools' spans, built from its events. */
export class RunTrace {
  private runId: string | undefined;
  private teamId = "";
  /** Open agent spans by agent path. */
  private readonly agents = new Map<string, AgentSpan>();
  /** The latest open agent span by agent id (what a model call's context names). */
  private readonly agentsById = new Map<string, AgentSpan>();
  /** Open tool spans by agent path and call id. */
  private readonly tools = new Map<string, Span>();
  private costUsd = 0;
  private budgetStatus: "ok" | "alert" | "exceeded" = "ok";
  private ended = false;
  readonly listen: (event: StreamEvent) => void;

  constructor(
    readonly tracer: Tracer,
    private readonly runSpan: Span,
    readonly instruments: TelemetryInstruments,
    readonly captureMessageContent: boolean,
  ) {
    this.listen = (event) => this.apply(event);
  }

  /** Ends the run's span when the run could not start or its engine threw (no `run_*` event came). */
  abandon(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (this.runId !== undefined && activeRuns.get(this.runId) === this)
      activeRuns.delete(this.runId);
    const message = error instanceof Error ? error.message : String(error);
    markFailed(this.runSpan, { name: error instanceof Error ? error.name : "Error", message });
    this.runSpan.end();
  }

  /** The span a model call of `agentId` belongs under: the agent's step, else the run. */
  parentOf(agentId: string): Span {
    return this.agentsById.get(agentId)?.span ?? this.runSpan;
  }

  /** The attributes every span of the run carries. */
  get runAttributes(): Attributes {
    return { "llmteam.run.id": this.runId ?? "", "llmteam.team.id": this.teamId };
  }

  private apply(event: StreamEvent): void {
    switch (event.type) {
      case "run_started":
        this.runId = event.runId;
        this.teamId = event.data.teamId;
        activeRuns.set(event.runId, this);
        this.runSpan.setAttributes({ ...this.runAttributes, "llmteam.run.mode": event.data.mode });
        return;
      case "agent_started":
        return this.agentStarted(event.agentPath ?? "", event.agentId ?? "", event);
      case "agent_completed":
      case "agent_failed":
        return this.agentEnded(event);
      case "tool_call":
        return this.toolCalled(event);
      case "tool_result":
        return this.toolEnded(event);
      case "cost_update":
        return this.costed(event);
      case "retrieval":
        return this.retrieved(event);
      case "retry":
      case "fallback":
        this.parentOf(event.agentId ?? "").addEvent(
          `llmteam.${event.type}`,
          flatten(event.data),
          event.timestamp,
        );
        return;
      case "budget_alert":
      case "budget_exceeded":
        if (this.budgetStatus !== "exceeded")
          this.budgetStatus = event.type === "budget_alert" ? "alert" : "exceeded";
        this.runSpan.addEvent(`llmteam.${event.type}`, flatten(event.data), event.timestamp);
        return;
      case "circuit_state_changed": {
        const { key, from, to } = event.data;
        this.instruments.breakerTransitions.add(1, {
          "llmteam.breaker.key": key,
          "llmteam.breaker.state": to,
        });
        this.instruments.breakerStates.set(key, BREAKER_STATE_VALUE[to] ?? -1);
        this.runSpan.addEvent("llmteam.circuit_state_changed", { key, from, to }, event.timestamp);
        return;
      }
      case "run_completed":
      case "run_failed":
      case "run_cancelled":
        return this.runEnded(event);
      default:
        return;
    }
  }

  private agentStarted(path: string, agentId: string, event: StreamEventOf<"agent_started">): void {
    const parent = this.parentByPath(path);
    const span = this.tracer.startSpan(
      `invoke_agent ${event.data.role}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: event.timestamp,
        attributes: {
          ...this.runAttributes,
          "gen_ai.operation.name": "invoke_agent",
          "gen_ai.agent.name": event.data.role,
          "gen_ai.agent.id": agentId,
          "llmteam.agent.path": path,
          "llmteam.step": event.data.step,
          ...(event.data.model === undefined ? {} : { "gen_ai.request.model": event.data.model }),
        },
      },
      trace.setSpan(otelContext.active(), parent),
    );
    const agent = { span, costUsd: 0 };
    this.agents.set(path, agent);
    this.agentsById.set(agentId, agent);
  }

  private agentEnded(
    event: Extract<StreamEvent, { type: "agent_completed" | "agent_failed" }>,
  ): void {
    const path = event.agentPath ?? "";
    const agent = this.agents.get(path);
    if (!agent) return;
    this.agents.delete(path);
    if (this.agentsById.get(event.agentId ?? "") === agent)
      this.agentsById.delete(event.agentId ?? "");
    const { span } = agent;
    span.setAttributes({ ...usageAttributes(event.data.usage), "llmteam.cost_usd": agent.costUsd });
    if (event.data.model !== undefined)
      span.setAttribute("gen_ai.response.model", event.data.model);
    if (event.type === "agent_failed") markFailed(span, event.data.error);
    span.end(event.timestamp);
  }

  private toolCalled(event: StreamEventOf<"tool_call">): void {
    const { callId, toolName, arguments: args } = event.data;
    const span = this.tracer.startSpan(
      `execute_tool ${toolName}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: event.timestamp,
        attributes: {
          ...this.runAttributes,
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": toolName,
          "gen_ai.tool.call.id": callId,
          "gen_ai.tool.type": "function",
          "llmteam.agent.path": event.agentPath ?? "",
          "llmteam.tool.round": event.data.round,
          ...(this.captureMessageContent ? { "gen_ai.tool.call.arguments": json(args) } : {}),
        },
      },
      trace.setSpan(otelContext.active(), this.parentOf(event.agentId ?? "")),
    );
    this.tools.set(`${event.agentPath ?? ""}#${callId}`, span);
  }

  private toolEnded(event: StreamEventOf<"tool_result">): void {
    const key = `${event.agentPath ?? ""}#${event.data.callId}`;
    const span = this.tools.get(key);
    if (!span) return;
    this.tools.delete(key);
    const { success, error, output, durationMs, toolName } = event.data;
    if (this.captureMessageContent && success)
      span.setAttribute("gen_ai.tool.call.result", json(output));
    if (!success) markFailed(span, { name: "ToolError", message: error ?? "tool failed" });
    this.instruments.toolDuration.record(durationMs / 1000, {
      "gen_ai.tool.name": toolName,
      ...(success ? {} : { "error.type": "tool_error" }),
    });
    span.end(event.timestamp);
  }

  /** A retrieval span (GenAI `retrieval` operation), ending at the event, as long as the search took. */
  private retrieved(event: StreamEventOf<"retrieval">): void {
    const { knowledgeBase, mode, citations, facts, durationMs, query } = event.data;
    const span = this.tracer.startSpan(
      `retrieval ${knowledgeBase}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: event.timestamp - (durationMs ?? 0),
        attributes: {
          ...this.runAttributes,
          "gen_ai.operation.name": "retrieval",
          "gen_ai.data_source.id": knowledgeBase,
          "llmteam.agent.path": event.agentPath ?? "",
          "llmteam.retrieval.mode": mode,
          "llmteam.retrieval.results": citations.length,
          ...(facts ? { "llmteam.retrieval.facts": facts.length } : {}),
          ...(this.captureMessageContent ? { "llmteam.retrieval.query": query } : {}),
        },
      },
      trace.setSpan(otelContext.active(), this.parentOf(event.agentId ?? "")),
    );
    span.end(event.timestamp);
  }

  private costed(event: StreamEventOf<"cost_update">): void {
    const { deltaUsd, model } = event.data;
    if (deltaUsd === undefined) return;
    this.costUsd += deltaUsd;
    const agent = this.agentsById.get(event.agentId ?? "");
    if (agent) agent.costUsd += deltaUsd;
    this.instruments.cost.add(deltaUsd, {
      "gen_ai.request.model": model,
      "llmteam.team.id": this.teamId,
    });
  }

  private runEnded(
    event: Extract<StreamEvent, { type: "run_completed" | "run_failed" | "run_cancelled" }>,
  ): void {
    const status =
      event.type === "run_completed"
        ? "completed"
        : event.type === "run_failed"
          ? event.data.status
          : "cancelled";
    // Spans a failure or cancellation left open end with the run.
    for (const span of this.tools.values()) span.end(event.timestamp);
    for (const { span } of this.agents.values()) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `run ${status}` });
      span.end(event.timestamp);
    }
    this.runSpan.setAttributes({
      ...usageAttributes(event.data.usage),
      "llmteam.cost_usd": this.costUsd,
      "llmteam.budget.status": this.budgetStatus,
      "llmteam.run.status": status,
    });
    if (event.type === "run_failed") markFailed(this.runSpan, event.data.error);
    if (event.type === "run_cancelled")
      this.runSpan.setStatus({ code: SpanStatusCode.ERROR, message: event.data.reason });
    this.runSpan.end(event.timestamp);
    this.ended = true;
    this.instruments.runDuration.record(event.data.durationMs / 1000, {
      "llmteam.team.id": this.teamId,
      "llmteam.run.status": status,
    });
    if (this.runId !== undefined && activeRuns.get(this.runId) === this)
      activeRuns.delete(this.runId);
  }

  /** The agent span above a path (`team/outer/inner` → `team/outer`'s), else the run's. */
  private parentByPath(path: string): Span {
    for (let cut = path.lastIndexOf("/"); cut > 0; cut = path.lastIndexOf("/", cut - 1)) {
      const agent = this.agents.get(path.slice(0, cut));
      if (agent) return agent.span;
    }
    return this.runSpan;
  }
}

/** `gen_ai.usage.*` attributes of a usage. */
export function usageAttributes(usage: Usage): Attributes {
  return {
    "gen_ai.usage.input_tokens": usage.inputTokens,
    "gen_ai.usage.output_tokens": usage.outputTokens,
  };
}

/** Marks a span failed: ERROR status with the message, `error.type` the error's code or name. */
export function markFailed(
  span: Span,
  error: Pick<ErrorInfo, "name" | "message"> & { code?: string },
): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute("error.type", error.code ?? error.name);
}

function flatten(data: object): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      attributes[key] = value;
    else if (value !== undefined) attributes[key] = json(value);
  }
  return attributes;
}

function json(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  } catch {
    return String(value);
  }
}
