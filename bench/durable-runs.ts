import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { LLMTeam, PostgresRunStore, SqliteRunStore, type RunStore } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { timeAsync, type BenchRow } from "./harness.js";

const AGENTS = 5;
const POSTGRES_URL =
  process.env.LLMTEAM_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function team(runStore: RunStore | undefined, delayMs = 0): LLMTeam {
  const team = new LLMTeam({
    teamId: "bench",
    model: "openai/gpt-4o-mini",
    stream: false,
    models: {
      "openai/gpt-4o-mini": new ScriptedModel({
        responses: () => ({ text: "ok", usage: { inputTokens: 10, outputTokens: 1 } }),
        recordCalls: false,
        delayMs,
      }),
    },
    ...(runStore ? { runStore } : {}),
  });
  for (let index = 0; index < AGENTS; index++) {
    const prompt = index === 0 ? "Do {query}" : `Continue from {agent${index - 1}}`;
    team.addAgent({ type: "llm", role: `agent${index}`, prompt });
  }
  return team;
}

/** µs per agent step of a 5-agent sequential run, without a store and with `store`. */
async function perStep(store: RunStore | undefined, iterations: number): Promise<number> {
  const subject = team(store);
  const run = async (): Promise<void> => {
    const result = await subject.run({ query: "task" });
    if (!result.success) throw new Error(`bench run failed: ${result.error?.message}`);
  };
  return (await timeAsync(run, iterations, 20, 3)) / AGENTS / 1000;
}

/** Wall time and peak RSS of 1,000 concurrent 5-step runs (10 ms model latency). */
async function burst(store: RunStore | undefined): Promise<{ wallMs: number; rssMb: number }> {
  const subject = team(store, 10);
  await Promise.all(Array.from({ length: 50 }, () => subject.run({ query: "warm" })));
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: 1_000 }, () => subject.run({ query: "task" })),
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  if (results.some((result) => !result.success)) throw new Error("a burst run failed");
  return { wallMs, rssMb: peak / 1024 / 1024 };
}

/**
 * Durable runs: what a run store adds per agent step (one commit per step boundary) with
 * SQLite and Postgres, against the same team without a store, in one process; then a burst of
 * 1,000 concurrent runs with and without the SQLite store.
 */
export async function benchDurableRuns(): Promise<BenchRow[]> {
  const directory = mkdtempSync(join(tmpdir(), "llmteam-bench-durable-"));
  const schema = `llmteam_bench_durable_${process.pid}`;
  const sqlite = new SqliteRunStore({ path: join(directory, "runs.db") });
  const postgres = new PostgresRunStore({ connection: POSTGRES_URL, schema });
  const rows: BenchRow[] = [];
  const scenario = "5-agent sequential run, durable";
  try {
    await postgres.connect();
    const without = await perStep(undefined, 1_000);
    const withSqlite = await perStep(sqlite, 1_000);
    const withPostgres = await perStep(postgres, 200);
    const withoutAgain = await perStep(undefined, 1_000);
    const base = Math.min(without, withoutAgain);
    rows.push(
      {
        scenario,
        measure: "no store, per step",
        value: base,
        unit: "µs",
        note: `runs before and after the stores: ${without.toFixed(1)} / ${withoutAgain.toFixed(1)} µs`,
      },
      {
        scenario,
        measure: "SQLite store, per step",
        value: withSqlite,
        unit: "µs",
        note: `+${(withSqlite - base).toFixed(0)} µs per step (one commit each); target < 50 µs`,
      },
      {
        scenario,
        measure: "Postgres store (127.0.0.1), per step",
        value: withPostgres,
        unit: "µs",
        note: `+${(withPostgres - base).toFixed(0)} µs per step`,
      },
    );
    const plain = await burst(undefined);
    const durable = await burst(sqlite);
    const burstScenario = "1000 concurrent 5-step runs, 10 ms model";
    rows.push(
      {
        scenario: burstScenario,
        measure: "no store: wall time",
        value: plain.wallMs,
        unit: "ms",
        note: `peak RSS ${plain.rssMb.toFixed(0)} MB`,
      },
      {
        scenario: burstScenario,
        measure: "SQLite store: wall time",
        value: durable.wallMs,
        unit: "ms",
        note: `peak RSS ${durable.rssMb.toFixed(0)} MB; ${(durable.wallMs / plain.wallMs).toFixed(1)}× without; +${(((durable.wallMs - plain.wallMs) * 1000) / 5000).toFixed(0)} µs per step amortised (commits of one event-loop turn share a transaction)`,
      },
    );
  } finally {
    await sqlite.close();
    await postgres.close();
    rmSync(directory, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
  return rows;
}
