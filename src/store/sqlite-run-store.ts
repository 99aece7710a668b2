import type { DatabaseSync } from "node:sqlite";
import { RunStoreError } from "../errors/run-store-error.js";
import { SqliteGroupCommit } from "./sqlite-group-commit.js";
import { SqliteRunWriter } from "./sqlite-run-writer.js";
import {
  decisionFromRow,
  newRunValues,
  runFilterQuery,
  runFromRow,
  statusProblem,
  unknownRunMessage,
  type RunRow,
  answerColumn,
} from "./run-store-rows.js";
import { decodeEventBatch, type EventBatchRow } from "./sqlite-event-batch.js";
import { migrate, openDatabase } from "./sqlite-run-store-schema.js";
import {
  prepareStatements,
  SQLITE_RUN_COLUMNS,
  SQLITE_RUN_FROM,
  type SqliteRunStatements,
} from "./sqlite-run-store-statements.js";
import type {
  NewStoredRun,
  RunCommit,
  RunCommitResult,
  RunFilter,
  RunStore,
  StoredDecision,
  StoredEvent,
  StoredRun,
  StoredRunStatus,
  StoredSnapshot,
} from "./run-store.js";

/** Default file of {@link SqliteRunStore} (and of the CLI's `--store`). */
export const DEFAULT_RUN_STORE_PATH = ".llmteam/runs.db";

/** Options of {@link SqliteRunStore}. */
export interface SqliteRunStoreOptions {
  /**
   * Database file; created (with its directory) when missing. Default
   * {@link DEFAULT_RUN_STORE_PATH}. `":memory:"` for a private in-memory database.
   */
  path?: string;
  /** How long a writer waits for another process's lock, in ms. Default `5000`. */
  busyTimeoutMs?: number;
}

/**
 * A {@link RunStore} in one SQLite file, through Node's built-in `node:sqlite` (no native
 * add-on): the embedded default. WAL mode, so readers (`llmteam runs list`, another process)
 * never block the process writing a run; each `commit` is one `BEGIN IMMEDIATE` transaction.
 * `synchronous = NORMAL`: a commit survives the process being killed; after a power cut the
 * last commits may be lost, never half-written.
 *
 * @throws RunStoreError when the file cannot be opened, is not a SQLite database, holds tables
 * of something else, or was written by a newer llmteam (schema version).
 * @example
 * const store = new SqliteRunStore({ path: ".llmteam/runs.db" });
 */
export class SqliteRunStore implements RunStore {
  /** The database file. */
  readonly path: string;
  private readonly database: DatabaseSync;
  private readonly statements: SqliteRunStatements;
  private readonly writer: SqliteRunWriter;
  /** Commits of one event-loop turn share a transaction. */
  private readonly group: SqliteGroupCommit;

  constructor(options: SqliteRunStoreOptions = {}) {
    this.path = options.path ?? DEFAULT_RUN_STORE_PATH;
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    this.database = openDatabase(this.path, busyTimeoutMs);
    try {
      migrate(this.database, this.path);
      this.statements = prepareStatements(this.database);
      this.writer = new SqliteRunWriter(this.statements, this.path);
      this.group = new SqliteGroupCommit(
        this.database,
        (error) =>
          RunStoreError.isInstance(error)
            ? error
            : new RunStoreError(
                `Run store ${this.path}: commit failed: ${(error as Error).message}`,
                { operation: "commit", path: this.path, cause: error },
              ),
        () => this.writer.forgetAll(),
      );
    } catch (error) {
      this.database.close();
      throw error;
    }
  }

  async createRun(run: NewStoredRun): Promise<void> {
    const values = newRunValues(run);
    if (values.problem) throw this.error("createRun", values.problem, run.runId);
    if (!this.database.isOpen)
      throw this.error("createRun", `The run store ${this.path} is closed.`, run.runId);
    // Through the group commit: runs started together are created in one transaction.
    await this.group.submit(() =>
      this.guard("createRun", run.runId, () => this.writer.createRun(run, values)),
    );
  }

  async commit(runId: string, commit: RunCommit): Promise<RunCommitResult> {
    if (commit.status !== undefined) {
      const problem = statusProblem(commit.status);
      if (problem) throw this.error("commit", problem, runId);
    }
    if (!this.database.isOpen)
      throw this.error("commit", `The run store ${this.path} is closed.`, runId);
    return this.group.submit(() =>
      this.guard("commit", runId, () => this.writer.commit(runId, commit)),
    );
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    return this.guard("getRun", runId, () => {
      const row = this.statements.getRun.get(runId) as RunRow | undefined;
      return row && runFromRow(row);
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<StoredRun[]> {
    const query = runFilterQuery(filter, () => "?");
    if (typeof query === "string") throw this.error("listRuns", query);
    const sql = `SELECT ${SQLITE_RUN_COLUMNS} FROM ${SQLITE_RUN_FROM} ${query.where} ORDER BY r.created_at DESC, r.id DESC LIMIT ?`;
    const parameters = query.values as (string | number)[];
    return this.guard("listRuns", undefined, () =>
      (this.database.prepare(sql).all(...parameters) as unknown as RunRow[]).map(runFromRow),
    );
  }

  async readEvents(
    runId: string,
    options: { afterSeq?: number | undefined; limit?: number | undefined } = {},
  ): Promise<StoredEvent[]> {
    const afterSeq = options.afterSeq ?? 0;
    const limit =
      options.limit === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(0, Math.floor(options.limit));
    return this.guard("readEvents", runId, () => {
      const events: StoredEvent[] = [];
      if (limit === 0) return events;
      for (const row of this.statements.readBatches.iterate(runId, afterSeq)) {
        decodeEventBatch(row as unknown as EventBatchRow, afterSeq, events);
        if (events.length >= limit) break;
      }
      return events.length > limit ? events.slice(0, limit) : events;
    });
  }

  async readSnapshot(runId: string): Promise<StoredSnapshot | undefined> {
    return this.guard("readSnapshot", runId, () => {
      const row = this.statements.readSnapshot.get(runId) as
        { seq: number; state: string } | undefined;
      return row && { seq: row.seq, state: JSON.parse(row.state) as unknown };
    });
  }

  async recordDecision(runId: string, decision: StoredDecision): Promise<boolean> {
    return this.guard("recordDecision", runId, () =>
      this.transaction(() => {
        if (!this.statements.runState.get(runId))
          throw this.error("recordDecision", unknownRunMessage(this.path, runId), runId);
        const inserted = this.statements.insertDecision.run(
          runId,
          decision.approvalId,
          decision.approved ? 1 : 0,
          decision.reason ?? null,
          decision.decidedAt,
          answerColumn(decision),
        );
        return Number(inserted.changes) === 1;
      }),
    );
  }

  async readDecisions(runId: string): Promise<StoredDecision[]> {
    return this.guard("readDecisions", runId, () =>
      (this.statements.readDecisions.all(runId) as Parameters<typeof decisionFromRow>[0][]).map(
        decisionFromRow,
      ),
    );
  }

  async requestCancel(runId: string, now: number): Promise<boolean> {
    return this.guard(
      "requestCancel",
      runId,
      () => Number(this.statements.requestCancel.run(now, runId).changes) === 1,
    );
  }

  async setStatus(
    runId: string,
    status: StoredRunStatus,
    now: number,
    error?: string,
  ): Promise<void> {
    const problem = statusProblem(status);
    if (problem) throw this.error("setStatus", problem, runId);
    this.guard("setStatus", runId, () => {
      const changed = this.statements.setStatus.run(status, error ?? null, now, runId);
      if (Number(changed.changes) === 0)
        throw this.error("setStatus", unknownRunMessage(this.path, runId), runId);
    });
  }

  async deleteRuns(options: { before: number }): Promise<number> {
    return this.guard("deleteRuns", undefined, () =>
      this.transaction(() => {
        const { deleteRuns } = this.statements;
        for (const statement of deleteRuns.children) statement.run(options.before);
        return Number(deleteRuns.runs.run(options.before).changes);
      }),
    );
  }

  async close(): Promise<void> {
    this.group.drain();
    if (this.database.isOpen) this.database.close();
  }

  private transaction<T>(work: () => T): T {
    this.statements.begin.run();
    try {
      const result = work();
      this.statements.commit.run();
      return result;
    } catch (error) {
      if (this.database.isTransaction) this.statements.rollback.run();
      throw error;
    }
  }

  /** Runs `work`, turning a database failure into a {@link RunStoreError} naming the file. */
  private guard<T>(operation: string, runId: string | undefined, work: () => T): T {
    if (!this.database.isOpen)
      throw this.error(operation, `The run store ${this.path} is closed.`, runId);
    try {
      return work();
    } catch (error) {
      if (RunStoreError.isInstance(error)) throw error;
      throw new RunStoreError(
        `Run store ${this.path}: ${operation} failed: ${(error as Error).message}`,
        { operation, path: this.path, runId, cause: error },
      );
    }
  }

  private error(operation: string, message: string, runId?: string): RunStoreError {
    return new RunStoreError(message, { operation, path: this.path, runId });
  }
}
