import { RunStoreError } from "../errors/run-store-error.js";
import {
  describeConnection,
  isConnectionError,
  migratePostgres,
  postgresStatements,
  quoteSchema,
  createPool,
  type PostgresPool,
  type PostgresQueryable,
  type PostgresRunStoreOptions,
} from "./postgres-run-store-schema.js";
import { canonicalJson, GENESIS_HASH } from "./run-log-hash.js";
import {
  answerColumn,
  decisionFromRow,
  ENDED_RUN_STATUSES,
  eventFromRow,
  isEndedStatus,
  newRunValues,
  prepareEvents,
  RUN_COLUMNS,
  runFilterQuery,
  runFromRow,
  statusProblem,
  unknownRunMessage,
  type PreparedEvents,
  type RunRow,
} from "./run-store-rows.js";
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

export type { PostgresRunStoreOptions } from "./postgres-run-store-schema.js";

/** What the store remembers of a run it wrote last: where its log ends. */
interface LogHead {
  lastSeq: number;
  lastHash: string;
}

/**
 * A {@link RunStore} in Postgres (the `pg` client), shared by every process that reaches the
 * server: workers write runs, any process reads them, resumes them or cancels them. The tables
 * are created (and migrated) on first use. A commit is one statement (one round trip, atomic)
 * when the store wrote the run's previous commit, else a read and that statement.
 *
 * @throws RunStoreError when the server cannot be reached (naming host and port, never the
 * password), the schema was written by a newer llmteam, or a request breaks the log's rules.
 * @example
 * const store = new PostgresRunStore({ connection: "postgres://app@db:5432/llmteam" });
 */
export class PostgresRunStore implements RunStore {
  /** Where the store connects, without the password: `postgres://user@host:port/database[?schema=name]`. */
  readonly url: string;
  /** The Postgres schema of the tables. */
  readonly schema: string;
  private readonly options: PostgresRunStoreOptions;
  private readonly table: (name: string) => string;
  private readonly sql: ReturnType<typeof postgresStatements>;
  private pool: PostgresPool | undefined;
  private ready: Promise<PostgresPool> | undefined;
  private closed = false;
  /** Log heads of runs this store committed to, so the next commit needs no read. */
  private readonly heads = new Map<string, LogHead>();

  constructor(options: PostgresRunStoreOptions) {
    this.options = options;
    this.schema = options.schema ?? "public";
    // The schema is part of where the runs are: messages and `llmteam serve` name it.
    const connection = describeConnection(options.connection);
    this.url = this.schema === "public" ? connection : `${connection}?schema=${this.schema}`;
    const quoted = quoteSchema(this.schema, this.url);
    this.table = (name) => `${quoted}.llmteam_${name}`;
    this.sql = postgresStatements(this.table);
  }

  /**
   * Connects and brings the tables to this llmteam's schema version. Optional: every
   * operation does it first; call it to find a wrong address at start-up.
   * @throws RunStoreError as the class says.
   */
  async connect(): Promise<void> {
    await this.database("connect");
  }

  async createRun(run: NewStoredRun): Promise<void> {
    const values = newRunValues(run);
    if (values.problem) throw this.error("createRun", values.problem, run.runId);
    const result = await this.query(
      "createRun",
      run.runId,
      `INSERT INTO ${this.table("runs")} (run_id, team_id, config_hash, config, input, options, status, created_at, updated_at, last_hash) ` +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (run_id) DO NOTHING",
      [
        run.runId,
        run.teamId,
        run.configHash,
        values.config,
        values.input,
        values.options,
        run.status,
        run.createdAt,
        GENESIS_HASH,
      ],
    );
    if (result.rowCount === 0)
      throw this.error(
        "createRun",
        `A run "${run.runId}" is already in the run store ${this.url}; run ids are unique.`,
        run.runId,
      );
    this.heads.set(run.runId, { lastSeq: 0, lastHash: GENESIS_HASH });
  }

  async commit(runId: string, commit: RunCommit): Promise<RunCommitResult> {
    if (commit.status !== undefined) {
      const problem = statusProblem(commit.status);
      if (problem) throw this.error("commit", problem, runId);
    }
    let head: LogHead = this.heads.get(runId) ?? (await this.readHead(runId));
    for (let attempt = 0; ; attempt++) {
      const prepared = prepareEvents(runId, head.lastSeq, head.lastHash, commit.events);
      if (typeof prepared !== "string") {
        const result = await this.writeCommit(runId, commit, head.lastSeq, prepared);
        if (result) {
          this.remember(runId, commit, prepared);
          return result;
        }
      }
      // The stored log does not end where this store thought: read where it ends.
      this.heads.delete(runId);
      const stored = await this.readHead(runId);
      if (
        typeof prepared !== "string" &&
        stored.lastSeq === prepared.lastSeq &&
        stored.lastHash === prepared.lastHash
      ) {
        // This very batch is stored: an earlier attempt went through and its answer was lost.
        this.remember(runId, commit, prepared);
        return { cancelRequested: stored.cancelRequested };
      }
      const moved = stored.lastSeq !== head.lastSeq || stored.lastHash !== head.lastHash;
      if (!moved && typeof prepared === "string") throw this.error("commit", prepared, runId);
      if (attempt > 0)
        throw this.error(
          "commit",
          `Run "${runId}" in the run store ${this.url} is being written by another process at the same time; a run is written by one process at a time.`,
          runId,
        );
      head = stored;
    }
  }

  private remember(runId: string, commit: RunCommit, prepared: PreparedEvents): void {
    if (commit.status !== undefined && isEndedStatus(commit.status)) this.heads.delete(runId);
    else this.heads.set(runId, { lastSeq: prepared.lastSeq, lastHash: prepared.lastHash });
  }

  /**
   * One statement: the run's row moves its head from `expectedSeq` (only if it is still there),
   * and the events and snapshot are inserted only with that row. Undefined when the head moved.
   */
  private async writeCommit(
    runId: string,
    commit: RunCommit,
    expectedSeq: number,
    prepared: PreparedEvents,
  ): Promise<RunCommitResult | undefined> {
    const { rows } = prepared;
    const snapshot = commit.snapshot;
    const hasStatus = commit.status !== undefined;
    const result = await this.query("commit", runId, this.sql.commit, [
      runId,
      expectedSeq,
      prepared.lastSeq,
      prepared.lastHash,
      prepared.costNano,
      prepared.inputTokens,
      prepared.outputTokens,
      commit.now,
      commit.status ?? null,
      hasStatus || commit.error !== undefined,
      commit.error ?? null,
      rows.map((row) => row.seq),
      commit.events.map((event) => event.type),
      rows.map((row) => row.json),
      rows.map((row) => row.hash),
      snapshot ? snapshot.seq : null,
      snapshot ? canonicalJson(snapshot.state) : null,
    ]);
    const row = result.rows[0] as { cancel_requested: boolean } | undefined;
    return row && { cancelRequested: row.cancel_requested };
  }

  private async readHead(runId: string): Promise<LogHead & { cancelRequested: boolean }> {
    const result = await this.query(
      "commit",
      runId,
      `SELECT last_seq, last_hash, cancel_requested FROM ${this.table("runs")} WHERE run_id = $1`,
      [runId],
    );
    const row = result.rows[0] as
      { last_seq: string; last_hash: string; cancel_requested: boolean } | undefined;
    if (!row) throw this.error("commit", unknownRunMessage(this.url, runId), runId);
    return {
      lastSeq: Number(row.last_seq),
      lastHash: row.last_hash,
      cancelRequested: row.cancel_requested,
    };
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    const result = await this.query(
      "getRun",
      runId,
      `SELECT ${RUN_COLUMNS} FROM ${this.table("runs")} WHERE run_id = $1`,
      [runId],
    );
    const row = result.rows[0] as RunRow | undefined;
    return row && runFromRow(row);
  }

  async listRuns(filter: RunFilter = {}): Promise<StoredRun[]> {
    const query = runFilterQuery(filter, (position) => `$${position}`);
    if (typeof query === "string") throw this.error("listRuns", query);
    const result = await this.query(
      "listRuns",
      undefined,
      `SELECT ${RUN_COLUMNS} FROM ${this.table("runs")} ${query.where} ` +
        `ORDER BY created_at DESC, created_order DESC LIMIT $${query.values.length}`,
      query.values,
    );
    return (result.rows as unknown as RunRow[]).map(runFromRow);
  }

  async readEvents(
    runId: string,
    options: { afterSeq?: number | undefined; limit?: number | undefined } = {},
  ): Promise<StoredEvent[]> {
    const result = await this.query(
      "readEvents",
      runId,
      `SELECT seq, json, hash FROM ${this.table("run_events")} WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [
        runId,
        options.afterSeq ?? 0,
        options.limit === undefined ? null : Math.max(0, Math.floor(options.limit)),
      ],
    );
    return (result.rows as { seq: string; json: string; hash: string }[]).map(eventFromRow);
  }

  async readSnapshot(runId: string): Promise<StoredSnapshot | undefined> {
    const result = await this.query(
      "readSnapshot",
      runId,
      `SELECT seq, state FROM ${this.table("run_snapshots")} WHERE run_id = $1`,
      [runId],
    );
    const row = result.rows[0] as { seq: string; state: string } | undefined;
    return row && { seq: Number(row.seq), state: JSON.parse(row.state) as unknown };
  }

  async recordDecision(runId: string, decision: StoredDecision): Promise<boolean> {
    const result = await this.query("recordDecision", runId, this.sql.recordDecision, [
      runId,
      decision.approvalId,
      decision.approved,
      decision.reason ?? null,
      decision.decidedAt,
      answerColumn(decision),
    ]);
    const row = result.rows[0] as { runs: number; inserted: number };
    if (row.runs === 0)
      throw this.error("recordDecision", unknownRunMessage(this.url, runId), runId);
    return row.inserted === 1;
  }

  async readDecisions(runId: string): Promise<StoredDecision[]> {
    const result = await this.query(
      "readDecisions",
      runId,
      `SELECT approval_id, approved, reason, decided_at, answer FROM ${this.table("run_decisions")} WHERE run_id = $1 ORDER BY decided_at, decided_order`,
      [runId],
    );
    return (result.rows as Parameters<typeof decisionFromRow>[0][]).map(decisionFromRow);
  }

  async requestCancel(runId: string, now: number): Promise<boolean> {
    const result = await this.query(
      "requestCancel",
      runId,
      `UPDATE ${this.table("runs")} SET cancel_requested = TRUE, updated_at = $2 WHERE run_id = $1 AND NOT (status = ANY($3::text[]))`,
      [runId, now, ENDED_RUN_STATUSES],
    );
    return result.rowCount === 1;
  }

  async setStatus(
    runId: string,
    status: StoredRunStatus,
    now: number,
    error?: string,
  ): Promise<void> {
    const problem = statusProblem(status);
    if (problem) throw this.error("setStatus", problem, runId);
    const result = await this.query(
      "setStatus",
      runId,
      `UPDATE ${this.table("runs")} SET status = $2, error = $3, updated_at = $4 WHERE run_id = $1`,
      [runId, status, error ?? null, now],
    );
    if (result.rowCount === 0)
      throw this.error("setStatus", unknownRunMessage(this.url, runId), runId);
  }

  async deleteRuns(options: { before: number }): Promise<number> {
    const result = await this.query("deleteRuns", undefined, this.sql.deleteRuns, [
      options.before,
      ENDED_RUN_STATUSES,
    ]);
    return (result.rows[0] as { deleted: number }).deleted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ready = this.ready;
    this.ready = undefined;
    await ready?.catch(() => undefined);
    if (typeof this.options.connection === "string") await this.pool?.end();
    this.pool = undefined;
  }

  /** The pool, connected and migrated (once; again after a failure). */
  private async database(operation: string): Promise<PostgresPool> {
    if (this.closed) throw this.error(operation, `The run store ${this.url} is closed.`);
    this.ready ??= this.setUp().catch((error: unknown) => {
      this.ready = undefined;
      throw this.wrap("connect", undefined, error);
    });
    return this.ready;
  }

  private async setUp(): Promise<PostgresPool> {
    if (!this.pool) {
      const { connection } = this.options;
      if (typeof connection === "string") {
        this.pool = await createPool(connection, this.options);
      } else this.pool = connection;
    }
    const client = await this.pool.connect();
    try {
      await migratePostgres(client, this.schema, this.url);
    } finally {
      client.release();
    }
    return this.pool;
  }

  private async query(
    operation: string,
    runId: string | undefined,
    text: string,
    values: unknown[],
  ): ReturnType<PostgresQueryable["query"]> {
    const pool = await this.database(operation);
    try {
      return await pool.query(text, values);
    } catch (error) {
      throw this.wrap(operation, runId, error);
    }
  }

  private wrap(operation: string, runId: string | undefined, error: unknown): RunStoreError {
    if (RunStoreError.isInstance(error)) return error;
    const message = (error as Error | undefined)?.message ?? String(error);
    const text = isConnectionError(error)
      ? `Cannot reach the Postgres run store at ${this.url} (${operation}): ${message}. Check that the server runs and the address is right.`
      : `Postgres run store ${this.url}: ${operation} failed: ${message}`;
    return new RunStoreError(text, { operation, url: this.url, runId, cause: error });
  }

  private error(operation: string, message: string, runId?: string): RunStoreError {
    return new RunStoreError(message, { operation, url: this.url, runId });
  }
}
