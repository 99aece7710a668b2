import { RunStoreError } from "../errors/run-store-error.js";
import { canonicalJson, GENESIS_HASH } from "./run-log-hash.js";
import {
  isEndedStatus,
  prepareEvents,
  unknownRunMessage,
  type newRunValues,
} from "./run-store-rows.js";
import type { NewStoredRun, RunCommit, RunCommitResult } from "./run-store.js";
import { encodeEventBatch, hashInBatch, type EventBatchRow } from "./sqlite-event-batch.js";
import {
  emptyLog,
  type SqliteLogHead,
  type SqliteRunState,
  type SqliteRunStatements,
} from "./sqlite-run-store-statements.js";

/** Most log heads a writer remembers (the oldest are forgotten first). */
const REMEMBERED_HEADS = 10_000;

/**
 * Writes a SQLite run store's new runs and commits, inside the transaction of its group commit.
 * A commit reads the run's row (its status, a cancel request), appends its events as one batch
 * row that also holds the log's new head (last seq and hash, totals), and writes the run's row
 * only when the status changes. The writer remembers the head of each log it wrote (forgotten
 * when a transaction is rolled back), so a commit does not read it back; the append is guarded
 * (the stored log must still end at the seq the writer remembers, read from the index), so when
 * another process moved the log, the commit reads the stored head and goes on from there.
 */
export class SqliteRunWriter {
  private readonly heads = new Map<string, SqliteLogHead>();

  constructor(
    private readonly statements: SqliteRunStatements,
    private readonly path: string,
  ) {}

  /** Inserts a new run's row. @throws RunStoreError when the id is taken. */
  createRun(run: NewStoredRun, values: ReturnType<typeof newRunValues>): void {
    const inserted = this.statements.insertRun.run(
      run.runId,
      run.teamId,
      run.configHash,
      values.config,
      values.input,
      values.options,
      run.status,
      run.createdAt,
      run.createdAt,
    );
    if (Number(inserted.changes) === 0)
      throw this.error(
        "createRun",
        `A run "${run.runId}" is already in the run store ${this.path}; run ids are unique.`,
        run.runId,
      );
    this.remember(run.runId, emptyLog(Number(inserted.lastInsertRowid)));
  }

  /**
   * One commit: the events as one batch row, the snapshot when given, and the run's status and
   * error when they change.
   * @throws RunStoreError for an unknown run or events that do not continue the stored log.
   */
  commit(runId: string, commit: RunCommit): RunCommitResult {
    const { statements } = this;
    const remembered = this.heads.get(runId);
    const run = (
      remembered
        ? (statements.runStateById.get(remembered.id, runId) ?? statements.runState.get(runId))
        : statements.runState.get(runId)
    ) as SqliteRunState | undefined;
    if (!run) {
      this.heads.delete(runId);
      throw this.error("commit", unknownRunMessage(this.path, runId), runId);
    }
    if (remembered?.id !== run.id || this.append(runId, run, commit, remembered) !== true) {
      this.heads.delete(runId);
      const stored = this.storedHead(run.id);
      const appended = this.append(runId, run, commit, stored);
      if (typeof appended === "string") {
        // This very batch is stored: an earlier attempt went through and its answer was lost.
        if (!this.isStoredTail(run.id, stored, commit)) throw this.error("commit", appended, runId);
        this.remember(runId, stored);
        return { cancelRequested: run.cancel_requested !== 0 };
      }
      if (!appended)
        throw this.error(
          "commit",
          `The log of run "${runId}" moved while it was committed.`,
          runId,
        );
    }
    const status = commit.status ?? run.status;
    const error =
      commit.status !== undefined || commit.error !== undefined
        ? (commit.error ?? null)
        : run.error;
    if (status !== run.status || error !== run.error)
      statements.commitStatus.run(status, error, commit.now, run.id);
    else if (commit.events.length === 0) statements.touchRun.run(commit.now, run.id);
    if (commit.snapshot)
      statements.upsertSnapshot.run(
        run.id,
        commit.snapshot.seq,
        canonicalJson(commit.snapshot.state),
        commit.now,
      );
    if (isEndedStatus(status)) this.heads.delete(runId);
    return { cancelRequested: run.cancel_requested !== 0 };
  }

  /** Forgets every log head (the transaction that wrote them was rolled back). */
  forgetAll(): void {
    this.heads.clear();
  }

  /**
   * Appends the commit's events after `head` as one batch, if the stored log still ends there,
   * and remembers the new head. False when it does not (nothing written); the problem when the
   * events do not continue `head`.
   */
  private append(
    runId: string,
    run: SqliteRunState,
    commit: RunCommit,
    head: SqliteLogHead,
  ): boolean | string {
    const prepared = prepareEvents(runId, head.lastSeq, head.lastHash, commit.events);
    if (typeof prepared === "string") return prepared;
    const next: SqliteLogHead = {
      id: head.id,
      lastSeq: prepared.lastSeq,
      lastHash: prepared.lastHash,
      costNano: head.costNano + prepared.costNano,
      inputTokens: head.inputTokens + prepared.inputTokens,
      outputTokens: head.outputTokens + prepared.outputTokens,
    };
    if (prepared.rows.length > 0) {
      const batch = encodeEventBatch(prepared.rows);
      const appended = this.statements.appendBatch.run(
        run.id,
        head.lastSeq + 1,
        next.lastSeq,
        batch.events,
        batch.hashes,
        next.costNano,
        next.inputTokens,
        next.outputTokens,
        commit.now,
        head.lastSeq,
      );
      if (Number(appended.changes) === 0) return false;
    }
    this.remember(runId, next);
    return true;
  }

  /** The head of run `id`'s stored log. */
  private storedHead(id: number): SqliteLogHead {
    const row = this.statements.logHead.get(id) as
      { [Key in keyof SqliteLogHead]: SqliteLogHead[Key] | null } | undefined;
    if (!row) return emptyLog(id);
    return {
      id,
      lastSeq: Number(row.lastSeq),
      lastHash: row.lastHash ?? GENESIS_HASH,
      costNano: Number(row.costNano ?? 0),
      inputTokens: Number(row.inputTokens ?? 0),
      outputTokens: Number(row.outputTokens ?? 0),
    };
  }

  /** True when `commit`'s events are the last ones stored in run `id`'s log, exactly (same hashes). */
  private isStoredTail(id: number, head: SqliteLogHead, commit: RunCommit): boolean {
    const first = commit.events[0]?.seq;
    if (first === undefined || commit.events.at(-1)!.seq !== head.lastSeq || first < 1)
      return false;
    let before: string | undefined = GENESIS_HASH;
    if (first > 1) {
      const batch = this.statements.batchHolding.get(id, first - 1) as EventBatchRow | undefined;
      before = batch && hashInBatch(batch, first - 1);
    }
    if (before === undefined) return false;
    const again = prepareEvents("", first - 1, before, commit.events);
    return typeof again !== "string" && again.lastHash === head.lastHash;
  }

  private remember(runId: string, head: SqliteLogHead): void {
    this.heads.delete(runId);
    if (this.heads.size >= REMEMBERED_HEADS) this.heads.delete(this.heads.keys().next().value!);
    this.heads.set(runId, head);
  }

  private error(operation: string, message: string, runId: string): RunStoreError {
    return new RunStoreError(message, { operation, path: this.path, runId });
  }
}
