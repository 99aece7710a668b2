import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ENDED_RUN_STATUSES } from "./run-store-rows.js";
import { GENESIS_HASH } from "./run-log-hash.js";

/** The SQLite run store's prepared statements, over the schema of version 3. */

const ENDED_SQL = ENDED_RUN_STATUSES.map((status) => `'${status}'`).join(", ");

/** The last batch of run `id` (a correlated subquery, on the index of batches). */
const LAST_BATCH = (id: string) =>
  `(SELECT id FROM llmteam_run_event_batches WHERE run = ${id} ORDER BY last_seq DESC LIMIT 1)`;

/**
 * The columns of a run's row (`RunRow`), from `llmteam_runs AS r` and its last batch `b`: the
 * log's head and totals live in the batch a commit writes, so that a commit leaves the run's
 * row alone unless its status changes.
 */
export const SQLITE_RUN_COLUMNS =
  "r.run_id, r.team_id, r.config_hash, r.config, r.input, r.options, r.status, r.created_at, " +
  "max(r.updated_at, coalesce(b.committed_at, 0)) AS updated_at, coalesce(b.last_seq, 0) AS last_seq, " +
  "coalesce(b.cost_nano, 0) AS cost_nano, coalesce(b.input_tokens, 0) AS input_tokens, " +
  "coalesce(b.output_tokens, 0) AS output_tokens, r.error, r.cancel_requested";

/** A run's row with its last batch, for SELECTs. */
export const SQLITE_RUN_FROM = `llmteam_runs AS r LEFT JOIN llmteam_run_event_batches AS b ON b.id = ${LAST_BATCH("r.id")}`;

/** What a commit reads of the run's row. */
export interface SqliteRunState {
  id: number;
  status: string;
  error: string | null;
  cancel_requested: number;
}

/** Where a run's log ends and its totals so far (from its last batch). */
export interface SqliteLogHead {
  /** The run's row id. */
  id: number;
  lastSeq: number;
  lastHash: string;
  costNano: number;
  inputTokens: number;
  outputTokens: number;
}

/** The head of run `id`'s empty log. */
export const emptyLog = (id: number): SqliteLogHead => ({
  id,
  lastSeq: 0,
  lastHash: GENESIS_HASH,
  costNano: 0,
  inputTokens: 0,
  outputTokens: 0,
});

export function prepareStatements(database: DatabaseSync) {
  const prepare = (sql: string): StatementSync => database.prepare(sql);
  const endedBefore =
    `status IN (${ENDED_SQL}) AND max(updated_at, coalesce((SELECT committed_at ` +
    "FROM llmteam_run_event_batches WHERE run = llmteam_runs.id ORDER BY last_seq DESC LIMIT 1), 0)) < ?";
  return {
    begin: prepare("BEGIN IMMEDIATE"),
    commit: prepare("COMMIT"),
    rollback: prepare("ROLLBACK"),
    insertRun: prepare(
      "INSERT INTO llmteam_runs (run_id, team_id, config_hash, config, input, options, status, created_at, updated_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
    ),
    runState: prepare(
      "SELECT id, status, error, cancel_requested FROM llmteam_runs WHERE run_id = ?",
    ),
    /** The same, by the row id the writer remembers (and the run id, should the id be reused). */
    runStateById: prepare(
      "SELECT id, status, error, cancel_requested FROM llmteam_runs WHERE id = ? AND run_id = ?",
    ),
    logHead: prepare(
      "SELECT last_seq AS lastSeq, substr(hashes, -64) AS lastHash, cost_nano AS costNano, " +
        "input_tokens AS inputTokens, output_tokens AS outputTokens FROM llmteam_run_event_batches " +
        "WHERE run = ? ORDER BY last_seq DESC LIMIT 1",
    ),
    getRun: prepare(`SELECT ${SQLITE_RUN_COLUMNS} FROM ${SQLITE_RUN_FROM} WHERE r.run_id = ?`),
    /**
     * Appends a batch (`?1` run … `?9` committed_at) if the run's log still ends at seq `?10`
     * (read from the index alone): 0 changes when it moved.
     */
    appendBatch: prepare(
      "INSERT INTO llmteam_run_event_batches (run, first_seq, last_seq, events, hashes, cost_nano, " +
        "input_tokens, output_tokens, committed_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 " +
        "WHERE coalesce((SELECT max(last_seq) FROM llmteam_run_event_batches WHERE run = ?1), 0) = ?10",
    ),
    upsertSnapshot: prepare(
      "INSERT INTO llmteam_run_snapshots (run, seq, state, updated_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (run) DO UPDATE SET seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at",
    ),
    /** Sets the status and error a commit brings (the status index changes). */
    commitStatus: prepare(
      "UPDATE llmteam_runs SET status = ?, error = ?, updated_at = ? WHERE id = ?",
    ),
    /** A commit with no events and no change: the run was still touched. */
    touchRun: prepare("UPDATE llmteam_runs SET updated_at = ? WHERE id = ?"),
    /** The batches holding events after a seq, in order. */
    readBatches: prepare(
      "SELECT first_seq, last_seq, events, hashes FROM llmteam_run_event_batches " +
        "WHERE run = (SELECT id FROM llmteam_runs WHERE run_id = ?) AND last_seq > ? ORDER BY last_seq",
    ),
    /** The batch of run `id` that holds a seq. */
    batchHolding: prepare(
      "SELECT first_seq, last_seq, events, hashes FROM llmteam_run_event_batches " +
        "WHERE run = ? AND last_seq >= ? ORDER BY last_seq LIMIT 1",
    ),
    readSnapshot: prepare(
      "SELECT s.seq, s.state FROM llmteam_run_snapshots AS s JOIN llmteam_runs AS r ON s.run = r.id WHERE r.run_id = ?",
    ),
    insertDecision: prepare(
      "INSERT INTO llmteam_run_decisions (run_id, approval_id, approved, reason, decided_at, answer) " +
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, approval_id) DO NOTHING",
    ),
    readDecisions: prepare(
      "SELECT approval_id, approved, reason, decided_at, answer FROM llmteam_run_decisions WHERE run_id = ? ORDER BY decided_at, rowid",
    ),
    requestCancel: prepare(
      `UPDATE llmteam_runs SET cancel_requested = 1, updated_at = ? WHERE run_id = ? AND status NOT IN (${ENDED_SQL})`,
    ),
    setStatus: prepare(
      "UPDATE llmteam_runs SET status = ?, error = ?, updated_at = ? WHERE run_id = ?",
    ),
    deleteRuns: {
      children: [
        ...["llmteam_run_event_batches", "llmteam_run_snapshots"].map(
          (table) =>
            `DELETE FROM ${table} WHERE run IN (SELECT id FROM llmteam_runs WHERE ${endedBefore})`,
        ),
        `DELETE FROM llmteam_run_decisions WHERE run_id IN (SELECT run_id FROM llmteam_runs WHERE ${endedBefore})`,
      ].map(prepare),
      runs: prepare(`DELETE FROM llmteam_runs WHERE ${endedBefore}`),
    },
  };
}

/** The prepared statements of one open store. */
export type SqliteRunStatements = ReturnType<typeof prepareStatements>;
