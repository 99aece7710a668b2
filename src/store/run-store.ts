import type { StreamEventJSON } from "../events/stream-event.js";

/**
 * Where a run stands in a run store. `interrupted`: the process running it stopped without
 * ending it (found by `resume`, or marked by a graceful shutdown); `waiting_approval`: paused
 * on an approval nobody has decided yet.
 */
export type StoredRunStatus =
  "running" | "paused" | "waiting_approval" | "interrupted" | "completed" | "failed" | "cancelled";

/** What a run store is told when a run starts. */
export interface NewStoredRun {
  runId: string;
  teamId: string;
  /** SHA-256 of the team configuration the run started with (keys sorted). */
  configHash: string;
  /** The team configuration as JSON, as the run started with it. */
  config: unknown;
  /** The run input, as named values. */
  input: Record<string, unknown>;
  /** The run options that can be stored (budget, timeouts…), as JSON. */
  options: Record<string, unknown>;
  status: StoredRunStatus;
  /** ms since the epoch. */
  createdAt: number;
}

/** A run as a store holds it. */
export interface StoredRun extends NewStoredRun {
  /** ms since the epoch of the last change. */
  updatedAt: number;
  /** The `seq` of the last stored event (0 before the first). */
  lastSeq: number;
  /** Totals so far, folded from the stored events. */
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** Why the run failed or was cancelled, one line. */
  error?: string | undefined;
  /** Set by `requestCancel`; the process running it stops at its next step boundary. */
  cancelRequested: boolean;
}

/** One stored event and its link in the run's hash chain. */
export interface StoredEvent {
  seq: number;
  event: StreamEventJSON;
  /** SHA-256 hex of the previous event's `hash` (64 zeros for `seq` 1) and this event's canonical JSON. */
  hash: string;
}

/** The engine's state at a step boundary: what a resumed run starts from. */
export interface StoredSnapshot {
  /** The `seq` of the last event the snapshot includes. */
  seq: number;
  /** Opaque to the store: JSON written and read by the run engine. */
  state: unknown;
}

/** A human decision on an approval, kept so that it survives a restart. */
export interface StoredDecision {
  approvalId: string;
  approved: boolean;
  reason?: string | undefined;
  /** A human task's answer (`handle.answer(id, value)`), as JSON data. */
  value?: unknown;
  /** True when a human task's timeout decided. */
  timedOut?: boolean | undefined;
  /** ms since the epoch. */
  decidedAt: number;
}

/** What one durability point writes, in one transaction. */
export interface RunCommit {
  /** Events continuing the log without gaps: the first `seq` is the stored `lastSeq + 1`. */
  events: readonly StreamEventJSON[];
  /** Replaces the run's snapshot, when given. */
  snapshot?: StoredSnapshot | undefined;
  /** Changes to the run's row. */
  status?: StoredRunStatus | undefined;
  error?: string | undefined;
  /** ms since the epoch; becomes `updatedAt`. */
  now: number;
}

/** What a commit tells the writer back. */
export interface RunCommitResult {
  /** A cancel was requested (e.g. by `llmteam runs cancel` from another process). */
  cancelRequested: boolean;
}

/** Filters of {@link RunStore.listRuns}; runs come newest first. */
export interface RunFilter {
  status?: StoredRunStatus | readonly StoredRunStatus[] | undefined;
  teamId?: string | undefined;
  /** Runs created at or after this, ms since the epoch. */
  since?: number | undefined;
  /** At most this many (default 100). */
  limit?: number | undefined;
}

/**
 * Where durable runs keep their event log, snapshots and approval decisions:
 * `SqliteRunStore` (one file, the embedded default) and `PostgresRunStore` (shared by many
 * processes). One contract, tested against both real databases.
 *
 * Writes of one run come from one process at a time (the one running it); reads may come from
 * anywhere. `commit` is atomic: its events, snapshot and status are stored together or not at
 * all. Events are stored as given, with a hash chained to the previous event's.
 *
 * @throws RunStoreError for a store that cannot be reached, a corrupt or foreign database, a
 * schema written by a newer version, an unknown run, a duplicate run id or a gap in `seq`.
 */
export interface RunStore {
  /** Stores a new run (status as given, `lastSeq` 0). Fails when the id exists. */
  createRun(run: NewStoredRun): Promise<void>;
  /** Appends events and applies a snapshot and status change, in one transaction. */
  commit(runId: string, commit: RunCommit): Promise<RunCommitResult>;
  getRun(runId: string): Promise<StoredRun | undefined>;
  listRuns(filter?: RunFilter): Promise<StoredRun[]>;
  /** Events with `seq > afterSeq` (default 0), in order, at most `limit` (default all). */
  readEvents(
    runId: string,
    options?: { afterSeq?: number | undefined; limit?: number | undefined },
  ): Promise<StoredEvent[]>;
  readSnapshot(runId: string): Promise<StoredSnapshot | undefined>;
  /** Keeps a decision; false when the approval was already decided (the first one stands). */
  recordDecision(runId: string, decision: StoredDecision): Promise<boolean>;
  readDecisions(runId: string): Promise<StoredDecision[]>;
  /** Marks a run for cancellation; false when it is unknown or already ended. */
  requestCancel(runId: string, now: number): Promise<boolean>;
  /** Sets the status of a run that no process is running (cancel a parked run, mark one interrupted). */
  setStatus(runId: string, status: StoredRunStatus, now: number, error?: string): Promise<void>;
  /** Deletes ended runs (completed, failed, cancelled) last changed before `before`; returns how many. */
  deleteRuns(options: { before: number }): Promise<number>;
  /** Releases the store's resources (not a client it was given). */
  close(): Promise<void>;
}
