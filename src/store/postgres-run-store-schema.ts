import { RunStoreError } from "../errors/run-store-error.js";
import { newerSchemaMessage, RUN_STORE_SCHEMA_VERSION } from "./run-store-rows.js";

/** The Postgres run store's schema, migrations and where it connects (said without a password). */

/** The part of a `pg` client the store uses. */
export interface PostgresQueryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** A pooled `pg` client. */
export interface PostgresPoolClient extends PostgresQueryable {
  release(error?: Error | boolean): void;
}

/**
 * The part of a `pg.Pool` the store uses (a `pg.Pool` fits it): the store needs no `@types/pg`
 * in your project.
 */
export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
}

/** Options of {@link PostgresRunStore}. */
export interface PostgresRunStoreOptions {
  /**
   * A `postgres://user:password@host:port/database` URL (the store makes its own pool and ends
   * it on `close()`), or a `pg.Pool` you own (the store never ends it).
   */
  connection: string | PostgresPool;
  /** Postgres schema (namespace) of the store's tables, created when missing. Default `"public"`. */
  schema?: string;
  /** For a pool the store makes: longest wait for a connection, in ms. Default `5000`. */
  connectTimeoutMs?: number;
  /** For a pool the store makes: most connections at once. Default `10`. */
  maxConnections?: number;
  /**
   * For a pool the store makes: longest wait for a statement's answer, in ms; past it the
   * operation fails with a `RunStoreError` instead of hanging on a server that stopped
   * answering. Default `30000`.
   */
  queryTimeoutMs?: number;
}

/**
 * A pool for a connection string, with the store's time limits. `pg` is loaded here, on first
 * use, so importing llmteam never loads it.
 */
export async function createPool(
  connectionString: string,
  options: PostgresRunStoreOptions,
): Promise<PostgresPool> {
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    max: options.maxConnections ?? 10,
  });
  // An idle client losing its server must not crash the process; the next query fails.
  pool.on("error", () => undefined);
  return pool;
}

/** Schema (namespace) names the store accepts: a plain SQL identifier. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The quoted schema name. @throws RunStoreError for a name that is not a plain identifier. */
export function quoteSchema(schema: string, where: string): string {
  if (!SCHEMA_NAME.test(schema))
    throw new RunStoreError(
      `Invalid Postgres schema name ${JSON.stringify(schema)} for the run store ${where}: use letters, digits and underscores, not starting with a digit (at most 63).`,
      { operation: "open", url: where },
    );
  return `"${schema}"`;
}

/** Migrations: entry `i` takes a schema from version `i` to `i + 1`. Append, never edit. */
function migrations(s: string): string[] {
  return [
    `CREATE TABLE ${s}.llmteam_runs (
      run_id TEXT PRIMARY KEY,
      created_order BIGINT GENERATED ALWAYS AS IDENTITY,
      team_id TEXT NOT NULL,
      config_hash TEXT NOT NULL,
      config TEXT NOT NULL,
      input TEXT NOT NULL,
      options TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      last_seq BIGINT NOT NULL DEFAULT 0,
      last_hash TEXT NOT NULL,
      cost_nano BIGINT NOT NULL DEFAULT 0,
      input_tokens BIGINT NOT NULL DEFAULT 0,
      output_tokens BIGINT NOT NULL DEFAULT 0,
      error TEXT,
      cancel_requested BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE INDEX llmteam_runs_created ON ${s}.llmteam_runs (created_at, created_order);
    CREATE INDEX llmteam_runs_team ON ${s}.llmteam_runs (team_id, created_at);
    CREATE INDEX llmteam_runs_status ON ${s}.llmteam_runs (status, updated_at);
    CREATE TABLE ${s}.llmteam_run_events (
      run_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      type TEXT NOT NULL,
      json TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE ${s}.llmteam_run_snapshots (
      run_id TEXT PRIMARY KEY,
      seq BIGINT NOT NULL,
      state TEXT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE ${s}.llmteam_run_decisions (
      run_id TEXT NOT NULL,
      approval_id TEXT NOT NULL,
      approved BOOLEAN NOT NULL,
      reason TEXT,
      decided_at BIGINT NOT NULL,
      decided_order BIGINT GENERATED ALWAYS AS IDENTITY,
      PRIMARY KEY (run_id, approval_id)
    );`,
    // 2: a human task's answer (its value, or that its timeout decided), as JSON.
    `ALTER TABLE ${s}.llmteam_run_decisions ADD COLUMN answer TEXT;`,
    // 3: the status index without updated_at, which every commit changes: a commit that keeps
    // the status changes no indexed column, so its update can stay on the row's page (HOT).
    `DROP INDEX ${s}.llmteam_runs_status;
    CREATE INDEX llmteam_runs_status ON ${s}.llmteam_runs (status, created_at);`,
  ];
}

/**
 * Brings the schema to {@link RUN_STORE_SCHEMA_VERSION} in one transaction, under an advisory
 * lock so that processes starting together migrate once.
 */
export async function migratePostgres(
  client: PostgresQueryable,
  schema: string,
  where: string,
): Promise<void> {
  const s = quoteSchema(schema, where);
  const place = `${where} (schema ${schema})`;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`llmteam_runs:${schema}`]);
    const found = await client.query(
      "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1)::int AS schemas, " +
        "to_regclass($2) IS NOT NULL AS versioned, to_regclass($3) IS NOT NULL AS runs",
      [schema, `${s}.llmteam_run_schema`, `${s}.llmteam_runs`],
    );
    const state = found.rows[0] as { schemas: number; versioned: boolean; runs: boolean };
    let version = 0;
    if (state.versioned) {
      const row = await client.query(`SELECT version FROM ${s}.llmteam_run_schema`);
      version = Number((row.rows[0] as { version?: number } | undefined)?.version ?? 0);
      if (version > RUN_STORE_SCHEMA_VERSION)
        throw new RunStoreError(newerSchemaMessage(place, version), {
          operation: "migrate",
          url: where,
        });
    } else {
      if (state.runs)
        throw new RunStoreError(
          `The Postgres schema ${schema} at ${where} has a table llmteam_runs that llmteam did not create (no llmteam_run_schema beside it). Use another schema for the run store.`,
          { operation: "migrate", url: where },
        );
      if (state.schemas === 0) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(`CREATE TABLE ${s}.llmteam_run_schema (version INTEGER NOT NULL)`);
      await client.query(`INSERT INTO ${s}.llmteam_run_schema (version) VALUES (0)`);
    }
    const steps = migrations(s);
    for (let next = version; next < RUN_STORE_SCHEMA_VERSION; next++) {
      await client.query(steps[next]!);
    }
    if (version < RUN_STORE_SCHEMA_VERSION)
      await client.query(`UPDATE ${s}.llmteam_run_schema SET version = $1`, [
        RUN_STORE_SCHEMA_VERSION,
      ]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * Where a connection string or pool points, as `postgres://user@host:port/database`: the
 * password is never part of it.
 */
export function describeConnection(connection: string | PostgresPool): string {
  let user: unknown;
  let host: unknown;
  let port: unknown;
  let database: unknown;
  const text =
    typeof connection === "string"
      ? connection
      : (connection as { options?: { connectionString?: string } }).options?.connectionString;
  if (text !== undefined) {
    try {
      const url = new URL(text);
      user = decodeURIComponent(url.username);
      host = url.hostname;
      port = url.port;
      database = decodeURIComponent(url.pathname.replace(/^\//, ""));
    } catch {
      return "postgres://(an unreadable connection string)";
    }
  } else {
    const options: Record<string, unknown> =
      (connection as { options?: Record<string, unknown> }).options ?? {};
    ({ user, host, port, database } = options);
  }
  const who = typeof user === "string" && user !== "" ? `${user}@` : "";
  const at = typeof host === "string" && host !== "" ? host : "localhost";
  const number =
    typeof port === "number" || (typeof port === "string" && port !== "") ? port : 5432;
  return `postgres://${who}${at}:${number}/${typeof database === "string" ? database : ""}`;
}

/** True for errors that mean the server could not be reached (not a failed statement). */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (
    typeof code === "string" &&
    ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "EAI_AGAIN"].includes(
      code,
    )
  )
    return true;
  return (
    typeof message === "string" &&
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Query read timeout/i.test(
      message,
    )
  );
}

/** The statements of the store that are more than a line, over its tables. */
export function postgresStatements(table: (name: string) => string) {
  return {
    /**
     * A commit in one statement: the run's row moves its head from `$2` (only if it is still
     * there), and the events and snapshot are inserted only with that row.
     */
    commit: `WITH head AS (
        UPDATE ${table("runs")} SET last_seq = $3, last_hash = $4, cost_nano = cost_nano + $5,
          input_tokens = input_tokens + $6, output_tokens = output_tokens + $7, updated_at = $8,
          status = COALESCE($9, status), error = CASE WHEN $10 THEN $11 ELSE error END
        WHERE run_id = $1 AND last_seq = $2 RETURNING cancel_requested
      ), events AS (
        INSERT INTO ${table("run_events")} (run_id, seq, type, json, hash)
        SELECT $1, e.seq, e.type, e.json, e.hash FROM head,
          unnest($12::bigint[], $13::text[], $14::text[], $15::text[]) AS e(seq, type, json, hash)
      ), snapshot AS (
        INSERT INTO ${table("run_snapshots")} (run_id, seq, state, updated_at)
        SELECT $1, $16, $17, $8 FROM head WHERE $17::text IS NOT NULL
        ON CONFLICT (run_id) DO UPDATE SET seq = excluded.seq, state = excluded.state, updated_at = excluded.updated_at
      ) SELECT cancel_requested FROM head`,
    /** Counts the run (0: unknown) and the decision inserted (0: already decided). */
    recordDecision: `WITH run AS (SELECT run_id FROM ${table("runs")} WHERE run_id = $1), inserted AS (
        INSERT INTO ${table("run_decisions")} (run_id, approval_id, approved, reason, decided_at, answer)
        SELECT run_id, $2, $3, $4, $5, $6 FROM run ON CONFLICT (run_id, approval_id) DO NOTHING RETURNING 1
      ) SELECT (SELECT count(*) FROM run)::int AS runs, (SELECT count(*) FROM inserted)::int AS inserted`,
    /** Ended runs changed before `$1`, with their events, snapshots and decisions. */
    deleteRuns: `WITH gone AS (DELETE FROM ${table("runs")} WHERE status = ANY($2::text[]) AND updated_at < $1 RETURNING run_id),
        e AS (DELETE FROM ${table("run_events")} WHERE run_id IN (SELECT run_id FROM gone)),
        s AS (DELETE FROM ${table("run_snapshots")} WHERE run_id IN (SELECT run_id FROM gone)),
        d AS (DELETE FROM ${table("run_decisions")} WHERE run_id IN (SELECT run_id FROM gone))
      SELECT count(*)::int AS deleted FROM gone`,
  };
}
