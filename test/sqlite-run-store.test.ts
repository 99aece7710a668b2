import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import {
  RUN_STORE_SCHEMA_VERSION,
  SqliteRunStore,
  verifyRunLog,
  type NewStoredRun,
  type StreamEventJSON,
} from "llmteam";
import { canonicalJson, GENESIS_HASH } from "../src/store/run-log-hash.js";

/** What only the SQLite run store does: its group commit, its event batches, its migrations. */

const directory = mkdtempSync(join(tmpdir(), "llmteam-sqlite-run-store-"));
let files = 0;
const nextFile = () => join(directory, `runs-${files++}.db`);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 5, 1, 12);

function newRun(runId: string, overrides: Partial<NewStoredRun> = {}): NewStoredRun {
  return {
    runId,
    teamId: "support",
    configHash: "c".repeat(64),
    config: { teamId: "support" },
    input: { query: "hello" },
    options: {},
    status: "running",
    createdAt: T0,
    ...overrides,
  };
}

function tokens(runId: string, from: number, count: number): StreamEventJSON[] {
  return Array.from({ length: count }, (_, index) => ({
    runId,
    seq: from + index,
    timestamp: T0 + from + index,
    type: "token",
    data: { token: `t${from + index} ` },
  }));
}

/** Runs SQL on the file with a connection of its own. */
function sql<T>(file: string, work: (database: DatabaseSync) => T): T {
  const database = new DatabaseSync(file);
  try {
    return work(database);
  } finally {
    database.close();
  }
}

describe("SqliteRunStore group commit", () => {
  it("writes the commits of one turn together, and leaves out only the one that fails", async () => {
    const store = new SqliteRunStore({ path: nextFile() });
    try {
      await Promise.all(["a", "b", "c"].map((runId) => store.createRun(newRun(runId))));
      const outcomes = await Promise.allSettled([
        store.commit("a", { events: tokens("a", 1, 3), now: T0 + 1 }),
        store.commit("b", { events: tokens("b", 2, 3), status: "failed", now: T0 + 1 }),
        store.commit("c", { events: tokens("c", 1, 2), status: "completed", now: T0 + 1 }),
        store.createRun(newRun("a")),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        "fulfilled",
        "rejected",
        "fulfilled",
        "rejected",
      ]);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/the next seq is 1/);
      expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(
        /already in the run store/,
      );
      expect(await store.getRun("a")).toMatchObject({ lastSeq: 3, status: "running" });
      expect(await store.getRun("b")).toMatchObject({ lastSeq: 0, status: "running" });
      expect(await store.getRun("c")).toMatchObject({ lastSeq: 2, status: "completed" });
      expect(await verifyRunLog(store, "a")).toEqual({ ok: true, events: 3 });
      // The run that was written again goes on after what was stored.
      await store.commit("a", { events: tokens("a", 4, 2), now: T0 + 2 });
      expect(await verifyRunLog(store, "a")).toEqual({ ok: true, events: 5 });
    } finally {
      await store.close();
    }
  });

  it("keeps a commit's events in one row, and the status it sets", async () => {
    const file = nextFile();
    const store = new SqliteRunStore({ path: file });
    try {
      await store.createRun(newRun("run-1"));
      await store.commit("run-1", {
        events: tokens("run-1", 1, 5),
        status: "running",
        now: T0 + 1,
      });
      await store.commit("run-1", { events: tokens("run-1", 6, 3), status: "paused", now: T0 + 2 });
      const rows = sql(file, (database) =>
        database.prepare("SELECT first_seq, last_seq FROM llmteam_run_event_batches").all(),
      );
      expect(rows.map((row) => ({ ...row }))).toEqual([
        { first_seq: 1, last_seq: 5 },
        { first_seq: 6, last_seq: 8 },
      ]);
      expect(await store.getRun("run-1")).toMatchObject({
        status: "paused",
        lastSeq: 8,
        updatedAt: T0 + 2,
      });
      expect((await store.listRuns({ status: "paused" })).map((run) => run.runId)).toEqual([
        "run-1",
      ]);
    } finally {
      await store.close();
    }
  });

  it("sees a status another process set, and sets its own again at the next commit", async () => {
    const file = nextFile();
    const store = new SqliteRunStore({ path: file });
    const other = new SqliteRunStore({ path: file });
    try {
      await store.createRun(newRun("run-1"));
      await store.commit("run-1", { events: tokens("run-1", 1, 2), now: T0 + 1 });
      await other.setStatus("run-1", "interrupted", T0 + 2, "process gone");
      await store.commit("run-1", {
        events: tokens("run-1", 3, 1),
        status: "running",
        now: T0 + 3,
      });
      expect(await other.getRun("run-1")).toMatchObject({ status: "running", lastSeq: 3 });
      expect((await other.getRun("run-1"))?.error).toBeUndefined();
    } finally {
      await store.close();
      await other.close();
    }
  });
});

describe("SqliteRunStore event batches, tampered with", () => {
  /** A store with run-1: events 1–4 in one commit, 5–7 in another. */
  async function stored(): Promise<{ file: string; store: SqliteRunStore }> {
    const file = nextFile();
    const store = new SqliteRunStore({ path: file });
    await store.createRun(newRun("run-1"));
    await store.commit("run-1", { events: tokens("run-1", 1, 4), now: T0 + 1 });
    await store.commit("run-1", { events: tokens("run-1", 5, 3), now: T0 + 2 });
    return { file, store };
  }

  it("names an event deleted from a batch whose hash was left", async () => {
    const { file, store } = await stored();
    try {
      sql(file, (database) =>
        database.exec(
          "UPDATE llmteam_run_event_batches SET events = json_remove(events, '$[1]') WHERE first_seq = 5",
        ),
      );
      expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 6, problem: "missing" });
    } finally {
      await store.close();
    }
  });

  it("names the first event of a batch row deleted whole", async () => {
    const { file, store } = await stored();
    try {
      sql(file, (database) =>
        database.exec("DELETE FROM llmteam_run_event_batches WHERE first_seq = 1"),
      );
      expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 1, problem: "missing" });
    } finally {
      await store.close();
    }
  });

  it("names an event whose hash was changed in its batch", async () => {
    const { file, store } = await stored();
    try {
      sql(file, (database) =>
        database.exec(
          "UPDATE llmteam_run_event_batches SET hashes = substr(hashes, 1, 128) || " +
            "(CASE substr(hashes, 129, 1) WHEN 'f' THEN 'e' ELSE 'f' END) || substr(hashes, 130) WHERE first_seq = 1",
        ),
      );
      expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 3, problem: "altered" });
      expect(await store.readEvents("run-1", { afterSeq: 2, limit: 3 })).toHaveLength(3);
    } finally {
      await store.close();
    }
  });
});

/** The tables of schema version 2 (one row per event), as llmteam 2 created them. */
const SCHEMA_2 = `
  CREATE TABLE llmteam_run_schema (version INTEGER NOT NULL);
  INSERT INTO llmteam_run_schema (version) VALUES (2);
  CREATE TABLE llmteam_runs (
    run_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, config_hash TEXT NOT NULL, config TEXT NOT NULL,
    input TEXT NOT NULL, options TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, last_hash TEXT NOT NULL,
    cost_nano INTEGER NOT NULL DEFAULT 0, input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0, error TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX llmteam_runs_created ON llmteam_runs (created_at);
  CREATE INDEX llmteam_runs_team ON llmteam_runs (team_id, created_at);
  CREATE INDEX llmteam_runs_status ON llmteam_runs (status, updated_at);
  CREATE TABLE llmteam_run_events (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL,
    hash TEXT NOT NULL, PRIMARY KEY (run_id, seq)
  );
  CREATE TABLE llmteam_run_snapshots (
    run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE TABLE llmteam_run_decisions (
    run_id TEXT NOT NULL, approval_id TEXT NOT NULL, approved INTEGER NOT NULL, reason TEXT,
    decided_at INTEGER NOT NULL, answer TEXT, PRIMARY KEY (run_id, approval_id)
  );`;

/** A file at schema version 2 holding `runs`, each with its events chained as llmteam 2 did. */
function schema2File(runs: { runId: string; status: string; events: number }[]): string {
  const file = nextFile();
  sql(file, (database) => {
    database.exec(SCHEMA_2);
    const insertRun = database.prepare(
      "INSERT INTO llmteam_runs (run_id, team_id, config_hash, config, input, options, status, " +
        "created_at, updated_at, last_seq, last_hash, cost_nano, input_tokens, output_tokens) " +
        "VALUES (?, 'support', ?, '{\"teamId\":\"support\"}', '{\"query\":\"hello\"}', '{}', ?, ?, ?, ?, ?, 125000, 10, 5)",
    );
    const insertEvent = database.prepare(
      "INSERT INTO llmteam_run_events (run_id, seq, type, json, hash) VALUES (?, ?, 'token', ?, ?)",
    );
    runs.forEach(({ runId, status, events }, index) => {
      let hash = GENESIS_HASH;
      for (const event of tokens(runId, 1, events)) {
        const json = canonicalJson(event);
        hash = createHash("sha256")
          .update(hash + json)
          .digest("hex");
        insertEvent.run(runId, event.seq, json, hash);
      }
      insertRun.run(runId, "c".repeat(64), status, T0 + index, T0 + index + 9, events, hash);
    });
    database
      .prepare("INSERT INTO llmteam_run_snapshots VALUES (?, 2, '{\"loops\":{}}', ?)")
      .run(runs[0]!.runId, T0);
    database
      .prepare(
        "INSERT INTO llmteam_run_decisions (run_id, approval_id, approved, decided_at) VALUES (?, 'a-1', 1, ?)",
      )
      .run(runs[0]!.runId, T0);
  });
  return file;
}

describe("SqliteRunStore migrations", () => {
  it("opens a schema 2 file and keeps its runs, logs, snapshots and decisions", async () => {
    const file = schema2File([
      { runId: "run-old", status: "completed", events: 3 },
      { runId: "run-live", status: "running", events: 2 },
    ]);
    const store = new SqliteRunStore({ path: file });
    try {
      expect(
        sql(file, (database) => database.prepare("SELECT version FROM llmteam_run_schema").get()),
      ).toMatchObject({ version: RUN_STORE_SCHEMA_VERSION });
      expect((await store.listRuns()).map((run) => run.runId)).toEqual(["run-live", "run-old"]);
      expect(await store.getRun("run-old")).toMatchObject({
        status: "completed",
        config: { teamId: "support" },
        input: { query: "hello" },
        lastSeq: 3,
        updatedAt: T0 + 9,
        costUsd: 0.000125,
        inputTokens: 10,
      });
      expect(await verifyRunLog(store, "run-old")).toEqual({ ok: true, events: 3 });
      expect((await store.readEvents("run-old", { afterSeq: 1 })).map((e) => e.seq)).toEqual([
        2, 3,
      ]);
      expect(await store.readSnapshot("run-old")).toEqual({ seq: 2, state: { loops: {} } });
      expect(await store.readDecisions("run-old")).toHaveLength(1);
      // A run stored before the migration goes on after it, its chain unbroken.
      await store.commit("run-live", { events: tokens("run-live", 3, 2), now: T0 + 20 });
      expect(await verifyRunLog(store, "run-live")).toEqual({ ok: true, events: 4 });
      expect(await store.listRuns({ status: "running" })).toHaveLength(1);
      expect(await store.deleteRuns({ before: T0 + 100 })).toBe(1);
      expect(await store.readDecisions("run-old")).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
