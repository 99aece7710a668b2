import { performance } from "node:perf_hooks";
import { loadTeam, openRunStore } from "../src/index.js";
import { createWorker, enqueueRun, RunQueue, waitForRun } from "../src/worker/index.js";
import { startOpenAIWireServer } from "../test/support/openai-wire-server.js";
import { runFleet, type FleetResult } from "../test/support/worker-fleet.js";
import {
  countingModel,
  REDIS_URL,
  RUN_USD,
  threeStepTeam,
  workerFixture,
} from "../test/support/worker-fixtures.js";
import type { BenchRow } from "./harness.js";

const RUNS = 2_000;
const LATENCY_MS = 20;
const CONCURRENCY = 50;
const TIMEOUT_MS = 300_000;
/**
 * The workers' job lock: long enough that a worker starved of CPU on this shared 2-core
 * machine still renews it (2 s locks saw false stalls under load), short enough that a killed
 * worker's runs move on within seconds.
 */
const LOCK_MS = 10_000;

/**
 * Scale-out on BullMQ (issue 20): worker processes of the built package (`bin/llmteam.js
 * worker`) on one Redis queue and one Postgres run store, running 2,000 runs of a three-step
 * team on a fake OpenAI-compatible model with 20 ms latency. Throughput with 1 and 4 workers;
 * the same with a worker SIGKILLed (and replaced) every 5 s, up to 6 times, checked from the run store and the
 * model's call log: no run lost, no completed step run twice; a shared day budget raced for by
 * 4 workers never overshot; and the queue's overhead per run (one run at a time through the
 * queue, against `team.run()` in process on the same store and model). Throws when a check fails.
 */
export async function benchWorkers(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const scenario = (workers: number, kills: boolean) =>
    `${RUNS} runs × 3 steps of ${LATENCY_MS} ms, ${workers} worker${workers > 1 ? "s" : ""} × ${CONCURRENCY}${kills ? ", SIGKILL every 5 s (at most 6)" : ""}`;
  const fleet = async (workers: number, killEveryMs?: number): Promise<FleetResult> => {
    const result = await runFleet({
      workers,
      runs: RUNS,
      concurrency: CONCURRENCY,
      latencyMs: LATENCY_MS,
      built: true,
      timeoutMs: TIMEOUT_MS,
      lockDurationMs: LOCK_MS,
      ...(killEveryMs === undefined ? {} : { killEveryMs, killLimit: 6 }),
    });
    process.stderr.write(
      `workers bench: ${workers} workers${killEveryMs ? ", kills" : ""}: ${JSON.stringify(result)}\n`,
    );
    check(result, `${workers} workers${killEveryMs ? " with kills" : ""}`);
    return result;
  };
  const one = await fleet(1);
  rows.push({
    scenario: scenario(1, false),
    measure: "throughput",
    value: one.runsPerSecond,
    unit: "runs/s",
    note: `worker CPU ${cpuPerRun(one)} per run`,
  });
  const four = await fleet(4);
  rows.push({
    scenario: scenario(4, false),
    measure: "throughput",
    value: four.runsPerSecond,
    unit: "runs/s",
    note: `${(four.runsPerSecond / one.runsPerSecond).toFixed(2)}× one worker; worker CPU ${cpuPerRun(four)} per run`,
  });
  rows.push(...(await latencyBound()));
  const killed = await fleet(4, 5_000);
  rows.push({
    scenario: scenario(4, true),
    measure: "throughput",
    value: killed.runsPerSecond,
    unit: "runs/s",
    note: `${killed.kills} kills, ${killed.resumedRuns} runs resumed elsewhere, ${killed.repeatedCalls} in-flight calls repeated, 0 lost, 0 completed steps repeated`,
  });
  rows.push(await budgetRace());
  rows.push(...(await queueOverhead()));
  return rows;
}

function cpuPerRun(result: FleetResult): string {
  return `${(result.workerCpuMs / result.runs).toFixed(1)} ms`;
}

/**
 * The same fleet when the model, not the CPU, is the limit (as with real models, whose calls
 * take seconds): 2 runs at a time per worker, 100 ms per call. 1 worker can do at most
 * 2 / 0.3 s ≈ 6.7 runs/s, 4 workers ≈ 27.
 */
async function latencyBound(): Promise<BenchRow[]> {
  const options = {
    runs: 120,
    concurrency: 2,
    latencyMs: 100,
    built: true,
    timeoutMs: TIMEOUT_MS,
    lockDurationMs: LOCK_MS,
  };
  const one = await runFleet({ ...options, workers: 1 });
  check(one, "1 worker, latency-bound");
  const four = await runFleet({ ...options, workers: 4 });
  check(four, "4 workers, latency-bound");
  const scenario = (workers: number) =>
    `120 runs × 3 steps of 100 ms, ${workers} worker${workers > 1 ? "s" : ""} × 2 (model-bound)`;
  return [
    { scenario: scenario(1), measure: "throughput", value: one.runsPerSecond, unit: "runs/s" },
    {
      scenario: scenario(4),
      measure: "throughput",
      value: four.runsPerSecond,
      unit: "runs/s",
      note: `${(four.runsPerSecond / one.runsPerSecond).toFixed(2)}× one worker`,
    },
  ];
}

/** Every run ended once and no completed step ran twice; the budget held. */
function check(result: FleetResult, what: string): void {
  const problems: string[] = [];
  if (result.lost > 0) problems.push(`${result.lost} runs lost`);
  if (result.completed !== result.runs)
    problems.push(`${result.runs - result.completed} runs not completed`);
  if (result.repeatedCompletedSteps > 0)
    problems.push(`${result.repeatedCompletedSteps} completed steps ran twice`);
  if (result.missingCalls > 0) problems.push(`${result.missingCalls} steps never called`);
  if (Math.abs(result.storedCostUsd - result.runs * RUN_USD) > 1e-6)
    problems.push(`stored cost ${result.storedCostUsd} ≠ ${result.runs * RUN_USD}`);
  if (result.spentUsd > result.limitUsd)
    problems.push(`budget overshot: ${result.spentUsd} > ${result.limitUsd}`);
  if (problems.length > 0) throw new Error(`workers bench, ${what}: ${problems.join("; ")}`);
}

/** 4 workers race for a day budget with room for 300 of 500 runs. */
async function budgetRace(): Promise<BenchRow> {
  const limitUsd = 300 * RUN_USD;
  const result = await runFleet({
    workers: 4,
    runs: 500,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    built: true,
    budgetUsd: limitUsd,
    timeoutMs: TIMEOUT_MS,
    lockDurationMs: LOCK_MS,
  });
  if (result.lost > 0 || result.spentUsd > limitUsd + 1e-9)
    throw new Error(
      `workers bench, budget race: ${result.lost} lost, spent ${result.spentUsd} of ${limitUsd}`,
    );
  return {
    scenario: "500 runs, 4 workers, day budget with room for 300",
    measure: "spent of the limit",
    value: (result.spentUsd / limitUsd) * 100,
    unit: "%",
    note: `${result.completed} completed, ${result.refusedByBudget} refused (budget_exceeded), never above the limit`,
  };
}

/**
 * One run at a time, 100 times: through the queue (enqueue, a worker in this process takes it,
 * runs it, the result comes back through Redis) against `team.run()` on the same run store.
 */
async function queueOverhead(): Promise<BenchRow[]> {
  const fixture = workerFixture("overhead");
  const model = countingModel(LATENCY_MS);
  const server = await startOpenAIWireServer(model.reply);
  const file = fixture.teamFile("press.yaml", threeStepTeam("press", server.baseURL));
  const store = await openRunStore(fixture.storeUrl);
  const team = await loadTeam(file, { runStore: store, env: {} });
  const worker = await createWorker({
    teams: [file],
    redis: REDIS_URL,
    runStore: store,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
    env: {},
    log: () => undefined,
  });
  const queue = await RunQueue.open({
    redis: REDIS_URL,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
  });
  const ROUNDS = 100;
  try {
    for (let index = 0; index < 10; index++) {
      await team.run({ query: `warm-${index}` });
      await waitForRun(queue, await enqueueRun(queue, "press", { query: `warm-q-${index}` }));
    }
    let directMs = 0;
    let queuedMs = 0;
    for (let index = 0; index < ROUNDS; index++) {
      let started = performance.now();
      await team.run({ query: `direct-${index}` });
      directMs += performance.now() - started;
      started = performance.now();
      const runId = await enqueueRun(queue, "press", { query: `queued-${index}` });
      const result = await waitForRun(queue, runId);
      queuedMs += performance.now() - started;
      if (result.status !== "completed") throw new Error(`queued run ${runId}: ${result.status}`);
    }
    return [
      {
        scenario: "one run at a time, team.run() in process (Postgres store)",
        measure: "latency",
        value: directMs / ROUNDS,
        unit: "ms",
      },
      {
        scenario: "one run at a time, enqueueRun → worker → waitForRun",
        measure: "latency",
        value: queuedMs / ROUNDS,
        unit: "ms",
      },
      {
        scenario: "queue overhead per run",
        measure: "latency",
        value: (queuedMs - directMs) / ROUNDS,
        unit: "ms",
        note: "enqueue, pick-up, result through Redis",
      },
    ];
  } finally {
    await queue.close();
    await worker.close();
    await team.close();
    await store.close();
    await server.close();
    await fixture.clean();
  }
}
