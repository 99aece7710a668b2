import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import type { BenchRow } from "./harness.js";

const SCENARIO = "server";

function benchTeam(
  store: SqliteRunStore,
  teamId: string,
  agents: number,
  delayMs = 0,
  chunks = 1,
  gated = false,
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
      requiresApproval: gated && index === 0,
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

/** CPU time of this process per call of `body`, in µs, over `calls` calls made by `drive`. */
async function cpuPerCall(calls: number, drive: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await drive();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

/** autocannon in a child process, so its client work is not counted as the server's. */
async function cannon(
  url: string,
  args: string[],
  { expectStatus = 200 }: { expectStatus?: number } = {},
): Promise<CannonResult> {
  const bin = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url));
  const child = spawn(
    process.execPath,
    [
      bin,
      "--json",
      "-m",
      "POST",
      "-H",
      "content-type=application/json",
      "-b",
      '{"input":"task"}',
      ...args,
      url,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  await new Promise((resolve) => child.on("exit", resolve));
  const result = JSON.parse(out) as CannonResult;
  const unexpected = expectStatus < 300 ? result.non2xx : result.requests.total - result.non2xx;
  if (unexpected > 0 || result.errors > 0) {
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result;
}

const RUNS = 2_000;

/**
 * The server's overhead per run: CPU time of the server process per `POST ?wait=true` (one
 * client at a time, from another process) against CPU time per `team.run()` called directly.
 * CPU time, not wall time, so the load of the shared machine does not enter the figure.
 */
async function overhead(url: string, team: LLMTeam): Promise<BenchRow[]> {
  for (let index = 0; index < 200; index++) await team.run({ query: "warm" });
  const direct = await cpuPerCall(RUNS, async () => {
    for (let index = 0; index < RUNS; index++) await team.run({ query: "task" });
  });
  await cannon(`${url}/teams/overhead/runs?wait=true`, ["-c", "1", "-a", "200"]);
  const served = await cpuPerCall(RUNS, () =>
    cannon(`${url}/teams/overhead/runs?wait=true`, ["-c", "1", "-a", String(RUNS)]),
  );
  // The HTTP floor: a POST that runs nothing (an unknown team: routing, body, a 404 problem).
  const floor = await cpuPerCall(RUNS, () =>
    cannon(`${url}/teams/nobody/runs`, ["-c", "1", "-a", String(RUNS)], { expectStatus: 404 }),
  );
  return [
    {
      scenario: SCENARIO,
      measure: "team.run() directly (2 agents, SQLite store): CPU per run",
      value: direct,
      unit: "µs",
    },
    {
      scenario: SCENARIO,
      measure: "POST /teams/:id/runs?wait=true: server CPU per run",
      value: served,
      unit: "µs",
      note: `server overhead ${(served - direct).toFixed(0)} µs per run (target < 1,000 µs): HTTP, routing, validation, the run handle, the result as JSON`,
    },
    {
      scenario: SCENARIO,
      measure: "… of which the HTTP floor (a POST answered 404 at once)",
      value: floor,
      unit: "µs",
      note: "node:http, @hono/node-server, routing, reading the body, the problem+json answer",
    },
  ];
}

async function throughput(url: string): Promise<BenchRow[]> {
  const result = await cannon(`${url}/teams/overhead/runs?wait=true`, ["-c", "50", "-d", "10"]);
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
  // The run's first agent waits for an approval, given once all 200 clients are connected.
  let connected = 0;
  let allConnected: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (allConnected = resolve));
  const children = Array.from({ length: 4 }, async () => {
    const child = spawn(process.execPath, [script, "50", `${url}/runs/${runId}/events`], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      connected += chunk.split("connected\n").length - 1;
      if (connected === 200) allConnected();
    });
    await new Promise((resolve) => child.on("exit", resolve));
    return JSON.parse(out.trim().split("\n").at(-1)!) as {
      lags: number[];
      events: number;
      exact: number;
    };
  });
  await ready;
  const { approvals } = (await (await fetch(`${url}/runs/${runId}/approvals`)).json()) as {
    approvals: { approvalId: string }[];
  };
  await fetch(`${url}/runs/${runId}/approvals/${approvals[0]!.approvalId}/approve`, {
    method: "POST",
  });
  const outputs = await Promise.all(children);
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
    teams: [benchTeam(store, "overhead", 2), benchTeam(store, "stream", 50, 20, 20, true)],
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
