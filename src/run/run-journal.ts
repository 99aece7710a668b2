import type { StreamEvent, StreamEventJSON } from "../events/stream-event.js";
import type { Clock } from "../internal/clock.js";
import type {
  NewStoredRun,
  RunStore,
  StoredDecision,
  StoredRunStatus,
} from "../store/run-store.js";
import type { ToolLoopState } from "../tools/tool-loop.js";
import { RUN_STATE_VERSION, type RunState, type SavedLoop } from "./run-replay.js";

/** How often a run waiting for an approval looks in the store for a decision: 1 s. */
export const DEFAULT_DECISION_POLL_MS = 1_000;

/**
 * A durable run's writer: hears every event of the run, and at each durability point (a step
 * boundary, a tool round, an approval asked, the run's end) commits what it heard since the
 * last one, with the engine's snapshot and the run's status, in one store transaction.
 * Commits are serialised (parallel agents of a graph reach boundaries at once), so the stored
 * log has no gaps. Between durability points events are only buffered.
 */
export class RunJournal {
  private buffered: StreamEventJSON[] = [];
  private readonly loops = new Map<string, SavedLoop>();
  private loopsChanged = false;
  private status: StoredRunStatus = "running";
  private chain: Promise<void> = Promise.resolve();
  private created: boolean;
  /** The `seq` of the last stored event. */
  private committedSeq = 0;
  private cancel: ((reason: Error) => void) | undefined;

  /**
   * @param store where the run goes.
   * @param run the run's row, for a new run; `undefined` for a stored run being resumed.
   */
  constructor(
    readonly store: RunStore,
    readonly runId: string,
    private readonly clock: Clock,
    private readonly run: NewStoredRun | undefined,
    readonly decisionPollMs = DEFAULT_DECISION_POLL_MS,
  ) {
    this.created = run === undefined;
  }

  /** A resumed run's journal continues after the stored log's last event. */
  continueAfter(seq: number): void {
    this.committedSeq = seq;
  }

  /** What to call when the store says someone asked to cancel the run. */
  onCancelRequested(cancel: (reason: Error) => void): void {
    this.cancel = cancel;
  }

  /** Takes one event of the run (own or forwarded), in log order. */
  hear(event: StreamEvent): void {
    this.buffered.push(event.toDict());
  }

  /** Keeps the state of a tool loop in flight and commits it (a durability point inside an agent step). */
  saveLoop(agentId: string, startedAt: number, state: ToolLoopState): Promise<void> {
    this.loops.set(agentId, { startedAt, state: structuredClone(state) });
    this.loopsChanged = true;
    return this.commit();
  }

  /** The agent's step ended: its loop is no longer in flight. */
  endLoop(agentId: string): void {
    if (this.loops.delete(agentId)) this.loopsChanged = true;
  }

  /**
   * Commits the buffered events (and the snapshot, when loops changed) with `status`.
   * @throws RunStoreError when the store fails: the run stops here, with what was stored intact.
   */
  commit(status: StoredRunStatus = "running", error?: string): Promise<void> {
    const next = this.chain.then(() => this.write(status, error));
    // A failed commit fails its caller; the next one tries again with what is still buffered.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A decision kept in the store for `approvalId`; polled until one comes or `signal` aborts. */
  async waitForDecision(approvalId: string, signal: AbortSignal): Promise<StoredDecision> {
    for (;;) {
      const decisions = await this.store.readDecisions(this.runId);
      const found = decisions.find((decision) => decision.approvalId === approvalId);
      if (found) return found;
      await this.clock.sleep(this.decisionPollMs, signal);
    }
  }

  /** Now, on the run's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Keeps a decision made in this process (the first decision of an approval stands). */
  recordDecision(decision: StoredDecision): Promise<boolean> {
    return this.store.recordDecision(this.runId, decision);
  }

  private async write(status: StoredRunStatus, error: string | undefined): Promise<void> {
    const now = this.clock.now();
    if (!this.created) {
      await this.store.createRun({ ...this.run!, status: "running", createdAt: now });
      this.created = true;
    }
    const events = this.buffered;
    if (events.length === 0 && status === this.status && !this.loopsChanged) return;
    this.buffered = [];
    const loopsChanged = this.loopsChanged;
    this.loopsChanged = false;
    try {
      const seq = events.at(-1)?.seq ?? this.committedSeq;
      const state: RunState = { version: RUN_STATE_VERSION, loops: Object.fromEntries(this.loops) };
      const result = await this.store.commit(this.runId, {
        events,
        ...(loopsChanged ? { snapshot: { seq, state } } : {}),
        status,
        ...(error === undefined ? {} : { error }),
        now,
      });
      this.committedSeq = seq;
      this.status = status;
      if (result.cancelRequested)
        this.cancel?.(new Error("Cancelled through the run store (llmteam runs cancel)."));
    } catch (failure) {
      // Nothing of this batch is stored: keep it for the next attempt, in order.
      this.buffered = [...events, ...this.buffered];
      this.loopsChanged ||= loopsChanged;
      throw failure;
    }
  }
}
