import { RunStoreError } from "../errors/run-store-error.js";
import { canonicalJson, GENESIS_HASH } from "./run-log-hash.js";
import {
  isEndedStatus,
  prepareEvents,
  unknownRunMessage,
  type newRunValues,
  type PreparedEvents,
} from "./run-store-rows.js";
import type { NewStoredRun, RunCommit, RunCommitResult } from "./run-store.js";
import { encodeEventBatch, hashInBatch, type EventBatchRow } from "./sqlite-event-batch.js";
import type { SqliteRunHead, SqliteRunStatements } from "./sqlite-run-store-statements.js";

/** Most run heads a writer remembers (the oldest are forgotten first). */
const REMEMBERED_HEADS = 10_000;

/**
 * Writes a SQLite run store's new runs and commits, inside the transaction of its group commit.
 * It remembers the head of each run it wrote (id, last seq and hash, status), so a commit is
 * one guarded `UPDATE … RETURNING` of the run's row, one batch row and the snapshot: no read.
 * The guard (same last seq, status and error) makes the memory a hint only: when another
 * process moved the run, the commit reads the stored head and goes on from there.
 */
export class SqliteRunWriter {
  private readonly heads = new Map<string, SqliteRunHead>();

  constructor(
    private readonly statements: SqliteRunStatements,
    private readonly path: string,
  ) {}

  /** Inserts a new run's row and its inputs. @throws RunStoreError when the id is taken. */
  createRun(run: NewStoredRun, values: ReturnType<typeof newRunValues>): void {
    const { statements } = this;
    const inserted = statements.insertRun.run(
      run.runId,
      run.teamId,
      run.configHash,
      run.status,
      run.createdAt,
      run.createdAt,
      GENESIS_HASH,
    );
    if (Number(inserted.changes) === 0)
      throw this.error(
        "createRun",
        `A run "${run.runId}" is already in the run store ${this.path}; run ids are unique.`,
        run.runId,
      );
    const id = Number(inserted.lastInsertRowid);
    statements.insertInputs.run(id, values.config, values.input, values.options);
    this.remember(run.runId, {
      id,
      last_seq: 0,
      last_hash: GENESIS_HASH,
      status: run.status,
      error: null,
      cancel_requested: 0,
    });
  }

  /**
   * One commit: the events as one batch row, the snapshot when given, and the run's row (its
   * indexed status only when it changes).
   * @throws RunStoreError for an unknown run or events that do not continue the stored log.
   */
  commit(runId: string, commit: RunCommit): RunCommitResult {
    const remembered = this.heads.get(runId);
    if (remembered) {
      const prepared = prepareEvents(
        runId,
        remembered.last_seq,
        remembered.last_hash,
        commit.events,
      );
      if (typeof prepared !== "string") {
        const result = this.write(runId, remembered, commit, prepared);
        if (result) return result;
      }
      this.heads.delete(runId);
    }
    const head = this.statements.runHead.get(runId) as SqliteRunHead | undefined;
    if (!head) throw this.error("commit", unknownRunMessage(this.path, runId), runId);
    const prepared = prepareEvents(runId, head.last_seq, head.last_hash, commit.events);
    if (typeof prepared === "string") {
      // This very batch is stored: an earlier attempt went through and its answer was lost.
      if (this.isStoredTail(head, commit)) {
        this.remember(runId, head);
        return { cancelRequested: head.cancel_requested !== 0 };
      }
      throw this.error("commit", prepared, runId);
    }
    const result = this.write(runId, head, commit, prepared);
    if (!result)
      throw this.error(
        "commit",
        `Run "${runId}" changed in the run store ${this.path} while it was committed.`,
        runId,
      );
    return result;
  }

  /** Forgets a run's head (its row was changed by another operation). */
  forget(runId: string): void {
    this.heads.delete(runId);
  }

  /** Writes a commit after `head`; undefined (nothing written) when the stored head is not `head`. */
  private write(
    runId: string,
    head: SqliteRunHead,
    commit: RunCommit,
    prepared: PreparedEvents,
  ): RunCommitResult | undefined {
    const { statements } = this;
    const status = commit.status ?? head.status;
    const error =
      commit.status !== undefined || commit.error !== undefined
        ? (commit.error ?? null)
        : head.error;
    const values = [
      prepared.lastSeq,
      prepared.lastHash,
      prepared.costNano,
      prepared.inputTokens,
      prepared.outputTokens,
      commit.now,
    ];
    const guard = [head.id, head.last_seq, head.status, head.error];
    const moved = (
      status === head.status && error === head.error
        ? statements.moveHead.get(...values, ...guard)
        : statements.moveHeadAndStatus.get(...values, status, error, ...guard)
    ) as { cancel_requested: number } | undefined;
    if (!moved) return undefined;
    if (prepared.rows.length > 0) {
      const batch = encodeEventBatch(prepared.rows);
      statements.insertBatch.run(
        head.id,
        head.last_seq + 1,
        prepared.lastSeq,
        batch.events,
        batch.hashes,
      );
    }
    if (commit.snapshot)
      statements.upsertSnapshot.run(
        head.id,
        commit.snapshot.seq,
        canonicalJson(commit.snapshot.state),
        commit.now,
      );
    if (isEndedStatus(status)) this.heads.delete(runId);
    else
      this.remember(runId, {
        id: head.id,
        last_seq: prepared.lastSeq,
        last_hash: prepared.lastHash,
        status,
        error,
        cancel_requested: moved.cancel_requested,
      });
    return { cancelRequested: moved.cancel_requested !== 0 };
  }

  /** True when `commit`'s events are the last ones stored, exactly (same hashes). */
  private isStoredTail(head: SqliteRunHead, commit: RunCommit): boolean {
    const first = commit.events[0]?.seq;
    if (first === undefined || commit.events.at(-1)!.seq !== head.last_seq || first < 1)
      return false;
    let before: string | undefined = GENESIS_HASH;
    if (first > 1) {
      const batch = this.statements.batchHolding.get(head.id, first - 1) as
        EventBatchRow | undefined;
      before = batch && hashInBatch(batch, first - 1);
    }
    if (before === undefined) return false;
    const again = prepareEvents("", first - 1, before, commit.events);
    return typeof again !== "string" && again.lastHash === head.last_hash;
  }

  private remember(runId: string, head: SqliteRunHead): void {
    this.heads.delete(runId);
    if (this.heads.size >= REMEMBERED_HEADS) this.heads.delete(this.heads.keys().next().value!);
    this.heads.set(runId, head);
  }

  private error(operation: string, message: string, runId: string): RunStoreError {
    return new RunStoreError(message, { operation, path: this.path, runId });
  }
}
