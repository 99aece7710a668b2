import type { StreamEventJSON } from "../../events/stream-event.js";
import type { StreamEventType } from "../../events/stream-event-type.js";
import type { Usage } from "../../events/usage.js";

/** One event as the server sends it (JSON), narrowed on `type`. */
export type ViewedEvent = { [T in StreamEventType]: StreamEventJSON<T> }[StreamEventType];

/** A person's decision a run waits for, or waited for. */
export interface ApprovalView {
  approvalId: string;
  kind: "tool" | "agent" | "human";
  agentId: string | undefined;
  toolName?: string | undefined;
  arguments?: unknown;
  callId?: string | undefined;
  prompt?: string | undefined;
  form?: Record<string, unknown> | undefined;
  requestedAt: number;
  /** When the run went on (decided, or ended without a decision). */
  decidedAt?: number | undefined;
  /** `closed`: the run ended before anyone decided. */
  state: "pending" | "approved" | "rejected" | "timed out" | "closed";
  reason?: string | undefined;
}

/** A tool call of an agent step, with its result once it has one. */
export interface ToolCallView {
  callId: string;
  toolName: string;
  arguments: unknown;
  round: number;
  at: number;
  result?: { success: boolean; output: unknown; error?: string | undefined; durationMs: number };
  approval?: ApprovalView;
}

/** A line about what resilience or the run did to a step: retry, fallback, escalation, warning. */
export interface StepNote {
  kind: "retry" | "fallback" | "escalation" | "warning";
  at: number;
  text: string;
}

/** One run of one agent: from `agent_started` to `agent_completed` or `agent_failed`. */
export interface AgentStep {
  /** Position among the run's steps (0-based), in start order. */
  index: number;
  /** `agentPath`, else `agentId`. */
  key: string;
  agentId: string;
  model: string | undefined;
  startedAt: number;
  endedAt: number | undefined;
  status: "running" | "completed" | "failed";
  /** The streamed text so far (the tokens' deltas, less any a retry or fallback discarded). */
  text: string;
  /** Each token's delta, to drop the last ones when an attempt is discarded. */
  tokens: string[];
  toolCalls: ToolCallView[];
  notes: StepNote[];
  output?: unknown;
  error?: string | undefined;
  usage?: Usage | undefined;
  costUsd: number;
}

/** Terminal statuses of a run, as the events say them. */
const ENDED = new Set(["completed", "failed", "cancelled", "budget_exceeded", "timeout"]);

/**
 * The state of one run as the viewer shows it, folded from its events in order (each applied
 * once: an event at or below the last sequence number is ignored and counted, a gap is
 * recorded; the page shows both, and the browser test asserts there are none).
 */
export class RunModel {
  teamId: string | undefined;
  /** From the events; before any event, what the store said (`setStored`). */
  status = "connecting";
  statusReason: string | undefined;
  agentsPlanned: string[] = [];
  input: Record<string, unknown> | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
  lastTimestamp = 0;
  readonly steps: AgentStep[] = [];
  readonly approvals = new Map<string, ApprovalView>();
  costUsd = 0;
  readonly costByModel = new Map<string, number>();
  /** The run's budget: from the run's configuration, else the last budget event. */
  budget: { maxUsd: number; period: string } | undefined;
  readonly warnings: string[] = [];
  /** Routing decisions (router mode, groups), in order. */
  readonly decisions: string[] = [];
  output: unknown;
  hasOutput = false;
  error: string | undefined;
  failedAgent: string | undefined;
  usage: Usage | undefined;
  durationMs: number | undefined;
  lastSeq = 0;
  eventCount = 0;
  duplicates = 0;
  readonly gaps: string[] = [];

  constructor(readonly runId: string) {}

  get ended(): boolean {
    return ENDED.has(this.status);
  }

  get pendingApprovals(): ApprovalView[] {
    return [...this.approvals.values()].filter((approval) => approval.state === "pending");
  }

  /** What the run store says of the run (`GET /runs/:id`), for what the events do not say. */
  setStored(run: {
    teamId?: string;
    status?: string;
    budgetUsd?: number;
    createdAt?: number;
  }): void {
    this.teamId ??= run.teamId;
    if (this.eventCount === 0 && run.status) this.status = run.status;
    if (run.budgetUsd !== undefined) this.budget = { maxUsd: run.budgetUsd, period: "run" };
    this.startedAt ??= run.createdAt;
  }

  /** Folds one event in. @returns false when it was a duplicate (ignored). */
  apply(event: ViewedEvent): boolean {
    if (event.seq <= this.lastSeq) {
      this.duplicates++;
      return false;
    }
    if (event.seq !== this.lastSeq + 1) this.gaps.push(`${this.lastSeq + 1}..${event.seq - 1}`);
    this.lastSeq = event.seq;
    this.eventCount++;
    this.lastTimestamp = Math.max(this.lastTimestamp, event.timestamp);
    this.fold(event);
    return true;
  }

  private fold(event: ViewedEvent): void {
    const at = event.timestamp;
    switch (event.type) {
      case "run_started":
        Object.assign(this, {
          teamId: event.data.teamId,
          input: event.data.input,
          status: "running",
        });
        this.agentsPlanned = event.data.agents;
        this.startedAt = at;
        return;
      case "run_resumed":
        this.status = "running";
        return;
      case "lifecycle_changed":
        // Paused for a person: named as the run store names it.
        this.status =
          event.data.to === "paused" && event.data.reason?.startsWith("waiting for approval")
            ? "waiting_approval"
            : event.data.to;
        this.statusReason = event.data.reason;
        this.decided(event.data.reason ?? "", event.timestamp);
        return;
      case "agent_started":
        this.agentStarted(event);
        return;
      case "agent_completed":
      case "agent_failed":
        this.agentEnded(event);
        return;
      case "token": {
        const step = this.stepOf(event);
        if (!step) return;
        step.tokens.push(event.data.token);
        step.text += event.data.token;
        return;
      }
      case "tool_call":
        this.stepOf(event)?.toolCalls.push({ ...event.data, at });
        return;
      case "tool_result": {
        const call = this.toolCall(event.data.callId);
        if (call) call.result = event.data;
        return;
      }
      case "retry":
      case "fallback":
      case "escalation":
        this.stepNote(event);
        return;
      case "agent_selected":
        this.decisions.push(
          `${event.data.nextAgent ? `→ ${event.data.nextAgent}` : "done"}: ${event.data.reason}${event.data.fallback ? " (fallback rule)" : ""}`,
        );
        return;
      case "warning":
        this.warnings.push(event.data.message);
        this.note(event, "warning", event.data.message);
        return;
      case "cost_update":
        this.costUpdated(event);
        return;
      case "budget_alert":
      case "budget_exceeded":
        this.budgetEvent(event);
        return;
      case "approval_requested":
        this.requested(event);
        return;
      case "run_completed":
      case "run_failed":
      case "run_cancelled":
        this.runEnded(event);
        return;
      default:
        return;
    }
  }

  private agentStarted(event: StreamEventJSON<"agent_started">): void {
    this.steps.push({
      index: this.steps.length,
      key: keyOf(event) ?? "?",
      agentId: event.agentId ?? "?",
      model: event.data.model,
      startedAt: event.timestamp,
      endedAt: undefined,
      status: "running",
      text: "",
      tokens: [],
      toolCalls: [],
      notes: [],
      costUsd: 0,
    });
  }

  /** A retry, fallback or escalation: a note on its step (and discarded tokens of a retry or fallback). */
  private stepNote(
    event: StreamEventJSON<"retry"> | StreamEventJSON<"fallback"> | StreamEventJSON<"escalation">,
  ): void {
    if (event.type === "retry") {
      const { attempt, delayMs, error, model, discardedTokens } = event.data;
      const text = `attempt ${attempt} on ${model} failed (${error.message}); retrying in ${delayMs} ms`;
      this.note(event, "retry", text);
      this.discard(event, discardedTokens);
    } else if (event.type === "fallback") {
      const { fromModel, toModel, reason, discardedTokens } = event.data;
      this.note(
        event,
        "fallback",
        `${fromModel} failed (${reason.message}); falling back to ${toModel}`,
      );
      this.discard(event, discardedTokens);
    } else {
      const { trigger, action, reason, to } = event.data;
      const text = `escalation (${trigger}): ${action}${to ? ` to ${to}` : ""} — ${reason}`;
      this.note(event, "escalation", text);
    }
  }

  private costUpdated(event: StreamEventJSON<"cost_update">): void {
    const { model, deltaUsd = 0, totalUsd } = event.data;
    this.costUsd = Math.max(this.costUsd, totalUsd);
    this.costByModel.set(model, (this.costByModel.get(model) ?? 0) + deltaUsd);
    const step = this.stepOf(event);
    if (step) step.costUsd += deltaUsd;
  }

  private budgetEvent(
    event: StreamEventJSON<"budget_alert"> | StreamEventJSON<"budget_exceeded">,
  ): void {
    if (this.budget?.period !== "run" || event.data.period === "run")
      this.budget = { maxUsd: event.data.maxUsd, period: event.data.period };
    if (event.type === "budget_exceeded")
      this.warnings.push(
        `budget exceeded: $${event.data.currentUsd} of $${event.data.maxUsd} (${event.data.period})`,
      );
  }

  private requested(event: StreamEventJSON<"approval_requested">): void {
    const approval: ApprovalView = {
      ...event.data,
      agentId: event.agentId,
      requestedAt: event.timestamp,
      state: "pending",
    };
    this.approvals.set(approval.approvalId, approval);
    // A tool call's approval is asked under the call's id.
    const call =
      approval.kind === "tool" ? this.toolCall(approval.callId ?? approval.approvalId) : undefined;
    if (call) call.approval = approval;
  }

  /** `lifecycle_changed` reasons name decisions: `approval <id> approved|rejected: …|timed out`. */
  private decided(reason: string, at: number): void {
    const match = /^approval (\S+) (approved|rejected|timed out)(?:: (.*))?$/s.exec(reason);
    const approval = match ? this.approvals.get(match[1]!) : undefined;
    if (!approval || !match) return;
    approval.state = match[2] as ApprovalView["state"];
    approval.reason = match[3];
    approval.decidedAt = at;
  }

  private agentEnded(
    event: StreamEventJSON<"agent_completed"> | StreamEventJSON<"agent_failed">,
  ): void {
    const step = this.stepOf(event);
    if (!step) return;
    step.endedAt = event.timestamp;
    step.usage = event.data.usage;
    step.model = event.data.model ?? step.model;
    if (event.type === "agent_completed") {
      step.status = "completed";
      step.output = event.data.output;
      // A step that did not stream (plain run()) shows its answer as its text.
      if (step.text === "" && typeof event.data.output === "string") step.text = event.data.output;
    } else {
      step.status = "failed";
      step.error = event.data.error.message;
    }
  }

  private runEnded(
    event: ViewedEvent & { type: "run_completed" | "run_failed" | "run_cancelled" },
  ): void {
    this.endedAt = event.timestamp;
    this.usage = event.data.usage;
    this.durationMs = event.data.durationMs;
    if (event.type === "run_completed") {
      this.status = "completed";
      this.output = event.data.output;
      this.hasOutput = true;
    } else if (event.type === "run_failed") {
      this.status = event.data.status;
      this.error = event.data.error.message;
      this.failedAgent = event.data.failedAgent;
    } else {
      this.status = "cancelled";
      this.error = event.data.reason;
    }
    for (const approval of this.approvals.values()) {
      if (approval.state !== "pending") continue;
      approval.state = "closed";
      approval.decidedAt = event.timestamp;
    }
  }

  /** The open step of the event's agent (the last one started, when none is open). */
  private stepOf(event: ViewedEvent): AgentStep | undefined {
    const key = keyOf(event);
    if (key === undefined) return this.steps.findLast((step) => step.status === "running");
    return (
      this.steps.findLast((step) => step.key === key && step.status === "running") ??
      this.steps.findLast((step) => step.key === key)
    );
  }

  private toolCall(callId: string): ToolCallView | undefined {
    for (let index = this.steps.length - 1; index >= 0; index--) {
      const call = this.steps[index]!.toolCalls.find((candidate) => candidate.callId === callId);
      if (call) return call;
    }
    return undefined;
  }

  private note(event: ViewedEvent, kind: StepNote["kind"], text: string): void {
    this.stepOf(event)?.notes.push({ kind, at: event.timestamp, text });
  }

  /** Drops the last `count` token deltas of the event's step (a failed attempt's). */
  private discard(event: ViewedEvent, count: number | undefined): void {
    const step = this.stepOf(event);
    if (!step || !count) return;
    step.tokens.splice(-count);
    step.text = step.tokens.join("");
  }
}

function keyOf(event: ViewedEvent): string | undefined {
  return event.agentPath ?? event.agentId;
}
