import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { timeAsync, type BenchRow } from "./harness.js";

const SCENARIO = "server";

function benchTeam(
  store: SqliteRunStore,
  teamId: string,
  agents: number,
  delayMs = 0,
  chunks = 1,
): LLMTeam {
  const words = Array.from({ length: chunks }, (_, index) => `w${index} `);
  const team = new LLMTeam({
    teamId,
    model: "openai/gpt-4o-mini",
    models: {
      "openai/gpt-4o-mini": new ScriptedModel({
        responses: () => ({ chunks: words, usage: { inputTokens: 10, outputTokens: chunks } }),
        recordCalls: false,
        delayMs,
      }),
    },
    runStore: store,
  });
  for (let index = 0; index < agents; index++) {
    team.addAgent({
      type: "llm",
      role: `agent${index}`,
      prompt: index === 0 ? "Do {query}" : `Go on from {agent${index - 1}}`,
    });
  }
  return team;
}

const request = (url: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"input":"task"}',
  });

/** Per-run time of team.run() and of POST ?wait=true over HTTP (keep-alive), sequentially. */
async function overhead(url: string, team: LLMTeam): Promise<BenchRow[]> {
  const direct = await timeAsync(() => team.run({ query: "task" }), 200, 50, 3);
  const http = await timeAsync(
    async () => {
      const response = await request(`${url}/teams/overhead/runs?wait=true`);
      if (response.status !== 200)
        throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    },
    200,
    50,
    3,
  );
  return [
    {
      scenario: SCENARIO,
      measure: "team.run() directly (2 agents, SQLite store)",
      value: direct / 1000,
      unit: "µs",
    },
    {
      scenario: SCENARIO,
      measure: "POST /teams/:id/runs?wait=true, one client",
      value: http / 1000,
      unit: "µs",
      note: `server overhead ${((http - direct) / 1000).toFixed(0)} µs per run (target < 1,000 µs): HTTP, JSON, the run handle and its event log, the result body`,
    },
  ];
}

async function throughput(url: string): Promise<BenchRow[]> {
  const result = await autocannon({
    url: `${url}/teams/overhead/runs?wait=true`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"input":"task"}',
    connections: 50,
    duration: 10,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return [
    {
      scenario: SCENARIO,
      measure: "POST ?wait=true, 50 concurrent clients: throughput",
      value: result.requests.average,
      unit: "req/s",
      note: `${result.requests.total} runs in 10 s`,
    },
    { scenario: SCENARIO, measure: "… latency p50", value: result.latency.p50, unit: "ms" },
    { scenario: SCENARIO, measure: "… latency p99", value: result.latency.p99, unit: "ms" },
  ];
}

/** 200 SSE clients (another process) on one live run emitting ~1,000 tokens over ~1 s. */
async function sseFanOut(url: string): Promise<BenchRow[]> {
  const started = await request(`${url}/teams/stream/runs`);
  const { runId } = (await started.json()) as { runId: string };
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const script = fileURLToPath(new URL("./sse-clients.mjs", import.meta.url));
  // 4 client processes of 50, so the clients' parsing is spread and not counted as server lag.
  const outputs = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const child = spawn(process.execPath, [script, `${url}/runs/${runId}/events`, "50"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
      await new Promise((resolve) => child.on("exit", resolve));
      return JSON.parse(out.trim().split("\n").at(-1)!) as {
        lags: number[];
        events: number;
        exact: number;
      };
    }),
  );
  clearInterval(sampler);
  const lags = outputs.flatMap((output) => output.lags).sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
  const stats = {
    p50: at(0.5),
    p99: at(0.99),
    max: lags.at(-1)!,
    events: outputs[0]!.events,
    exact: outputs.reduce((sum, output) => sum + output.exact, 0),
  };
  return [
    {
      scenario: SCENARIO,
      measure: "200 SSE clients on one live run: delivery lag p99",
      value: stats.p99,
      unit: "ms",
      note: `p50 ${stats.p50} ms, max ${stats.max} ms; ${stats.events} events each; ${stats.exact}/200 clients got every event once, in order`,
    },
    {
      scenario: SCENARIO,
      measure: "… server RSS growth while they read",
      value: (peak - rssBefore) / 1024 / 1024,
      unit: "MB",
    },
  ];
}

export async function benchServer(): Promise<BenchRow[]> {
  const directory = mkdtempSync(join(tmpdir(), "llmteam-bench-server-"));
  const store = new SqliteRunStore({ path: join(directory, "runs.db") });
  const direct = benchTeam(store, "overhead-direct", 2);
  const server = await createServer({
    teams: [benchTeam(store, "overhead", 2), benchTeam(store, "stream", 50, 20, 20)],
    runStore: store,
    log: () => undefined,
  });
  const listening = await server.listen({ port: 0 });
  try {
    return [
      ...(await overhead(listening.url, direct)),
      ...(await throughput(listening.url)),
      ...(await sseFanOut(listening.url)),
    ];
  } finally {
    await listening.close();
    await server.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
