import type { AgentResultDetails } from "../agents/agent-result.js";
import type { ErrorInfo } from "./error-info.js";
import type { RetrievalEventData } from "./retrieval.js";
import type { RunStatus } from "./run-status.js";
import type { StreamEventType } from "./stream-event-type.js";
import type { Usage } from "./usage.js";

export type { ErrorInfo } from "./error-info.js";
export type { RunStatus } from "./run-status.js";

/** Payload of each event type: narrowing on `type` gives the matching `data`. */
export interface StreamEventDataMap {
  run_started: { teamId: string; agents: string[]; input: Record<string, unknown>; mode: string };
  run_completed: { output: unknown; usage: Usage; durationMs: number };
  run_failed: {
    error: ErrorInfo;
    status: RunStatus;
    failedAgent?: string;
    usage: Usage;
    durationMs: number;
  };
  run_cancelled: { reason: string; usage: Usage; durationMs: number };
  /**
   * A stored run goes on in this process (`team.resume(runId)`): the events up to `afterSeq`
   * came from the run store; `replayedSteps` agent steps were restored from it, not run again.
   */
  run_resumed: { afterSeq: number; replayedSteps: number };
  agent_started: { role: string; model: string | undefined; step: number };
  agent_completed: {
    output: unknown;
    usage: Usage;
    model: string | undefined;
    latencyMs: number;
    /** Extra fields of the agent result (tool calls, retry metrics, …), as in `AgentResult`. */
    details?: AgentResultDetails;
  };
  agent_failed: {
    error: ErrorInfo;
    usage: Usage;
    model: string | undefined;
    latencyMs: number;
    /** Extra fields of the agent result (tool calls so far, retry metrics, …), as in `AgentResult`. */
    details?: AgentResultDetails;
  };
  /**
   * A routing decision (router mode, group router/arbiter). `nextAgent` is empty when the
   * decision ends the run (`done`). `usage` is the orchestrator's tokens for this decision;
   * `fallback` is true when its answer was invalid and the documented fallback rule decided.
   */
  agent_selected: {
    nextAgent: string;
    reason: string;
    iteration: number;
    done?: boolean;
    fallback?: boolean;
    usage?: Usage;
  };
  /** A text delta, as the provider streamed it. */
  token: { token: string };
  /** A non-text delta (reasoning, tool-argument text). */
  chunk: { kind: "reasoning" | "tool_input"; content: string };
  progress: { completed: number; total: number | undefined; label?: string };
  cost_update: {
    model: string;
    deltaUsd: number | undefined;
    totalUsd: number;
    tokens: Usage;
    /** True when the model has no known price: its spend is not in `totalUsd`. */
    unpriced?: boolean;
  };
  tool_call: { callId: string; toolName: string; arguments: unknown; round: number };
  tool_result: {
    callId: string;
    toolName: string;
    success: boolean;
    output: unknown;
    error?: string;
    durationMs: number;
    round: number;
  };
  /**
   * `attempt`: 1-based number of the attempt that failed; `discardedTokens`: tokens that attempt
   * had streamed before failing (clients drop them: the retry streams the answer from the start).
   */
  retry: {
    attempt: number;
    delayMs: number;
    error: ErrorInfo;
    model: string;
    discardedTokens?: number;
  };
  circuit_state_changed: { key: string; from: string; to: string };
  /** `discardedTokens`: tokens the failed model had streamed before failing for good (clients drop them). */
  fallback: { fromModel: string; toModel: string; reason: ErrorInfo; discardedTokens?: number };
  /** `remainingUsd`: what is left of the budget after this spend (`max - current`, never below 0). */
  budget_alert: {
    currentUsd: number;
    maxUsd: number;
    threshold: number;
    period: string;
    remainingUsd: number;
  };
  /** `remainingUsd`: what is left of the budget (`max - spent - held by calls in flight`, never below 0). */
  budget_exceeded: {
    currentUsd: number;
    maxUsd: number;
    requestedUsd: number;
    period: string;
    remainingUsd: number;
  };
  lifecycle_changed: { from: string; to: string; reason?: string };
  /** A person is asked: to approve an agent or a tool call, or a human step's task (`human`). */
  approval_requested: {
    approvalId: string;
    kind: "tool" | "agent" | "human";
    toolName?: string;
    arguments?: unknown;
    /** The tool call's id, as in `tool_call` (for tools). */
    callId?: string;
    /** Human tasks: what the person is asked. */
    prompt?: string;
    /** Human tasks: who should answer. */
    assignee?: string;
    /** Human tasks: the JSON Schema the answer must match. */
    form?: Record<string, unknown>;
    /** Human tasks: how long the run waits for the answer, in ms. */
    timeoutMs?: number;
  };
  warning: { message: string; code?: string };
  /** A knowledge agent (`rag`, `kag`) or the `knowledge_search` tool retrieved passages. */
  retrieval: RetrievalEventData;
  /**
   * An agent's step escalated (its agent is the event's): what triggered it, and what the
   * escalation policy does about it (see docs/orchestration.md, "Escalation").
   */
  escalation: {
    /** `failure` (the agent failed), `breaker_open` (its circuit breaker is open), `output` (its answer asked). */
    trigger: "failure" | "breaker_open" | "output";
    action: "retry" | "skip" | "reroute" | "human" | "abort";
    /** 1 for the step's first escalation; each further one in the chain (retry, reroute target) adds 1. */
    depth: number;
    /** Why: the error's message, or the reason the answer gave. */
    reason: string;
    /** `reroute`: the agent that runs instead. */
    to?: string;
    /** `abort` because `maxEscalationDepth` or the policy's retries were used up. */
    exhausted?: boolean;
    error?: ErrorInfo;
  };
}

/** Fields every event carries. */
export interface StreamEventBase<T extends StreamEventType = StreamEventType> {
  type: T;
  /** The run this event belongs to. */
  runId: string;
  /** Position in the run's log: 1, 2, 3… without gaps. */
  seq: number;
  /** Time of the event, in ms since the epoch (from the run's clock). */
  timestamp: number;
  /** The agent the event is about, when it is about one. */
  agentId?: string;
  /** Where the agent sits in nested teams and groups, e.g. `group/team/agent`. */
  agentPath?: string;
  data: StreamEventDataMap[T];
  /** The event as a Server-Sent Events frame: `event:`, `id:`, `data:` lines. */
  toSSE(): string;
  /** The event as a plain object (what `JSON.stringify` writes). */
  toDict(): StreamEventJSON<T>;
}

/** An event as plain JSON. */
export type StreamEventJSON<T extends StreamEventType = StreamEventType> = Omit<
  StreamEventBase<T>,
  "toSSE" | "toDict"
>;

/** One event of a run. A discriminated union: `if (event.type === "token") event.data.token`. */
export type StreamEvent = { [T in StreamEventType]: StreamEventBase<T> }[StreamEventType];

/** The event of one type. */
export type StreamEventOf<T extends StreamEventType> = StreamEventBase<T>;
