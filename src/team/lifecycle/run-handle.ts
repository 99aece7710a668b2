import type { ToolApprovalFunction } from "../../tools/tool-approval.js";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import type { StreamEvent } from "../../events/stream-event.js";
import type { Clock } from "../../internal/clock.js";
import type { RunResult } from "../../run/run-result.js";
import type { EventLog } from "./event-log.js";
import type { ApprovalRequest, RunController, RunState } from "./run-controller.js";
import { RUN_SNAPSHOT_VERSION, type RunSnapshot } from "./run-snapshot.js";

/** What a handle knows about its run from the start. */
export interface RunHandleInit {
  runId: string;
  teamId: string;
  configVersion: number;
  configHash: string;
  input: Record<string, unknown>;
  clock: Clock;
  controller: RunController;
  abort: AbortController;
  log: EventLog;
  result: Promise<RunResult>;
}

/**
 * A run started with `team.start(input)`: pause it, resume it, cancel it, answer its
 * approvals, read its events and snapshot its state.
 *
 * - `pause()` takes effect at the next step boundary (between agents, or tool rounds), never
 *   in the middle of a model call; `resume()` continues the same run (same run id, variables).
 * - `cancel()` aborts the model call in flight; the run ends with status `cancelled`.
 * - Iterating the handle yields every event from the first; stopping early does not cancel.
 *
 * @example
 * const handle = team.start({ query: "Draft the press release" });
 * await handle.pause();                  // stopped between two agents
 * const saved = handle.snapshot();       // JSON: run id, input, variables, events…
 * handle.resume();
 * for await (const event of handle) {
 *   if (event.type === "approval_requested") handle.approve(event.data.approvalId);
 * }
 * const result = await handle.result;
 */
export class RunHandle<TOutput = unknown> implements AsyncIterable<StreamEvent> {
  /** The run's id, the same before and after pauses. */
  readonly runId: string;
  /** Resolves when the run has ended, however it ended (as `run()` does). */
  readonly result: Promise<RunResult<TOutput>>;

  constructor(private readonly init: RunHandleInit) {
    this.runId = init.runId;
    this.result = init.result as Promise<RunResult<TOutput>>;
    // A caller that only pauses or iterates must not see an unhandled rejection from `result`.
    init.result.catch(() => undefined);
  }

  /** running, paused, completed or failed (a cancelled run is failed, its status `cancelled`). */
  get state(): RunState {
    return this.init.controller.state;
  }

  /** Approvals the run waits for now. */
  get pendingApprovals(): ApprovalRequest[] {
    return this.init.controller.pendingApprovals;
  }

  /**
   * Pauses at the next step boundary. Resolves once the run has stopped there (no model call
   * starts until `resume()`), or when it ends first. Pausing a paused run does nothing.
   * @throws LifecycleError when the run has ended.
   */
  pause(): Promise<void> {
    return this.init.controller.requestPause(this.runId);
  }

  /**
   * Continues a paused run, or withdraws a pause it has not reached yet.
   * @throws LifecycleError when the run is not paused (or only waits for an approval) or has ended.
   */
  resume(): void {
    this.init.controller.resume(this.runId);
  }

  /**
   * Cancels the run: the model call in flight is aborted and the run ends with status
   * `cancelled`. Works on a paused run too. Returns the result.
   */
  cancel(reason = "Cancelled with handle.cancel()."): Promise<RunResult> {
    if (!this.init.abort.signal.aborted) {
      this.init.abort.abort(Object.assign(new Error(reason), { name: "AbortError" }));
    }
    return this.result;
  }

  /**
   * Approves a pending approval: the agent or tool runs.
   * @throws LLMTeamError for an id that is not pending, listing the pending ones.
   */
  approve(approvalId: string): void {
    this.init.controller.decide(approvalId, { approved: true });
  }

  /**
   * Rejects a pending approval: the agent fails with `ApprovalRejectedError` (ending its
   * branch), or the tool call is reported to the model as rejected, with `reason`. A human
   * task's step outputs `{ approved: false, reason }`.
   * @throws LLMTeamError for an id that is not pending.
   */
  reject(approvalId: string, reason: string): void {
    this.init.controller.decide(approvalId, { approved: false, reason });
  }

  /**
   * Answers a human task (a `human` step's `approval_requested` of kind `human`): the step
   * outputs `{ approved: true, value }`. The value must match the task's form.
   * @throws LLMTeamError for an id that is not pending, a value that does not match the form
   *   (naming the fields), or an approval that is not a human task.
   * @example
   * handle.answer(event.data.approvalId, { publish: true, note: "ship it" });
   */
  answer(approvalId: string, value: unknown): void {
    this.init.controller.decide(approvalId, { approved: true, value });
  }

  /**
   * The approval function of one agent's tool loop: emits `approval_requested`, pauses the
   * run and waits for `approve(callId)`/`reject(callId, reason)`. Agents get the same function
   * as `AgentRunContext.approveTool`, with `announce: false` because their tool loop emits the
   * event itself.
   * @param options.announce emit `approval_requested` (default true).
   * @throws LifecycleError before the run has started or after it ended.
   */
  toolApprover(agentId: string, options: { announce?: boolean } = {}): ToolApprovalFunction {
    const { controller } = this.init;
    if (!controller.execution || controller.ended) {
      throw new LifecycleError(
        this.state,
        this.state,
        `Run "${this.runId}" is not in progress; it has no tool loop to approve for.`,
      );
    }
    return controller.toolApprover(agentId, controller.execution, options);
  }

  /** The run's state as plain JSON (see {@link RunSnapshot}); safe to `JSON.stringify`. */
  snapshot(): RunSnapshot {
    const { controller, log } = this.init;
    const execution = controller.execution;
    const result = execution?.builder.result;
    const snapshot: RunSnapshot = {
      version: RUN_SNAPSHOT_VERSION,
      runId: this.runId,
      teamId: this.init.teamId,
      configVersion: this.init.configVersion,
      configHash: this.init.configHash,
      state: controller.state,
      input: execution?.plan.input ?? this.init.input,
      variables: execution?.variables ?? this.init.input,
      completedAgents: result
        ? result.agentResults.filter((agent) => agent.success).map((agent) => agent.agentId)
        : [],
      pendingApprovals: controller.pendingApprovals,
      events: log.events.map((event) => event.toDict()),
      takenAt: this.init.clock.now(),
    };
    return JSON.parse(JSON.stringify(snapshot)) as RunSnapshot;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.init.log[Symbol.asyncIterator]();
  }
}
