import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { openRunStore, type StoredEvent } from "../../src/index.js";
import { enqueueRun, RunQueue, waitForRun } from "../../src/worker/index.js";
import { startOpenAIWireServer } from "./openai-wire-server.js";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.js";
import { countingModel, REDIS_URL, threeStepTeam, workerFixture } from "./worker-fixtures.js";

/** What one fleet run does. */
export interface FleetOptions {
  /** Worker processes kept running. */
  workers: number;
  /** Runs queued at once. */
  runs: number;
  /** Runs per worker at once. */
  concurrency: number;
  /** The fake model's latency per call, in ms. */
  latencyMs: number;
  /** SIGKILL a worker (and start a new one) this often, in ms; absent: no kills. */
  killEveryMs?: number;
  /** Stop killing after this many kills (default: no limit). */
  killLimit?: number;
  /** The team's shared day budget, in USD (default: ample). */
  budgetUsd?: number;
  /** Run the built package (`bin/llmteam.js`) instead of the sources. */
  built?: boolean;
  /** Give up waiting for the runs after this long, in ms. */
  timeoutMs: number;
  /** The workers' job lock, in ms (default 2,000: a killed worker's runs move on fast). */
  lockDurationMs?: number;
}

/** What a fleet run measured and checked. */
export interface FleetResult {
  runs: number;
  completed: number;
  /** Runs refused by the shared budget (failed with budget_exceeded). */
  refusedByBudget: number;
  /** Runs neither completed nor refused by the budget: must be 0. */
  lost: number;
  /** From the first enqueue to the last result, in ms. */
  wallMs: number;
  runsPerSecond: number;
  /** CPU time (user + system) the worker processes alive at the end used, in ms (Linux; 0 elsewhere). */
  workerCpuMs: number;
  kills: number;
  /** Runs resumed by another worker after a kill. */
  resumedRuns: number;
  /** Model calls beyond one per step: steps in flight at a kill, run again. */
  repeatedCalls: number;
  /** Steps stored as completed but called again, or stored twice: must be 0. */
  repeatedCompletedSteps: number;
  /** Calls of steps that never ran at all for a completed run: must be 0. */
  missingCalls: number;
  spentUsd: number;
  limitUsd: number;
  /** What the stored runs cost, summed. */
  storedCostUsd: number;
}

const STEPS = ["research", "draft", "edit"] as const;
const PROMPTS = { research: "Research", draft: "Draft", edit: "Edit" } as const;

/**
 * Runs a fleet of worker processes on one queue against the fake model (a real HTTP server with
 * latency, whose call log counts every step), optionally killing a worker every few seconds,
 * and checks every run from the run store: each run ended once, no completed step ran twice,
 * the shared day budget was never overshot.
 */
export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const fixture = workerFixture("fleet");
  const model = countingModel(options.latencyMs);
  const server = await startOpenAIWireServer(model.reply);
  const limitUsd = options.budgetUsd ?? 1_000_000;
  const file = fixture.teamFile("fleet.yaml", threeStepTeam("fleet", server.baseURL, limitUsd));
  const args = [
    file,
    ...["--redis", REDIS_URL, "--store", fixture.storeUrl, "--queue-name", fixture.queueName],
    ...["--prefix", fixture.prefix, "--concurrency", String(options.concurrency)],
    ...["--lock-duration-ms", String(options.lockDurationMs ?? 2_000)],
    ...["--stalled-interval-ms", "1000", "--max-stalled", "5"],
  ];
  const fleet: WorkerProcess[] = [];
  const ready = new Set<WorkerProcess>();
  let started = 0;
  const startOne = (): WorkerProcess => {
    const worker = startWorkerProcess([...args, "--name", `w${++started}`], {}, options);
    fleet.push(worker);
    worker.ready.then(
      () => ready.add(worker),
      () => undefined,
    );
    return worker;
  };
  const queue = await RunQueue.open({
    redis: REDIS_URL,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
  });
  let kills = 0;
  let killer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(Array.from({ length: options.workers }, () => startOne().ready));
    const queries = Array.from({ length: options.runs }, (_, index) => `q${index}`);
    const startedAt = performance.now();
    const runIds = await Promise.all(queries.map((query) => enqueueRun(queue, "fleet", { query })));
    if (options.killEveryMs !== undefined) {
      killer = setInterval(() => {
        const alive = fleet.filter(
          (worker) => worker.process.exitCode === null && !worker.process.killed,
        );
        const victim = alive[Math.floor(Math.random() * alive.length)];
        if (!victim || kills >= (options.killLimit ?? Infinity)) return;
        victim.process.kill("SIGKILL");
        kills++;
        startOne();
      }, options.killEveryMs);
    }
    const results = await Promise.all(
      runIds.map((runId) => waitForRun(queue, runId, { timeoutMs: options.timeoutMs })),
    );
    const wallMs = performance.now() - startedAt;
    clearInterval(killer);
    const workerCpuMs = fleet.reduce((sum, worker) => sum + cpuMsOf(worker.process.pid), 0);
    const refusedByBudget = (result: { status: string; error?: string | undefined }): boolean =>
      result.status === "failed" && /budget/i.test(result.error ?? "");
    const refused = results.filter(refusedByBudget).length;
    const others = results.filter(
      (result) => result.status !== "completed" && !refusedByBudget(result),
    );
    if (others.length > 0)
      process.stderr.write(
        `fleet: ${others.length} runs neither completed nor refused, e.g. ${JSON.stringify(others.slice(0, 3))}\n`,
      );
    const completed = results.filter((result) => result.status === "completed").length;
    return {
      ...(await checkRuns(fixture.storeUrl, runIds, queries, model.calls)),
      runs: options.runs,
      completed,
      refusedByBudget: refused,
      lost: options.runs - completed - refused,
      wallMs,
      runsPerSecond: (options.runs * 1000) / wallMs,
      workerCpuMs,
      kills,
      spentUsd: await spentUsd(`${fixture.prefix}:budget:{fleet:day:calendar}:spent`),
      limitUsd,
    };
  } finally {
    clearInterval(killer);
    for (const worker of fleet) worker.process.kill("SIGKILL");
    await Promise.all(fleet.map((worker) => worker.exited));
    await queue.close();
    await server.close();
    await fixture.clean();
  }
}

/** A process's CPU time so far from /proc (user + system, in ms); 0 where /proc is missing. */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime), counted after the command's closing parenthesis.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads every run back and counts what ran how often. */
async function checkRuns(
  storeUrl: string,
  runIds: string[],
  queries: string[],
  calls: Map<string, number>,
): Promise<
  Pick<
    FleetResult,
    "resumedRuns" | "repeatedCalls" | "repeatedCompletedSteps" | "missingCalls" | "storedCostUsd"
  >
> {
  const store = await openRunStore(storeUrl);
  let resumedRuns = 0;
  let repeatedCalls = 0;
  let repeatedCompletedSteps = 0;
  let missingCalls = 0;
  let storedCostUsd = 0;
  try {
    for (const [index, runId] of runIds.entries()) {
      const run = await store.getRun(runId);
      storedCostUsd += run?.costUsd ?? 0;
      const events = await store.readEvents(runId);
      const resumed = events.some(({ event }) => event.type === "run_resumed");
      if (resumed) resumedRuns++;
      const stored = storedSteps(events);
      const before = completedBeforeResume(events);
      for (const step of STEPS) {
        const count = calls.get(`${PROMPTS[step]} ${queries[index]}`) ?? 0;
        if ((stored.get(step) ?? 0) > 1) repeatedCompletedSteps++;
        if (run?.status === "completed" && count === 0) missingCalls++;
        if (count > 1) repeatedCalls += count - 1;
        if (count > 1 && (!resumed || before.has(step))) repeatedCompletedSteps++;
      }
    }
  } finally {
    await store.close();
  }
  return { resumedRuns, repeatedCalls, repeatedCompletedSteps, missingCalls, storedCostUsd };
}

function storedSteps(events: StoredEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { event } of events)
    if (event.type === "agent_completed")
      counts.set(String(event.agentId), (counts.get(String(event.agentId)) ?? 0) + 1);
  return counts;
}

/** Steps whose `agent_completed` was stored before the run was first resumed. */
function completedBeforeResume(events: StoredEvent[]): Set<string> {
  const done = new Set<string>();
  for (const { event } of events) {
    if (event.type === "run_resumed") break;
    if (event.type === "agent_completed") done.add(String(event.agentId));
  }
  return done;
}

async function spentUsd(key: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    return (await redis.hvals(key)).reduce((sum, nano) => sum + Number(nano), 0) / 1e9;
  } finally {
    await redis.quit();
  }
}
