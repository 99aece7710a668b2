import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { RunStoreError } from "../errors/run-store-error.js";
import { newerSchemaMessage, RUN_STORE_SCHEMA_VERSION } from "./run-store-rows.js";

/** The SQLite run store's file: opening it, its schema and its migrations. */

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
  // 3: fewer pages written per commit. A commit's events are one row of
  // llmteam_run_event_batches, which also holds the run's log head after it (last seq and hash,
  // totals, when it was committed): a commit that keeps the status writes that row and its
  // index entry, and leaves the run's row alone. The run's row has an integer id that the other
  // tables refer to; its status index no longer holds updated_at. Stored events become batches
  // of one event each (only each run's last one carries the totals).
  `CREATE TABLE llmteam_runs_v3 (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    team_id TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    input TEXT NOT NULL,
    options TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO llmteam_runs_v3 (id, run_id, team_id, config_hash, config, input, options, status,
      created_at, updated_at, error, cancel_requested)
    SELECT rowid, run_id, team_id, config_hash, config, input, options, status,
      created_at, updated_at, error, cancel_requested
    FROM llmteam_runs ORDER BY rowid;
  CREATE TABLE llmteam_run_event_batches (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    events TEXT NOT NULL,
    hashes TEXT NOT NULL,
    cost_nano INTEGER,
    input_tokens INTEGER,
    output_tokens INTEGER,
    committed_at INTEGER
  );
  INSERT INTO llmteam_run_event_batches (run, first_seq, last_seq, events, hashes,
      cost_nano, input_tokens, output_tokens, committed_at)
    SELECT runs.rowid, events.seq, events.seq, '[' || events.json || ']', events.hash,
      CASE WHEN events.seq = runs.last_seq THEN runs.cost_nano END,
      CASE WHEN events.seq = runs.last_seq THEN runs.input_tokens END,
      CASE WHEN events.seq = runs.last_seq THEN runs.output_tokens END,
      CASE WHEN events.seq = runs.last_seq THEN runs.updated_at END
    FROM llmteam_run_events AS events JOIN llmteam_runs AS runs USING (run_id)
    ORDER BY runs.rowid, events.seq;
  CREATE UNIQUE INDEX llmteam_run_event_batches_run ON llmteam_run_event_batches (run, last_seq);
  CREATE TABLE llmteam_run_snapshots_v3 (
    run INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  INSERT INTO llmteam_run_snapshots_v3 (run, seq, state, updated_at)
    SELECT runs.rowid, snapshots.seq, snapshots.state, snapshots.updated_at
    FROM llmteam_run_snapshots AS snapshots JOIN llmteam_runs AS runs USING (run_id);
  DROP TABLE llmteam_run_events;
  DROP TABLE llmteam_run_snapshots;
  DROP TABLE llmteam_runs;
  ALTER TABLE llmteam_runs_v3 RENAME TO llmteam_runs;
  ALTER TABLE llmteam_run_snapshots_v3 RENAME TO llmteam_run_snapshots;
  CREATE INDEX llmteam_runs_created ON llmteam_runs (created_at);
  CREATE INDEX llmteam_runs_team ON llmteam_runs (team_id, created_at);
  CREATE INDEX llmteam_runs_status ON llmteam_runs (status, created_at);`,
];

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
