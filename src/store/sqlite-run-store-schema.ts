import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { RunStoreError } from "../errors/run-store-error.js";
import {
  ENDED_RUN_STATUSES,
  newerSchemaMessage,
  RUN_COLUMNS,
  RUN_STORE_SCHEMA_VERSION,
} from "./run-store-rows.js";

/** The SQLite run store's file: opening it, its schema and migrations, its statements. */

/**
 * Migrations of the SQLite schema: entry `i` takes a store from version `i` to `i + 1`.
 * Append, never edit: a store records the version it is at.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE llmteam_runs (
    run_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    input TEXT NOT NULL,
    options TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL,
    cost_nano INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX llmteam_runs_created ON llmteam_runs (created_at);
  CREATE INDEX llmteam_runs_team ON llmteam_runs (team_id, created_at);
  CREATE INDEX llmteam_runs_status ON llmteam_runs (status, updated_at);
  CREATE TABLE llmteam_run_events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE TABLE llmteam_run_snapshots (
    run_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE llmteam_run_decisions (
    run_id TEXT NOT NULL,
    approval_id TEXT NOT NULL,
    approved INTEGER NOT NULL,
    reason TEXT,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, approval_id)
  );`,
  // 2: a human task's answer (its value, or that its timeout decided), as JSON.
  "ALTER TABLE llmteam_run_decisions ADD COLUMN answer TEXT;",
];

const ENDED_SQL = ENDED_RUN_STATUSES.map((status) => `'${status}'`).join(", ");

export function openDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  const fail = (what: string, cause: unknown) =>
    new RunStoreError(`Cannot open the run store ${path}: ${what}`, {
      operation: "open",
      path,
      cause,
    });
  if (path !== ":memory:") {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw fail(`cannot create its directory (${(error as Error).message}).`, error);
    }
  }
  // Loaded on first use, so importing llmteam never loads SQLite.
  const sqlite = process.getBuiltinModule("node:sqlite");
  let database: DatabaseSync;
  try {
    database = new sqlite.DatabaseSync(path);
  } catch (error) {
    throw fail(`${(error as Error).message}.`, error);
  }
  try {
    database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    if (path !== ":memory:")
      database.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    database.prepare("SELECT count(*) FROM sqlite_master").get();
  } catch (error) {
    database.close();
    throw fail(
      `it is not a SQLite database, or it is corrupt (${(error as Error).message}). Move it away or name another file.`,
      error,
    );
  }
  return database;
}

/** Brings the file's schema to {@link RUN_STORE_SCHEMA_VERSION}, in one transaction. */
export function migrate(database: DatabaseSync, path: string): void {
  const fail = (message: string, cause?: unknown) =>
    new RunStoreError(message, { operation: "migrate", path, cause });
  try {
    database.exec("BEGIN IMMEDIATE");
  } catch (error) {
    throw fail(`Cannot open the run store ${path}: ${(error as Error).message}.`, error);
  }
  try {
    const tables = (
      database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all() as { name: string }[]
    ).map((row) => row.name);
    let version = 0;
    if (tables.includes("llmteam_run_schema")) {
      const row = database.prepare("SELECT version FROM llmteam_run_schema").get() as
        { version: number } | undefined;
      version = Number(row?.version ?? 0);
      if (version > RUN_STORE_SCHEMA_VERSION) throw fail(newerSchemaMessage(path, version));
    } else {
      const foreign = tables.filter(
        (name) => !name.startsWith("sqlite_") && !name.startsWith("llmteam_budget_"),
      );
      if (foreign.length > 0)
        throw fail(
          `The file ${path} is a SQLite database of something else, not a llmteam run store (it has the tables ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}). Name another file for the run store.`,
        );
      database.exec("CREATE TABLE llmteam_run_schema (version INTEGER NOT NULL)");
      database.exec("INSERT INTO llmteam_run_schema (version) VALUES (0)");
    }
    for (let next = version; next < RUN_STORE_SCHEMA_VERSION; next++) {
      database.exec(MIGRATIONS[next]!);
    }
    if (version < RUN_STORE_SCHEMA_VERSION)
      database.prepare("UPDATE llmteam_run_schema SET version = ?").run(RUN_STORE_SCHEMA_VERSION);
    database.exec("COMMIT");
  } catch (error) {
    if (database.isTransaction) database.exec("ROLLBACK");
    if (RunStoreError.isInstance(error)) throw error;
    throw fail(`Cannot set up the run store ${path}: ${(error as Error).message}.`, error);
  }
}

/** Most events one INSERT statement writes (a commit of more takes several). */
export const EVENTS_PER_INSERT = 16;

export function prepareStatements(database: DatabaseSync) {
  const prepare = (sql: string): StatementSync => database.prepare(sql);
  const endedBefore = `status IN (${ENDED_SQL}) AND updated_at < ?`;
  return {
    begin: prepare("BEGIN IMMEDIATE"),
    commit: prepare("COMMIT"),
    rollback: prepare("ROLLBACK"),
    insertRun: prepare(
      "INSERT INTO llmteam_runs (run_id, team_id, config_hash, config, input, options, status, created_at, updated_at, last_hash) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
    ),
    runHead: prepare(
      "SELECT last_seq, last_hash, cancel_requested FROM llmteam_runs WHERE run_id = ?",
    ),
    getRun: prepare(`SELECT ${RUN_COLUMNS} FROM llmteam_runs WHERE run_id = ?`),
    /** `insertEvents[n - 1]` inserts n events (1 to {@link EVENTS_PER_INSERT}), prepared on first use. */
    insertEvents: Array.from({ length: EVENTS_PER_INSERT }, (_, index) => {
      let statement: StatementSync | undefined;
      return () =>
        (statement ??= prepare(
          "INSERT INTO llmteam_run_events (run_id, seq, type, json, hash) VALUES " +
            Array<string>(index + 1)
              .fill("(?, ?, ?, ?, ?)")
              .join(", "),
        ));
    }),
    upsertSnapshot: prepare(
      "INSERT INTO llmteam_run_snapshots (run_id, seq, state, updated_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (run_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at",
    ),
    updateRun: prepare(
      "UPDATE llmteam_runs SET last_seq = ?, last_hash = ?, cost_nano = cost_nano + ?, " +
        "input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, updated_at = ?, " +
        "status = COALESCE(?, status), error = CASE WHEN ? THEN ? ELSE error END WHERE run_id = ?",
    ),
    readEvents: prepare(
      "SELECT seq, json, hash FROM llmteam_run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    eventHash: prepare("SELECT hash FROM llmteam_run_events WHERE run_id = ? AND seq = ?"),
    readSnapshot: prepare("SELECT seq, state FROM llmteam_run_snapshots WHERE run_id = ?"),
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
      children: ["llmteam_run_events", "llmteam_run_snapshots", "llmteam_run_decisions"].map(
        (table) =>
          prepare(
            `DELETE FROM ${table} WHERE run_id IN (SELECT run_id FROM llmteam_runs WHERE ${endedBefore})`,
          ),
      ),
      runs: prepare(`DELETE FROM llmteam_runs WHERE ${endedBefore}`),
    },
  };
}

/** The prepared statements of one open store. */
export type SqliteRunStatements = ReturnType<typeof prepareStatements>;
