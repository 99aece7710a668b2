import { mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunStore, StreamEventJSON } from "llmteam";
import { PostgresRunStore, SqliteRunStore } from "../src/store/index.js";
import { canonicalJson, chainHash, GENESIS_HASH } from "../src/store/run-log-hash.js";
import { timeAsync, type BenchRow } from "./harness.js";

const POSTGRES_URL =
  process.env.LLMTEAM_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const USAGE = { inputTokens: 412, outputTokens: 96, totalTokens: 508 };

/** The events of one agent step (8, tokens included), numbered from `from`. */
function stepEvents(runId: string, from: number): StreamEventJSON[] {
  const base = (offset: number) => ({
    runId,
    seq: from + offset,
    timestamp: 1_780_000_000_000 + from + offset,
    agentId: "writer",
  });
  return [
    {
      ...base(0),
      type: "agent_started",
      data: { role: "writer", model: "openai/gpt-4o-mini", step: 2 },
    },
    { ...base(1), type: "token", data: { token: "Thanks for " } },
    { ...base(2), type: "token", data: { token: "reporting the " } },
    { ...base(3), type: "token", data: { token: "invoice; we " } },
    { ...base(4), type: "token", data: { token: "fixed it." } },
    {
      ...base(5),
      type: "cost_update",
      data: {
        model: "openai/gpt-4o-mini",
        deltaUsd: 0.0001194,
        totalUsd: 0.0002388,
        tokens: USAGE,
      },
    },
    { ...base(6), type: "progress", data: { completed: 2, total: 3, label: "writer" } },
    {
      ...base(7),
      type: "agent_completed",
      data: {
        output: "Thanks for reporting the invoice; we fixed it. ".repeat(4),
        usage: USAGE,
        model: "openai/gpt-4o-mini",
        latencyMs: 812,
      },
    },
  ];
}

/** An engine snapshot of about 2 KB. */
const SNAPSHOT = {
  version: 1,
  completed: Array.from({ length: 6 }, (_, index) => ({
    agent: `agent-${index}`,
    output: "x".repeat(250),
    usage: USAGE,
  })),
};

/**
 * µs per `commit` of one agent step's durability point (8 events and a ~2 KB snapshot, one
 * transaction) on each run store, and the hashing alone.
 */
export async function benchRunStore(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const directory = mkdtempSync(join(tmpdir(), "llmteam-bench-runs-"));
  const schema = `llmteam_bench_${process.pid}`;
  const setups: [string, () => RunStore, number][] = [
    [
      "SqliteRunStore (file, WAL)",
      () => new SqliteRunStore({ path: join(directory, "runs.db") }),
      3000,
    ],
    [
      "PostgresRunStore (127.0.0.1)",
      () => new PostgresRunStore({ connection: POSTGRES_URL, schema }),
      1000,
    ],
  ];
  let hashSeq = 0;
  let hash = GENESIS_HASH;
  const hashing = await timeAsync(async () => {
    for (const event of stepEvents("bench", hashSeq + 1))
      hash = chainHash(hash, canonicalJson(event));
    hashSeq += 8;
  }, 20_000);
  rows.push({
    scenario: "run store commit",
    measure: "canonical JSON + hash chain of 8 events (no store)",
    value: hashing / 1000,
    unit: "µs",
  });
  rows.push(...sqliteFloor(join(directory, "floor.db")));
  for (const [name, open, iterations] of setups) {
    const store = open();
    try {
      for (const withSnapshot of [true, false]) {
        const runId = `bench-${withSnapshot ? "snap" : "plain"}-${Date.now()}`;
        await store.createRun({
          runId,
          teamId: "bench",
          configHash: "0".repeat(64),
          config: {},
          input: {},
          options: {},
          status: "running",
          createdAt: Date.now(),
        });
        let seq = 0;
        const nanoseconds = await timeAsync(async () => {
          const events = stepEvents(runId, seq + 1);
          seq += 8;
          await store.commit(runId, {
            events,
            ...(withSnapshot ? { snapshot: { seq, state: SNAPSHOT } } : {}),
            now: Date.now(),
          });
        }, iterations);
        rows.push({
          scenario: "run store commit",
          measure: `${name}: 1 step = 8 events${withSnapshot ? " + 2 KB snapshot" : ""}`,
          value: nanoseconds / 1000,
          unit: "µs",
        });
      }
    } catch (error) {
      rows.push({
        scenario: "run store commit",
        measure: name,
        value: Number.NaN,
        unit: "µs",
        note: (error as Error).message.slice(0, 120),
      });
    } finally {
      await store.close();
    }
  }
  rmSync(directory, { recursive: true, force: true });
  await dropSchema(schema).catch(() => undefined);
  return rows;
}

async function dropSchema(schema: string): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * The floor under the SQLite store: `node:sqlite` alone, on a file with the store's settings
 * (WAL, `synchronous = NORMAL`), one transaction per commit as a durability point needs.
 */
function sqliteFloor(path: string): BenchRow[] {
  const database = new DatabaseSync(path);
  database.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  database.exec(
    "CREATE TABLE log (id INTEGER PRIMARY KEY, run INTEGER, events TEXT); CREATE INDEX log_run ON log (run, id);",
  );
  const begin = database.prepare("BEGIN IMMEDIATE");
  const commit = database.prepare("COMMIT");
  const insert = database.prepare("INSERT INTO log (run, events) VALUES (1, ?)");
  const step = "x".repeat(1300);
  const time = (body: () => void, iterations: number): number => {
    for (let index = 0; index < 500; index++) body();
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      const started = process.hrtime.bigint();
      for (let index = 0; index < iterations; index++) body();
      best = Math.min(best, Number(process.hrtime.bigint() - started) / iterations / 1000);
    }
    return best;
  };
  const rows: BenchRow[] = [
    {
      scenario: "run store commit",
      measure: "node:sqlite floor: BEGIN IMMEDIATE; COMMIT (nothing written)",
      value: time(() => {
        begin.run();
        commit.run();
      }, 10_000),
      unit: "µs",
    },
    {
      scenario: "run store commit",
      measure: "node:sqlite floor: BEGIN; INSERT 1.3 KB row + index entry; COMMIT",
      value: time(() => {
        begin.run();
        insert.run(step);
        commit.run();
      }, 10_000),
      unit: "µs",
      note: "2 WAL pages, as a SqliteRunStore commit of one agent step",
    },
  ];
  database.close();
  return rows;
}
