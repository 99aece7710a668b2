import type { DatabaseSync, StatementSync } from "node:sqlite";
import { ENDED_RUN_STATUSES } from "./run-store-rows.js";

/** The SQLite run store's prepared statements, over the schema of version 3. */

const ENDED_SQL = ENDED_RUN_STATUSES.map((status) => `'${status}'`).join(", ");

/** The columns of a run's row (`RunRow`), from `llmteam_runs AS r` joined with its inputs `i`. */
export const SQLITE_RUN_COLUMNS =
  "r.run_id, r.team_id, r.config_hash, i.config, i.input, i.options, r.status, r.created_at, " +
  "r.updated_at, r.last_seq, r.cost_nano, r.input_tokens, r.output_tokens, r.error, r.cancel_requested";

/** A run's row joined with its inputs, for SELECTs. */
export const SQLITE_RUN_FROM = "llmteam_runs AS r JOIN llmteam_run_inputs AS i ON i.run = r.id";

/** What a commit reads of the run's row before writing. */
export interface SqliteRunHead {
  id: number;
  last_seq: number;
  last_hash: string;
  status: string;
  error: string | null;
  cancel_requested: number;
}

export function prepareStatements(database: DatabaseSync) {
  const prepare = (sql: string): StatementSync => database.prepare(sql);
  const endedBefore = `status IN (${ENDED_SQL}) AND updated_at < ?`;
  const moveHead = (set: string) =>
    prepare(
      "UPDATE llmteam_runs SET last_seq = ?, last_hash = ?, cost_nano = cost_nano + ?, " +
        `input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, updated_at = ?${set} ` +
        "WHERE id = ? AND last_seq = ? AND status = ? AND error IS ? RETURNING cancel_requested",
    );
  return {
    begin: prepare("BEGIN IMMEDIATE"),
    commit: prepare("COMMIT"),
    rollback: prepare("ROLLBACK"),
    insertRun: prepare(
      "INSERT INTO llmteam_runs (run_id, team_id, config_hash, status, created_at, updated_at, last_hash) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
    ),
    insertInputs: prepare(
      "INSERT INTO llmteam_run_inputs (run, config, input, options) VALUES (?, ?, ?, ?)",
    ),
    runHead: prepare(
      "SELECT id, last_seq, last_hash, status, error, cancel_requested FROM llmteam_runs WHERE run_id = ?",
    ),
    getRun: prepare(`SELECT ${SQLITE_RUN_COLUMNS} FROM ${SQLITE_RUN_FROM} WHERE r.run_id = ?`),
    insertBatch: prepare(
      "INSERT INTO llmteam_run_event_batches (run, first_seq, last_seq, events, hashes) VALUES (?, ?, ?, ?, ?)",
    ),
    upsertSnapshot: prepare(
      "INSERT INTO llmteam_run_snapshots (run, seq, state, updated_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (run) DO UPDATE SET seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at",
    ),
    /**
     * Moves the head of the log if it is still where the writer left it (same id, last seq,
     * status and error); touches no indexed column. Returns the row's `cancel_requested`.
     */
    moveHead: moveHead(""),
    /** The same, setting the status and error too (the status index changes). */
    moveHeadAndStatus: moveHead(", status = ?, error = ?"),
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
        ...["llmteam_run_event_batches", "llmteam_run_snapshots", "llmteam_run_inputs"].map(
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
