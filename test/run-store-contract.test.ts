import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  PostgresRunStore,
  RUN_STORE_SCHEMA_VERSION,
  RunStoreError,
  SqliteRunStore,
  openRunStore,
  verifyRunLog,
  type NewStoredRun,
  type RunStore,
  type StreamEventJSON,
} from "llmteam";
import { canonicalJson } from "../src/store/run-log-hash.js";

/** One database behind the contract: how to open a store on it and to edit its tables by hand. */
interface Backend {
  name: string;
  /** A store on the test's database (a second call: a second store on the same database). */
  open(): Promise<RunStore>;
  /** Runs SQL on the store's tables directly (`{runs}`, `{run_schema}`… name them). */
  sql(statement: string): Promise<void>;
  /** Edits run "run-1"'s stored log by hand, as someone tampering with the database would. */
  tamper: Tamper;
  /** Where the store's errors say it is. */
  where: string;
  beforeEach(): Promise<void>;
  afterAll(): Promise<void>;
}

/** Edits of a stored log behind the store's back; each store keeps its events its own way. */
interface Tamper {
  /** Replaces `from` by `to` in the stored JSON of event `seq`. */
  alter(seq: number, from: string, to: string): Promise<void>;
  /** Deletes event `seq` (with its hash). */
  remove(seq: number): Promise<void>;
  /** Events `a` and `b` trade places, each with its hash. */
  swap(a: number, b: number): Promise<void>;
  /** Events `a` and `b` trade their JSON; the hashes stay where they were. */
  swapContents(a: number, b: number): Promise<void>;
}

const directory = mkdtempSync(join(tmpdir(), "llmteam-run-store-"));

/**
 * The SQLite store keeps a commit's events as one row: a JSON array and their hashes. A
 * tampered batch is rewritten here, element by element, for `run-1`.
 */
function sqliteTamper(file: () => string): Tamper {
  const edit = (
    seq: number,
    change: (events: string[], hashes: string[], first: number) => void,
  ) => {
    const database = new DatabaseSync(file());
    try {
      const row = database
        .prepare(
          "SELECT b.id, b.first_seq, b.events, b.hashes FROM llmteam_run_event_batches AS b " +
            "JOIN llmteam_runs AS r ON b.run = r.id WHERE r.run_id = 'run-1' AND ? BETWEEN b.first_seq AND b.last_seq",
        )
        .get(seq) as { id: number; first_seq: number; events: string; hashes: string };
      const events = (JSON.parse(row.events) as unknown[]).map((event) => canonicalJson(event));
      const hashes = row.hashes.match(/.{64}/g)!;
      change(events, hashes, row.first_seq);
      database
        .prepare("UPDATE llmteam_run_event_batches SET events = ?, hashes = ? WHERE id = ?")
        .run(`[${events.join(",")}]`, hashes.join(""), row.id);
    } finally {
      database.close();
    }
  };
  const swap = (list: string[], a: number, b: number) => {
    [list[a], list[b]] = [list[b]!, list[a]!];
  };
  return {
    alter: async (seq, from, to) =>
      edit(seq, (events, _, first) => {
        events[seq - first] = events[seq - first]!.replace(from, to);
      }),
    remove: async (seq) =>
      edit(seq, (events, hashes, first) => {
        events.splice(seq - first, 1);
        hashes.splice(seq - first, 1);
      }),
    swap: async (a, b) =>
      edit(a, (events, hashes, first) => {
        swap(events, a - first, b - first);
        swap(hashes, a - first, b - first);
      }),
    swapContents: async (a, b) => edit(a, (events, _, first) => swap(events, a - first, b - first)),
  };
}
let fileCounter = 0;

function sqliteBackend(): Backend {
  const backend: Backend = {
    name: "SqliteRunStore",
    where: "",
    tamper: sqliteTamper(() => backend.where),
    async open() {
      return new SqliteRunStore({ path: backend.where });
    },
    async sql(statement) {
      const database = new DatabaseSync(backend.where);
      try {
        database.exec(statement.replaceAll(/\{(\w+)\}/g, "llmteam_$1"));
      } finally {
        database.close();
      }
    },
    async beforeEach() {
      backend.where = join(directory, `nested/dir-${fileCounter}/runs-${fileCounter++}.db`);
    },
    async afterAll() {},
  };
  return backend;
}

const POSTGRES_URL =
  process.env.LLMTEAM_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function postgresBackend(): Backend {
  const schema = `llmteam_contract_${process.pid}_${Date.now()}`;
  const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  const table = (statement: string) => statement.replaceAll(/\{(\w+)\}/g, `"${schema}".llmteam_$1`);
  const sql = async (statement: string) => {
    await admin.query(table(statement));
  };
  const where = (seq: number) => `WHERE run_id = 'run-1' AND seq = ${seq}`;
  const jsonOf = (seq: number) => `(SELECT json FROM {run_events} ${where(seq)})`;
  return {
    name: "PostgresRunStore",
    where: "127.0.0.1:5432",
    async open() {
      return new PostgresRunStore({ connection: POSTGRES_URL, schema });
    },
    sql,
    tamper: {
      alter: (seq, from, to) =>
        sql(`UPDATE {run_events} SET json = replace(json, '${from}', '${to}') ${where(seq)}`),
      remove: (seq) => sql(`DELETE FROM {run_events} ${where(seq)}`),
      swap: (a, b) =>
        sql(
          `UPDATE {run_events} SET seq = -1 ${where(a)}; UPDATE {run_events} SET seq = ${a} ${where(b)}; ` +
            `UPDATE {run_events} SET seq = ${b} ${where(-1)};`,
        ),
      swapContents: (a, b) =>
        sql(
          `UPDATE {run_events} SET json = CASE seq WHEN ${a} THEN ${jsonOf(b)} ELSE ${jsonOf(a)} END ` +
            `WHERE run_id = 'run-1' AND seq IN (${a}, ${b})`,
        ),
    },
    async beforeEach() {
      const exists = await admin.query("SELECT to_regclass($1) AS found", [
        `"${schema}".llmteam_runs`,
      ]);
      if ((exists.rows[0] as { found: string | null }).found !== null)
        await admin.query(table("TRUNCATE {runs}, {run_events}, {run_snapshots}, {run_decisions}"));
    },
    async afterAll() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

const T0 = Date.UTC(2026, 5, 1, 12);

function newRun(overrides: Partial<NewStoredRun> = {}): NewStoredRun {
  return {
    runId: "run-1",
    teamId: "support",
    configHash: "c".repeat(64),
    config: { teamId: "support", agents: [{ role: "writer", prompt: "Reply to {query}" }] },
    input: { query: "My invoice is wrong" },
    options: { timeoutMs: 60_000 },
    status: "running",
    createdAt: T0,
    ...overrides,
  };
}

/** `count` events of run `runId` numbered from `from`: a step's worth, with a priced call. */
function events(runId: string, from: number, count: number): StreamEventJSON[] {
  const list: StreamEventJSON[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const base = { runId, seq, timestamp: T0 + seq, agentId: "writer" };
    if (seq % 4 === 0)
      list.push({
        ...base,
        type: "cost_update",
        data: {
          model: "lab/small",
          deltaUsd: 0.000125,
          totalUsd: 0,
          tokens: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
        },
      });
    else list.push({ ...base, type: "token", data: { token: `t${seq} ` } });
  }
  return list;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

for (const makeBackend of [sqliteBackend, postgresBackend]) {
  const backend = makeBackend();
  describe(`${backend.name} (RunStore contract)`, () => {
    let store: RunStore;
    const opened: RunStore[] = [];
    const open = async () => {
      const next = await backend.open();
      opened.push(next);
      return next;
    };

    beforeEach(async () => {
      await backend.beforeEach();
      store = await open();
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });
    afterAll(() => backend.afterAll());

    it("creates a run and reads it back with an empty log", async () => {
      await store.createRun(newRun());
      expect(await store.getRun("run-1")).toEqual({
        ...newRun(),
        updatedAt: T0,
        lastSeq: 0,
        costUsd: 0,
        inputTokens: 0,
        outputTokens: 0,
        cancelRequested: false,
      });
      expect(await store.getRun("nope")).toBeUndefined();
      expect(await store.readEvents("run-1")).toEqual([]);
      expect(await store.readSnapshot("run-1")).toBeUndefined();
    });

    it("refuses a second run with the same id and keeps the first", async () => {
      await store.createRun(newRun());
      const error = await store.createRun(newRun({ teamId: "other" })).catch((e: unknown) => e);
      expect(RunStoreError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "run_store_error", operation: "createRun" });
      expect((error as Error).message).toContain('"run-1" is already in the run store');
      expect((await store.getRun("run-1"))?.teamId).toBe("support");
    });

    it("lists runs newest first, filtered by status, team and time, up to a limit", async () => {
      const specs: [string, string, NewStoredRun["status"], number][] = [
        ["a", "support", "completed", T0],
        ["b", "sales", "running", T0 + 1000],
        ["c", "support", "failed", T0 + 2000],
        ["d", "support", "running", T0 + 3000],
        ["e", "support", "running", T0 + 3000],
      ];
      for (const [runId, teamId, status, createdAt] of specs)
        await store.createRun(newRun({ runId, teamId, status, createdAt }));
      const ids = (runs: { runId: string }[]) => runs.map((run) => run.runId);
      expect(ids(await store.listRuns())).toEqual(["e", "d", "c", "b", "a"]);
      expect(ids(await store.listRuns({ status: "running" }))).toEqual(["e", "d", "b"]);
      expect(ids(await store.listRuns({ status: ["completed", "failed"] }))).toEqual(["c", "a"]);
      expect(ids(await store.listRuns({ teamId: "support", since: T0 + 1000 }))).toEqual([
        "e",
        "d",
        "c",
      ]);
      expect(ids(await store.listRuns({ limit: 2 }))).toEqual(["e", "d"]);
      await expect(store.listRuns({ status: "done" as never })).rejects.toThrow(
        /Unknown run status "done"\. Valid statuses: running, paused/,
      );
    });

    it("appends committed events in order, chains their hashes and folds the totals", async () => {
      await store.createRun(newRun());
      expect(await store.commit("run-1", { events: events("run-1", 1, 8), now: T0 + 10 })).toEqual({
        cancelRequested: false,
      });
      await store.commit("run-1", { events: events("run-1", 9, 4), now: T0 + 20 });
      const stored = await store.readEvents("run-1");
      expect(stored.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(stored[0]!.event).toEqual(events("run-1", 1, 1)[0]);
      const firstJson =
        '{"agentId":"writer","data":{"token":"t1 "},"runId":"run-1","seq":1,"timestamp":' +
        `${T0 + 1},"type":"token"}`;
      expect(stored[0]!.hash).toBe(sha256("0".repeat(64) + firstJson));
      expect(stored[1]!.hash).toBe(sha256(stored[0]!.hash + JSON.stringify(stored[1]!.event)));
      expect((await store.readEvents("run-1", { afterSeq: 10 })).map((e) => e.seq)).toEqual([
        11, 12,
      ]);
      expect(
        (await store.readEvents("run-1", { afterSeq: 2, limit: 3 })).map((e) => e.seq),
      ).toEqual([3, 4, 5]);
      expect(await store.getRun("run-1")).toMatchObject({
        lastSeq: 12,
        updatedAt: T0 + 20,
        costUsd: 0.000375,
        inputTokens: 30,
        outputTokens: 15,
      });
      // A large batch (written in several statements by some stores) is one commit too.
      await store.commit("run-1", { events: events("run-1", 13, 37), now: T0 + 30 });
      expect((await store.readEvents("run-1", { afterSeq: 12 })).map((e) => e.seq)).toEqual(
        Array.from({ length: 37 }, (_, index) => 13 + index),
      );
      expect(await verifyRunLog(store, "run-1")).toEqual({ ok: true, events: 49 });
    });

    it("rejects a gap or a repeated seq and writes nothing of that commit", async () => {
      await store.createRun(newRun());
      await store.commit("run-1", { events: events("run-1", 1, 3), now: T0 + 10 });
      const attempts = [
        events("run-1", 5, 2),
        events("run-1", 3, 2),
        [...events("run-1", 4, 1), ...events("run-1", 6, 1)],
      ];
      for (const batch of attempts) {
        const error = await store
          .commit("run-1", {
            events: batch,
            snapshot: { seq: 99, state: { broken: true } },
            status: "failed",
            error: "boom",
            now: T0 + 50,
          })
          .catch((e: unknown) => e);
        expect(RunStoreError.isInstance(error)).toBe(true);
        expect((error as Error).message).toMatch(/the next seq is [45]/);
      }
      expect((await store.readEvents("run-1")).map((event) => event.seq)).toEqual([1, 2, 3]);
      expect(await store.readSnapshot("run-1")).toBeUndefined();
      expect(await store.getRun("run-1")).toMatchObject({
        status: "running",
        lastSeq: 3,
        updatedAt: T0 + 10,
      });
      expect((await verifyRunLog(store, "run-1")).ok).toBe(true);
      await expect(store.commit("ghost", { events: [], now: T0 })).rejects.toThrow(
        /No run "ghost" in the run store/,
      );
    });

    it("keeps the last snapshot and the status and error a commit sets", async () => {
      await store.createRun(newRun());
      await store.commit("run-1", {
        events: events("run-1", 1, 2),
        snapshot: { seq: 2, state: { completed: ["triage"] } },
        now: T0 + 1,
      });
      await store.commit("run-1", {
        events: events("run-1", 3, 2),
        snapshot: { seq: 4, state: { completed: ["triage", "writer"], n: 2 } },
        status: "failed",
        error: "writer timed out",
        now: T0 + 2,
      });
      expect(await store.readSnapshot("run-1")).toEqual({
        seq: 4,
        state: { completed: ["triage", "writer"], n: 2 },
      });
      expect(await store.getRun("run-1")).toMatchObject({
        status: "failed",
        error: "writer timed out",
      });
    });

    it("keeps the first decision on an approval", async () => {
      await store.createRun(newRun());
      expect(
        await store.recordDecision("run-1", { approvalId: "ap-1", approved: true, decidedAt: T0 }),
      ).toBe(true);
      expect(
        await store.recordDecision("run-1", {
          approvalId: "ap-1",
          approved: false,
          reason: "too late",
          decidedAt: T0 + 1,
        }),
      ).toBe(false);
      await store.recordDecision("run-1", {
        approvalId: "ap-2",
        approved: false,
        reason: "not this tool",
        decidedAt: T0 + 2,
      });
      expect(await store.readDecisions("run-1")).toEqual([
        { approvalId: "ap-1", approved: true, decidedAt: T0 },
        { approvalId: "ap-2", approved: false, reason: "not this tool", decidedAt: T0 + 2 },
      ]);
      await expect(
        store.recordDecision("ghost", { approvalId: "x", approved: true, decidedAt: T0 }),
      ).rejects.toThrow(RunStoreError);
    });

    it("keeps a human task's answer: its value, or that its timeout decided", async () => {
      await store.createRun(newRun());
      const value = { publish: true, tags: ["a", "b"], score: 0.5, note: null };
      await store.recordDecision("run-1", {
        approvalId: "h-1",
        approved: true,
        value,
        decidedAt: T0,
      });
      await store.recordDecision("run-1", {
        approvalId: "h-2",
        approved: false,
        timedOut: true,
        decidedAt: T0 + 1,
      });
      expect(await store.readDecisions("run-1")).toEqual([
        { approvalId: "h-1", approved: true, value, decidedAt: T0 },
        { approvalId: "h-2", approved: false, timedOut: true, decidedAt: T0 + 1 },
      ]);
    });

    it("tells the writer about a cancel request at its next commit", async () => {
      await store.createRun(newRun());
      const other = await open();
      expect(await other.requestCancel("run-1", T0 + 5)).toBe(true);
      expect((await other.getRun("run-1"))?.cancelRequested).toBe(true);
      expect(await store.commit("run-1", { events: events("run-1", 1, 1), now: T0 + 6 })).toEqual({
        cancelRequested: true,
      });
      await store.commit("run-1", { events: [], status: "cancelled", now: T0 + 7 });
      expect(await other.requestCancel("run-1", T0 + 8)).toBe(false);
      expect(await other.requestCancel("ghost", T0 + 8)).toBe(false);
    });

    it("sets the status of a parked run, and refuses unknown runs and statuses", async () => {
      await store.createRun(newRun({ status: "waiting_approval" }));
      await store.setStatus("run-1", "cancelled", T0 + 9, "cancelled by ops");
      expect(await store.getRun("run-1")).toMatchObject({
        status: "cancelled",
        error: "cancelled by ops",
        updatedAt: T0 + 9,
      });
      await expect(store.setStatus("ghost", "interrupted", T0)).rejects.toMatchObject({
        operation: "setStatus",
      });
      await expect(store.setStatus("run-1", "finished" as never, T0)).rejects.toThrow(
        /Valid statuses: running, paused, waiting_approval, interrupted, completed, failed, cancelled/,
      );
    });

    it("deletes only ended runs last changed before the cut-off, with their logs", async () => {
      const old = T0 - 40 * 86_400_000;
      for (const [runId, status] of [
        ["done", "completed"],
        ["broke", "failed"],
        ["parked", "paused"],
        ["live", "running"],
      ] as const) {
        await store.createRun(newRun({ runId, status, createdAt: old }));
        await store.commit(runId, { events: events(runId, 1, 4), now: old });
        await store.recordDecision(runId, { approvalId: "a", approved: true, decidedAt: old });
      }
      await store.createRun(newRun({ runId: "recent", status: "completed", createdAt: T0 }));
      expect(await store.deleteRuns({ before: T0 - 30 * 86_400_000 })).toBe(2);
      expect((await store.listRuns()).map((run) => run.runId).sort()).toEqual([
        "live",
        "parked",
        "recent",
      ]);
      expect(await store.readEvents("done")).toEqual([]);
      expect(await store.readDecisions("broke")).toEqual([]);
      expect(await store.readEvents("parked")).toHaveLength(4);
      // Ended long ago, but its log changed since: last changed is the last commit.
      await store.createRun(newRun({ runId: "late", status: "completed", createdAt: old }));
      await store.commit("late", { events: events("late", 1, 2), now: T0 });
      expect((await store.getRun("late"))?.updatedAt).toBe(T0);
      expect(await store.deleteRuns({ before: T0 - 30 * 86_400_000 })).toBe(0);
    });

    describe("verifyRunLog", () => {
      beforeEach(async () => {
        await store.createRun(newRun());
        await store.commit("run-1", { events: events("run-1", 1, 6), now: T0 });
      });

      it("finds an intact chain", async () => {
        expect(await verifyRunLog(store, "run-1")).toEqual({ ok: true, events: 6 });
        await expect(verifyRunLog(store, "ghost")).rejects.toThrow(RunStoreError);
      });

      it("names an altered event", async () => {
        await backend.tamper.alter(3, "t3 ", "T3 ");
        expect(await verifyRunLog(store, "run-1")).toMatchObject({
          ok: false,
          seq: 3,
          problem: "altered",
          message: expect.stringContaining('Event 3 of run "run-1" was altered') as unknown,
        });
      });

      it("names a deleted event, in the middle or at the end", async () => {
        await backend.tamper.remove(6);
        expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 6, problem: "missing" });
        await backend.tamper.remove(4);
        expect(await verifyRunLog(store, "run-1")).toMatchObject({
          ok: false,
          seq: 4,
          problem: "missing",
          message: expect.stringContaining("Event 4 of run") as unknown,
        });
      });

      it("names two swapped events", async () => {
        await backend.tamper.swap(2, 5);
        expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 2, problem: "reordered" });
      });

      it("names two events whose contents were swapped", async () => {
        await backend.tamper.swapContents(2, 3);
        expect(await verifyRunLog(store, "run-1")).toMatchObject({ seq: 2, problem: "reordered" });
      });
    });

    it("commits two runs at the same time without mixing their logs", async () => {
      await store.createRun(newRun({ runId: "left" }));
      await store.createRun(newRun({ runId: "right" }));
      const writer = await open();
      const write = async (target: RunStore, runId: string) => {
        for (let step = 0; step < 20; step++)
          await target.commit(runId, {
            events: events(runId, step * 8 + 1, 8),
            snapshot: { seq: step * 8 + 8, state: { step } },
            now: T0 + step,
          });
      };
      await Promise.all([write(store, "left"), write(writer, "right")]);
      for (const runId of ["left", "right"]) {
        expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: 160 });
        expect(await store.getRun(runId)).toMatchObject({ lastSeq: 160, inputTokens: 400 });
        expect((await store.readEvents(runId)).every((e) => e.event.runId === runId)).toBe(true);
      }
    });

    it("takes a batch already stored as done, and refuses another writer's numbers", async () => {
      await store.createRun(newRun());
      await store.commit("run-1", { events: events("run-1", 1, 4), now: T0 + 1 });
      const other = await open();
      // The same batch twice (a retry whose first answer was lost): stored once.
      await other.commit("run-1", { events: events("run-1", 5, 4), now: T0 + 2 });
      expect(await store.commit("run-1", { events: events("run-1", 5, 4), now: T0 + 2 })).toEqual({
        cancelRequested: false,
      });
      expect(await verifyRunLog(store, "run-1")).toEqual({ ok: true, events: 8 });
      // Different events under numbers another writer took: refused, nothing written.
      await other.commit("run-1", { events: events("run-1", 9, 2), now: T0 + 3 });
      const clash = events("run-1", 9, 2).map((event) => ({ ...event, timestamp: 1 }));
      await expect(store.commit("run-1", { events: clash, now: T0 + 4 })).rejects.toThrow(
        /has seq 9 and repeats a stored or earlier number: the next seq is 11/,
      );
      expect(await store.getRun("run-1")).toMatchObject({ lastSeq: 10, updatedAt: T0 + 3 });
      expect(await verifyRunLog(store, "run-1")).toEqual({ ok: true, events: 10 });
    });

    it("is seen whole by a store opened later on the same database", async () => {
      await store.createRun(newRun());
      await store.commit("run-1", {
        events: events("run-1", 1, 5),
        snapshot: { seq: 5, state: { at: 5 } },
        now: T0 + 5,
      });
      await store.recordDecision("run-1", { approvalId: "a", approved: true, decidedAt: T0 });
      await store.close();
      const again = await open();
      expect(await again.getRun("run-1")).toMatchObject({ lastSeq: 5, costUsd: 0.000125 });
      expect(await again.readEvents("run-1")).toHaveLength(5);
      expect(await again.readSnapshot("run-1")).toEqual({ seq: 5, state: { at: 5 } });
      expect(await again.readDecisions("run-1")).toHaveLength(1);
      // The new store continues the chain where the old one stopped.
      await again.commit("run-1", { events: events("run-1", 6, 2), now: T0 + 6 });
      expect(await verifyRunLog(again, "run-1")).toEqual({ ok: true, events: 7 });
    });

    it("refuses a store written by a newer schema version, naming both versions", async () => {
      await store.createRun(newRun());
      await backend.sql("UPDATE {run_schema} SET version = 99");
      try {
        const error = await (async () => {
          const newer = await open();
          await newer.getRun("run-1");
        })().catch((e: unknown) => e);
        expect(RunStoreError.isInstance(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain("schema version 99");
        expect(message).toContain(`schema version ${RUN_STORE_SCHEMA_VERSION}`);
        expect(message).toContain(backend.where);
      } finally {
        await backend.sql(`UPDATE {run_schema} SET version = ${RUN_STORE_SCHEMA_VERSION}`);
      }
    });
  });
}

describe("SqliteRunStore files", () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("refuses a file that is not a SQLite database, naming it", () => {
    const file = join(directory, "notes.txt");
    writeFileSync(file, "These are my notes, not a database.\n".repeat(100));
    expect(() => new SqliteRunStore({ path: file })).toThrow(
      new RegExp(
        `Cannot open the run store ${file}: it is not a SQLite database, or it is corrupt`,
      ),
    );
  });

  it("refuses a SQLite database of something else, naming the file and its tables", () => {
    const file = join(directory, "shop.db");
    const database = new DatabaseSync(file);
    database.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)");
    database.close();
    let error: unknown;
    try {
      new SqliteRunStore({ path: file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: "run_store_error", operation: "migrate", path: file });
    expect((error as Error).message).toContain(`${file} is a SQLite database of something else`);
    expect((error as Error).message).toContain("orders");
  });

  it("opens a path as SQLite and a postgres URL as Postgres", async () => {
    const file = join(directory, "spec/runs.db");
    const sqlite = await openRunStore(file);
    expect(sqlite).toBeInstanceOf(SqliteRunStore);
    await sqlite.close();
    const schema = `llmteam_open_${process.pid}`;
    const postgres = await openRunStore(POSTGRES_URL.replace(/^postgres:/, "postgresql:"), {
      schema,
    });
    try {
      expect(postgres).toBeInstanceOf(PostgresRunStore);
      expect(await postgres.listRuns()).toEqual([]);
    } finally {
      await postgres.close();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});

describe("PostgresRunStore connection", () => {
  let unused: string;
  beforeAll(() => {
    unused = "postgres://llmteam:s3cret-pw@127.0.0.1:1/test";
  });

  it("says which server it cannot reach, without the password", async () => {
    const error = await openRunStore(unused).catch((e: unknown) => e);
    expect(RunStoreError.isInstance(error)).toBe(true);
    const { message, url, operation } = error as RunStoreError;
    expect(message).toMatch(
      /Cannot reach the Postgres run store at postgres:\/\/llmteam@127\.0\.0\.1:1\/test/,
    );
    expect(message).not.toContain("s3cret");
    expect(url).toBe("postgres://llmteam@127.0.0.1:1/test");
    expect(operation).toBe("connect");
  });

  it("fails each operation the same way when the server is gone, and leaves a pool it was given open", async () => {
    const pool = new pg.Pool({ connectionString: unused, connectionTimeoutMillis: 2000 });
    pool.on("error", () => undefined);
    const store = new PostgresRunStore({ connection: pool });
    await expect(store.getRun("x")).rejects.toThrow(
      /Cannot reach the Postgres run store at postgres:\/\/llmteam@127\.0\.0\.1:1\/test/,
    );
    await store.close();
    expect(pool.ended).toBe(false);
    await pool.end();
  });
});
