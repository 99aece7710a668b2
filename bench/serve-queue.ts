import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startOpenAIWireServer } from "../test/support/openai-wire-server.js";
import pg from "pg";
import {
  POSTGRES_URL,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "../test/support/worker-fixtures.js";
import type { BenchRow } from "./harness.js";

const SCENARIO = "serve --queue";
const BIN = fileURLToPath(new URL("../bin/llmteam.js", import.meta.url));
const CLIENTS = fileURLToPath(new URL("./sse-clients.mjs", import.meta.url));

/** Runs per phase, SSE clients per run, tokens per step and the gap between two tokens. */
const RUNS = 10;
const CLIENTS_PER_RUN = 5;
const TOKENS = 40;
const TOKEN_GAP_MS = 20;

/** CPU time a process has used (user + system), in ms (Linux: /proc/<pid>/stat, 10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_API_KEY: "", LLMTEAM_RUN_STORE: "" },
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.BENCH_LOG) process.stderr.write(`[${args[0]}] ${chunk.toString()}`);
      const found = ready.exec(output);
      if (found) resolve({ child, match: found[1] ?? found[0] });
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => reject(new Error(`llmteam ${args[0]} exited ${code}: ${output}`)));
  });
}

/** Index and sequential scans of the tables of a Postgres schema so far (pg_stat_user_tables). */
async function tableScans(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ scans: string | null }>(
      "SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS scans FROM pg_stat_user_tables WHERE schemaname = $1",
      [schema],
    );
    return Number(rows[0]?.scans ?? 0);
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

/**
 * One `llmteam worker` and one `llmteam serve --queue` (the built package, each its own process),
 * RUNS runs of a three-step team whose model streams TOKENS tokens TOKEN_GAP_MS apart per step,
 * CLIENTS_PER_RUN SSE clients on each run (in another process): token delivery lag (receipt −
 * the event's timestamp) and the server's CPU, with the events relayed through Redis and read
 * from the run store.
 */
export async function benchServeQueue(): Promise<BenchRow[]> {
  const fixture = workerFixture("benchserve");
  const words = Array.from({ length: TOKENS }, (_, index) => `w${index} `);
  // The first step waits 500 ms before its first token: every client is connected by then.
  const model = await startOpenAIWireServer((request) => ({
    chunks: words,
    chunkDelayMs: TOKEN_GAP_MS,
    delayMs: JSON.stringify(request.body).includes("Research") ? 500 : 0,
    usage: { prompt_tokens: 2, completion_tokens: TOKENS },
  }));
  const file = fixture.teamFile("press.yaml", threeStepTeam("press", model.baseURL, 1e6));
  const where = ["--redis", REDIS_URL, "--store", fixture.storeUrl, "--prefix", fixture.prefix];
  const children: ChildProcess[] = [];
  const rows: BenchRow[] = [];
  try {
    const worker = await start(
      ["worker", file, ...where, "--queue", fixture.queueName, "--concurrency", "20"],
      /teams? \(/,
    );
    children.push(worker.child);
    for (const relay of ["redis", "store"] as const) {
      const served = await start(
        [
          ...["serve", file, "--port", "0", "--rate-limit", "0", "--event-relay", relay],
          ...["--queue", REDIS_URL, "--queue-name", fixture.queueName],
          ...["--store", fixture.storeUrl, "--prefix", fixture.prefix],
        ],
        /listening on (http:\/\/\S+)/,
      );
      children.push(served.child);
      const scansBefore = await tableScans(fixture.schema);
      rows.push(...(await phase(relay, served.match, served.child.pid!)));
      // Once the server's sessions end, Postgres has counted every read they made.
      const exited = new Promise((resolve) => served.child.on("exit", resolve));
      served.child.kill("SIGTERM");
      await exited;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      rows.push({
        scenario: SCENARIO,
        measure: `${relay}: run-store reads`,
        value: (await tableScans(fixture.schema)) - scansBefore,
        unit: "scans",
        note: "index and sequential scans of the run store's tables, the worker's included",
      });
    }
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await model.close();
    await fixture.clean();
  }
  return rows;
}

async function phase(relay: string, url: string, serverPid: number): Promise<BenchRow[]> {
  const runIds: string[] = [];
  const cpuBefore = cpuMs(serverPid);
  const started = performance.now();
  for (let index = 0; index < RUNS; index++) {
    const response = await fetch(`${url}/teams/press/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: `topic ${index}` }),
    });
    runIds.push(((await response.json()) as { runId: string }).runId);
  }
  const urls = runIds.map((runId) => `${url}/runs/${runId}/events`);
  const clients = spawn(process.execPath, [CLIENTS, String(CLIENTS_PER_RUN), ...urls], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  clients.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => clients.on("exit", resolve));
  const wallMs = performance.now() - started;
  const serverCpuMs = cpuMs(serverPid) - cpuBefore;
  const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
    lags: number[];
    clients: number;
    exact: number;
    failures: string[];
  };
  if (result.failures.length > 0) {
    process.stderr.write(
      `serve --queue: ${result.failures.length} clients failed: ${result.failures[0]}\n`,
    );
  }
  const lags = result.lags.sort((left, right) => left - right);
  const note = `${RUNS} runs × ${CLIENTS_PER_RUN} clients, ${lags.length} tokens read; ${result.exact}/${result.clients} clients saw every event once, in order`;
  return [
    {
      scenario: SCENARIO,
      measure: `${relay}: token lag p50`,
      value: percentile(lags, 50),
      unit: "ms",
      note,
    },
    {
      scenario: SCENARIO,
      measure: `${relay}: token lag p99`,
      value: percentile(lags, 99),
      unit: "ms",
    },
    {
      scenario: SCENARIO,
      measure: `${relay}: token lag max`,
      value: lags.at(-1) ?? NaN,
      unit: "ms",
    },
    {
      scenario: SCENARIO,
      measure: `${relay}: server CPU`,
      value: serverCpuMs,
      unit: "ms",
      note: `over ${(wallMs / 1000).toFixed(1)} s (${((serverCpuMs / wallMs) * 100).toFixed(1)}% of a core)`,
    },
  ];
}
