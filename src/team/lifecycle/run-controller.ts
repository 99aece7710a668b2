import type { PreparedAgent } from "../../agents/llm-agent.js";
import type { ToolApprovalFunction } from "../../tools/tool-approval.js";
import { ApprovalRejectedError } from "../../errors/approval-rejected-error.js";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import { LLMTeamError } from "../../errors/llmteam-error.js";
import type { RunApprover, RunExecution } from "../../run/run-execution.js";
import type { HumanAnswer, HumanTask } from "../../run/workflow-step.js";
import { checkDecision, untilDeadline } from "./human-decision.js";
import type { ApprovalRequest, Decision } from "./approval-request.js";

export type { ApprovalRequest, Decision } from "./approval-request.js";
import type { RunJournal } from "../../run/run-journal.js";
import type { TeamLifecycle } from "./team-lifecycle.js";

/** Where one run stands: the run's part of {@link TeamState}. */
export type RunState = "running" | "paused" | "completed" | "failed";

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/**
 * Drives one run's states: pause at step boundaries, resume, approvals, and (with an enforced
 * lifecycle) the team's states, emitting `lifecycle_changed` into the run's log.
 * Internal: users hold a `RunHandle`.
 */
export class RunController implements RunApprover {
  state: RunState = "running";
  execution: RunExecution | undefined;
  private holds = 0;
  private pauseRequested = false;
  private resumed: Deferred<void> | undefined;
  private pauseWaiters: (() => void)[] = [];
  private readonly pending = new Map<
    string,
    {
      request: ApprovalRequest;
      decided: Deferred<Decision>;
      check?: ((value: unknown) => string | undefined) | undefined;
    }
  >();
  private approvalCount = 0;

  constructor(
    private readonly lifecycle: TeamLifecycle,
    /** True for `team.start()` runs: pause, resume and approvals are possible. */
    readonly interactive: boolean,
  ) {}

  /** True once the run has completed or failed. */
  get ended(): boolean {
    return this.state === "completed" || this.state === "failed";
  }

  /** Approvals the run waits for now. */
  get pendingApprovals(): ApprovalRequest[] {
    return [...this.pending.values()].map((entry) => ({ ...entry.request }));
  }

  /** READY → RUNNING for the team (enforced); throws when another run holds the team. */
  begin(runId: string): void {
    this.lifecycle.beginRun(runId);
  }

  /** The run emitted `run_started`. */
  async started(execution: RunExecution): Promise<void> {
    this.execution = execution;
    if (this.lifecycle.enforced)
      await emit(execution, "ready", "running", `run ${execution.plan.runId} started`);
  }

  /** The run is about to emit its terminal event. */
  async finish(execution: RunExecution, to: "completed" | "failed", reason: string): Promise<void> {
    if (this.ended) return;
    const from = this.state;
    this.state = to;
    this.lifecycle.endRun(to, reason);
    if (this.lifecycle.enforced || from === "paused") await emit(execution, from, to, reason);
    this.releasePauseWaiters();
  }

  /** `RunPlan.gate`: at a step boundary, waits while a pause is requested. */
  readonly gate = async (execution: RunExecution): Promise<void> => {
    if (!this.pauseRequested) return;
    await this.hold(execution, "paused at a step boundary");
    await execution.plan.journal?.commit("paused");
    await this.waitForResume(execution.signal);
    await this.release(execution, "resumed");
  };

  async approveAgent(agent: PreparedAgent, execution: RunExecution): Promise<void> {
    const { approvalId, decision } = await this.ask(execution, {
      kind: "agent",
      agentId: agent.id,
    });
    if (!decision.approved)
      throw new ApprovalRejectedError(approvalId, "agent", agent.id, decision.reason ?? "rejected");
  }

  toolApprover(
    agentId: string,
    execution: RunExecution,
    options: { announce?: boolean } = {},
  ): ToolApprovalFunction {
    const announce = options.announce ?? true;
    return async (request) => {
      const subject = {
        kind: "tool" as const,
        agentId,
        toolName: request.toolName,
        arguments: request.arguments,
        callId: request.callId,
      };
      const { decision } = await this.ask(execution, subject, {
        announce,
        approvalId: request.callId,
      });
      return decision.approved
        ? { approved: true }
        : { approved: false, reason: decision.reason ?? "rejected" };
    };
  }

  /**
   * Asks the run to stop at its next step boundary. Resolves once it has (no model call starts
   * until `resume()`), or when the run ends first.
   */
  requestPause(runId: string): Promise<void> {
    if (this.ended)
      throw new LifecycleError(
        this.state,
        "paused",
        `Run "${runId}" has ${this.state}; it cannot pause.`,
      );
    if (!this.pauseRequested) {
      this.pauseRequested = true;
      this.resumed = deferred<void>();
    }
    if (this.holds > 0) return Promise.resolve();
    return new Promise((resolve) => this.pauseWaiters.push(resolve));
  }

  /** Lets a paused run go on, or withdraws a pause not yet reached. */
  resume(runId: string): void {
    if (this.ended)
      throw new LifecycleError(
        this.state,
        "running",
        `Run "${runId}" has ${this.state}; it cannot resume.`,
      );
    if (!this.pauseRequested) {
      if (this.pending.size > 0) {
        throw new LifecycleError(
          "paused",
          "running",
          `Run "${runId}" waits for approval ${[...this.pending.keys()].join(", ")}, not for resume().`,
          {
            hint: "Call handle.approve(id) or handle.reject(id, reason).",
          },
        );
      }
      throw new LifecycleError(
        this.state,
        "running",
        `Run "${runId}" is not paused; there is nothing to resume.`,
      );
    }
    this.pauseRequested = false;
    const resumed = this.resumed;
    this.resumed = undefined;
    resumed?.resolve();
    this.releasePauseWaiters();
  }

  /** Answers a pending approval. */
  decide(approvalId: string, decision: Decision): void {
    const entry = this.pending.get(approvalId);
    if (!entry) {
      const waiting = [...this.pending.keys()];
      throw new LLMTeamError(
        `No pending approval "${approvalId}". Pending: ${waiting.join(", ") || "none"}.`,
      );
    }
    checkDecision(entry.request, entry.check, decision);
    this.pending.delete(approvalId);
    entry.decided.resolve(decision);
  }

  async askHuman(
    agent: PreparedAgent,
    task: HumanTask,
    execution: RunExecution,
  ): Promise<HumanAnswer> {
    const { replay, clock } = execution.plan;
    // A resumed run asks again under the same id, its time counted from the first asking.
    const wanted = replay?.takeAskedApproval(agent.id);
    const askedAt = (wanted === undefined ? undefined : replay?.askedAt(wanted)) ?? clock.now();
    const { prompt, assignee, form, timeoutMs } = task;
    const subject = {
      kind: "human" as const,
      agentId: agent.id,
      prompt,
      ...(assignee === undefined ? {} : { assignee }),
      ...(form === undefined ? {} : { form }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    const { decision } = await this.ask(execution, subject, {
      ...(wanted === undefined ? {} : { approvalId: wanted }),
      check: task.check,
      deadline: timeoutMs === undefined ? undefined : askedAt + timeoutMs,
    });
    if (decision.timedOut) return { timedOut: true };
    return {
      timedOut: false,
      approved: decision.approved,
      ...(decision.value === undefined ? {} : { value: decision.value }),
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    };
  }

  /**
   * Registers a pending approval, announces it with `approval_requested` (unless the caller
   * did), pauses and waits for the decision. Tool approvals use the tool call's id as their id.
   */
  private async ask(
    execution: RunExecution,
    subject: Omit<ApprovalRequest, "approvalId" | "requestedAt">,
    options: {
      announce?: boolean;
      approvalId?: string;
      check?: (value: unknown) => string | undefined;
      /** When the wait ends without a decision (ms on the run's clock). */
      deadline?: number | undefined;
    } = {},
  ): Promise<{ approvalId: string; decision: Decision }> {
    const { replay, journal } = execution.plan;
    // A resumed run asks again under the id it asked with before (tool approvals: the call id).
    const wanted =
      options.approvalId ??
      (subject.kind === "agent" ? replay?.takeAskedApproval(subject.agentId) : undefined);
    const stored = wanted === undefined ? undefined : replay?.decision(wanted);
    if (stored) return { approvalId: stored.approvalId, decision: stored };
    const approvalId =
      wanted !== undefined && wanted.length > 0 && !this.pending.has(wanted)
        ? wanted
        : `approval-${++this.approvalCount}`;
    const decided = deferred<Decision>();
    this.pending.set(approvalId, {
      request: { approvalId, ...subject, requestedAt: execution.plan.clock.now() },
      decided,
      check: options.check,
    });
    try {
      if (options.announce ?? true) await announce(execution, approvalId, subject);
      await this.hold(execution, `waiting for approval ${approvalId}`);
      const here =
        options.deadline === undefined
          ? decided.promise
          : untilDeadline(decided.promise, execution, options.deadline);
      const decision = journal
        ? await this.decidedHereOrInStore(journal, approvalId, here, execution.signal)
        : await abortable(here, execution.signal);
      if (this.pauseRequested) await this.waitForResume(execution.signal);
      await this.release(
        execution,
        decision.timedOut
          ? `approval ${approvalId} timed out`
          : `approval ${approvalId} ${decision.approved ? "approved" : `rejected: ${decision.reason ?? "no reason given"}`}`,
      );
      return { approvalId, decision };
    } finally {
      this.pending.delete(approvalId);
    }
  }

  /**
   * A durable run's approval: stored as waiting, then decided by `handle.approve/reject` here
   * or by another process through the store (polled); the first decision stands and is kept.
   */
  private async decidedHereOrInStore(
    journal: RunJournal,
    approvalId: string,
    here: Promise<Decision>,
    signal: AbortSignal,
  ): Promise<Decision> {
    await journal.commit("waiting_approval");
    const stopPolling = new AbortController();
    const polling = AbortSignal.any([signal, stopPolling.signal]);
    const elsewhere = journal.waitForDecision(approvalId, polling);
    elsewhere.catch(() => undefined);
    try {
      const decision = await abortable(Promise.race([here, elsewhere]), signal);
      const kept = await journal.recordDecision({
        approvalId,
        approved: decision.approved,
        ...(decision.reason === undefined ? {} : { reason: decision.reason }),
        ...(decision.value === undefined ? {} : { value: decision.value }),
        ...(decision.timedOut ? { timedOut: true } : {}),
        decidedAt: journal.now(),
      });
      if (kept) return decision;
      // Someone else decided first: theirs stands.
      return await journal.waitForDecision(approvalId, signal);
    } finally {
      stopPolling.abort();
    }
  }

  private async waitForResume(signal: AbortSignal): Promise<void> {
    this.releasePauseWaiters();
    if (this.resumed) await abortable(this.resumed.promise, signal);
  }

  private async hold(execution: RunExecution, reason: string): Promise<void> {
    if (this.holds++ === 0) await this.move(execution, "paused", reason);
  }

  private async release(execution: RunExecution, reason: string): Promise<void> {
    if (--this.holds === 0) await this.move(execution, "running", reason);
  }

  private async move(
    execution: RunExecution,
    to: "running" | "paused",
    reason: string,
  ): Promise<void> {
    const from = this.state;
    this.state = to;
    if (this.lifecycle.enforced) this.lifecycle.transition(to, reason);
    await emit(execution, from, to, reason);
  }

  private releasePauseWaiters(): void {
    const waiters = this.pauseWaiters;
    this.pauseWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** `approval_requested` for an approval the run asks for. */
async function announce(
  execution: RunExecution,
  approvalId: string,
  subject: Omit<ApprovalRequest, "approvalId" | "requestedAt">,
): Promise<void> {
  const { agentId, kind, toolName, callId, prompt, assignee, form, timeoutMs } = subject;
  await execution.emit(
    "approval_requested",
    {
      approvalId,
      kind,
      ...(toolName === undefined ? {} : { toolName, arguments: subject.arguments }),
      ...(callId === undefined ? {} : { callId }),
      ...(prompt === undefined ? {} : { prompt }),
      ...(assignee === undefined ? {} : { assignee }),
      ...(form === undefined ? {} : { form }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    },
    agentId,
  );
}

async function emit(
  execution: RunExecution,
  from: string,
  to: string,
  reason: string,
): Promise<void> {
  await execution.emit("lifecycle_changed", { from, to, reason });
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Waits for `promise`, or rejects with the signal's reason when it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
