import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRunStore, type RunStore } from "llmteam";
import { createServer, type LLMTeamServer } from "llmteam/server";
import { createWorker, RunQueue, waitForRun } from "llmteam/worker";
import { startOpenAIWireServer, type WireRequest } from "../support/openai-wire-server.js";
import { readFrames, type SseFrame } from "../support/sse-reader.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { startWorkerProcess, type WorkerProcess } from "../support/worker-process.js";
import {
  CALL_USAGE,
  promptOf,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "../support/worker-fixtures.js";

/**
 * A queue-backed server (`createServer({ queue })`) in this process, two `llmteam worker` child
 * processes taking its runs, a fake model over HTTP: runs started over HTTP execute on the
 * workers, and every control of the API works across the processes.
 */
const fixture = workerFixture("servequeue");
const workers: (WorkerProcess & { name: string })[] = [];
let workerArgs: string[] = [];

function startWorker(name: string): WorkerProcess & { name: string } {
  const worker = { ...startWorkerProcess([...workerArgs, "--name", name]), name };
  workers.push(worker);
  return worker;
}
const calls = new Map<string, number>();
let failOnce = new Set<string>();
let model: Awaited<ReturnType<typeof startOpenAIWireServer>>;
let server: LLMTeamServer;
let base: string;
let closeListener: () => Promise<void>;
let store: RunStore;
let queue: RunQueue;

/** Queries with "slow" stream 20 tokens 80 ms apart per step (1.6 s); others answer at once. */
function reply(request: WireRequest) {
  const prompt = promptOf(request);
  calls.set(prompt, (calls.get(prompt) ?? 0) + 1);
  if (failOnce.delete(prompt)) return { status: 400, error: `refused: ${prompt}` };
  const slow = prompt.includes("slow");
  const words = Array.from({ length: slow ? 20 : 3 }, (_, index) => `w${index} `);
  return {
    text: words.join(""),
    chunks: words,
    chunkDelayMs: slow ? 80 : 0,
    usage: CALL_USAGE,
  };
}

const GATED = (baseURL: string) => `teamId: gated
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/writer
agents:
  - { type: llm, role: draft, prompt: "Draft {query}" }
  - { type: human, role: review, human: { prompt: "Publish {draft}?" } }
  - { type: llm, role: edit, prompt: "Edit {query}" }
`;

beforeAll(async () => {
  model = await startOpenAIWireServer(reply);
  fixture.teamFile("press.yaml", threeStepTeam("press", model.baseURL));
  fixture.teamFile("gated.yaml", GATED(model.baseURL));
  workerArgs = [
    fixture.directory,
    ...["--redis", REDIS_URL, "--store", fixture.storeUrl, "--queue", fixture.queueName],
    ...["--prefix", fixture.prefix, "--concurrency", "4"],
    // A killed worker's runs move on within about 3 s.
    ...["--lock-duration-ms", "2000", "--stalled-interval-ms", "1000"],
  ];
  startWorker("w1");
  startWorker("w2");
  server = await createServer({
    teams: [fixture.directory],
    runStore: fixture.storeUrl,
    queue: { redis: REDIS_URL, queueName: fixture.queueName, prefix: fixture.prefix },
    teamRuntime: { env: { OPENAI_API_KEY: "" } },
    viewer: false,
    log: () => undefined,
  });
  const listening = await server.listen({ port: 0 });
  base = listening.url;
  closeListener = () => listening.close();
  store = await openRunStore(fixture.storeUrl);
  queue = await RunQueue.open({
    redis: REDIS_URL,
    queueName: fixture.queueName,
    prefix: fixture.prefix,
  });
  await Promise.all(workers.map((worker) => worker.ready));
}, 60_000);

afterAll(async () => {
  for (const worker of workers) worker.process.kill("SIGKILL");
  await Promise.all(workers.map((worker) => worker.exited));
  await closeListener?.();
  await server?.close();
  await queue?.close();
  await store?.close();
  await model?.close();
  await fixture.clean();
});

async function post(path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: text ? JSON.parse(text) : undefined,
  };
}

async function get(path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const statusOf = async (runId: string) => (await store.getRun(runId))?.status;

describe("createServer({ queue }) with two worker processes", () => {
  it("queues a run and answers at once; the run executes on a worker and ?wait=true waits for it", async () => {
    const started = performance.now();
    const accepted = await post("/teams/press/runs", { input: "tides" });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ teamId: "press", status: "queued", created: true });
    await waitForRun(queue, accepted.body.runId, { timeoutMs: 20_000 });
    const run = await get(`/runs/${accepted.body.runId}`);
    expect(run.body).toMatchObject({ status: "completed", live: false });
    expect((run.body.agents as unknown[]).length).toBe(3);

    const waited = await post("/teams/press/runs?wait=true", { input: "dunes" });
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ status: "completed", finalOutput: "w0 w1 w2 " });
    expect(calls.get("Research dunes")).toBe(1);
  });

  it("streams the events of a run on a worker token by token, each once, in order, and resumes after Last-Event-ID", async () => {
    const { body } = await post("/teams/press/runs", { input: "slow seas" });
    const first = await fetch(`${base}/runs/${body.runId}/events`);
    expect(first.status).toBe(200);
    // Tokens of the first step reach the client while the step streams (before it is stored).
    const head = await readFrames(
      first,
      (frame) => frame.event === "token" && tokenIndex(frame) === 5,
    );
    const storedThen = (await store.getRun(body.runId))!.lastSeq;
    expect(head.at(-1)!.id).toBeGreaterThan(storedThen);
    const lastId = head.at(-1)!.id;
    const rest = await readFrames(
      await fetch(`${base}/runs/${body.runId}/events`, {
        headers: { "last-event-id": String(lastId) },
      }),
    );
    const ids = [...head, ...rest].map((frame) => frame.id);
    const stored = await store.readEvents(body.runId);
    expect(ids).toEqual(stored.map((event) => event.seq));
    expect([...head, ...rest].map((frame) => frame.event)).toEqual(
      stored.map((event) => event.event.type),
    );
    expect(rest.at(-1)!.event).toBe("run_completed");
    const tokens = [...head, ...rest].filter((frame) => frame.event === "token");
    expect(tokens.length).toBe(60);
    // Reconnecting after the end: 204, nothing newer.
    const after = await fetch(`${base}/runs/${body.runId}/events`, {
      headers: { "last-event-id": String(ids.at(-1)) },
    });
    expect(after.status).toBe(204);
  });

  it("pauses a run on a worker at its next step boundary and resumes it there", async () => {
    const { body } = await post("/teams/press/runs", { input: "slow pause" });
    await until(async () => (calls.get("Research slow pause") ?? 0) === 1);
    const paused = await post(`/runs/${body.runId}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe("paused");
    expect(await statusOf(body.runId)).toBe("paused");
    const seq = (await store.getRun(body.runId))!.lastSeq;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await store.getRun(body.runId))!.lastSeq).toBe(seq);
    expect(calls.get("Draft slow pause")).toBeUndefined();
    const resumed = await post(`/runs/${body.runId}/resume`);
    expect(resumed).toMatchObject({ status: 200, body: { status: "running" } });
    const result = await waitForRun(queue, body.runId, { timeoutMs: 20_000 });
    expect(result.status).toBe("completed");
    for (const step of ["Research", "Draft", "Edit"])
      expect(calls.get(`${step} slow pause`)).toBe(1);
    const again = await post(`/runs/${body.runId}/resume`);
    expect(again.status).toBe(409);
    expect(again.type).toContain("application/problem+json");
  });

  it("keeps a paused run paused when its worker dies, and resumes it on another worker", async () => {
    const { body } = await post("/teams/press/runs", { input: "slow orphan" });
    await until(async () => (calls.get("Research slow orphan") ?? 0) === 1);
    expect((await post(`/runs/${body.runId}/pause`)).body.status).toBe("paused");
    const holder = (await queue.queue.getJob(body.runId))!.processedBy;
    const victim = workers.find((worker) => worker.name === holder)!;
    victim.process.kill("SIGKILL");
    await victim.exited;
    // The other worker takes the stalled job, sees the pause and parks the job instead of running it.
    await until(async () => (await queue.queue.getJobState(body.runId)) === "delayed", 20_000);
    expect(await statusOf(body.runId)).toBe("paused");
    expect(calls.get("Draft slow orphan")).toBeUndefined();
    const resumed = await post(`/runs/${body.runId}/resume`);
    expect(resumed).toMatchObject({ status: 200, body: { status: "queued" } });
    await until(async () => (await statusOf(body.runId)) === "completed", 20_000);
    for (const step of ["Research", "Draft", "Edit"])
      expect(calls.get(`${step} slow orphan`)).toBe(1);
    const replacement = startWorker(`${victim.name}b`);
    await replacement.ready;
  });

  it("cancels a run on a worker at once, across processes", async () => {
    const { body } = await post("/teams/press/runs", { input: "slow cancel" });
    await until(async () => (calls.get("Research slow cancel") ?? 0) === 1);
    const cancelled = await post(`/runs/${body.runId}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });
    expect(await statusOf(body.runId)).toBe("cancelled");
    expect((await waitForRun(queue, body.runId, { timeoutMs: 10_000 })).status).toBe("cancelled");
    expect(calls.get("Draft slow cancel")).toBeUndefined();
    expect((await post(`/runs/${body.runId}/cancel`)).status).toBe(409);
  });

  it("decides an approval of a run waiting on a worker", async () => {
    const { body } = await post("/teams/gated/runs", { input: "launch" });
    await until(async () => (await statusOf(body.runId)) === "waiting_approval");
    const approvals = await get(`/runs/${body.runId}/approvals`);
    const [pending] = approvals.body.approvals as { approvalId: string }[];
    const approved = await post(`/runs/${body.runId}/approvals/${pending!.approvalId}/approve`);
    expect(approved.status).toBe(200);
    expect((await waitForRun(queue, body.runId, { timeoutMs: 15_000 })).status).toBe("completed");
    expect(calls.get("Edit launch")).toBe(1);
  });

  it("honours Idempotency-Key: the same key names the same queued run; other input is a 409", async () => {
    const headers = { "idempotency-key": `k-${Date.now()}` };
    const first = await post("/teams/press/runs", { input: "idem" }, headers);
    const second = await post("/teams/press/runs", { input: "idem" }, headers);
    expect(first.status).toBe(202);
    expect(second).toMatchObject({
      status: 200,
      body: { runId: first.body.runId, created: false },
    });
    const other = await post("/teams/press/runs", { input: "other" }, headers);
    expect(other.status).toBe(409);
    // Another server on the same queue and store (a restart, a second replica): the same run.
    const replica = await createServer({
      teams: [fixture.directory],
      runStore: fixture.storeUrl,
      queue: { redis: REDIS_URL, queueName: fixture.queueName, prefix: fixture.prefix },
      teamRuntime: { env: { OPENAI_API_KEY: "" } },
      viewer: false,
      log: () => undefined,
    });
    try {
      const again = await replica.fetch(
        new Request("http://replica/teams/press/runs", {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ input: "idem" }),
        }),
      );
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ runId: first.body.runId, created: false });
    } finally {
      await replica.close();
    }
    await waitForRun(queue, first.body.runId, { timeoutMs: 15_000 });
    expect(calls.get("Research idem")).toBe(1);
  });

  it("retries a failed run from its last stored step: the failed step runs again, completed ones do not", async () => {
    failOnce = new Set(["Draft flaky"]);
    const { body } = await post("/teams/press/runs", { input: "flaky" });
    const failed = await waitForRun(queue, body.runId, { timeoutMs: 15_000 });
    expect(failed.status).toBe("failed");
    const { retryRuns, failedRuns } = await import("llmteam/worker");
    expect((await failedRuns(queue)).map((run) => run.runId)).toContain(body.runId);
    expect(await retryRuns(queue, store, { runIds: [body.runId] })).toEqual([
      { runId: body.runId, retried: true },
    ]);
    await until(async () => (await statusOf(body.runId)) === "completed");
    expect(calls.get("Research flaky")).toBe(1);
    expect(calls.get("Draft flaky")).toBe(2);
    expect(calls.get("Edit flaky")).toBe(1);
  });

  it("answers an unknown team with a 404 problem naming the served teams", async () => {
    const response = await post("/teams/nope/runs", { input: "x" });
    expect(response.status).toBe(404);
    expect(response.type).toContain("application/problem+json");
    expect(response.body.detail).toContain("gated");
  });
});

describe("a queue-backed server without workers for its queue", () => {
  let lonely: LLMTeamServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(REDIS_URL).port || 6379));
    lonely = await createServer({
      teams: [fixture.directory],
      runStore: fixture.storeUrl,
      queue: {
        redis: `redis://127.0.0.1:${proxy.port}`,
        queueName: `${fixture.queueName}-idle`,
        prefix: fixture.prefix,
      },
      teamRuntime: { env: { OPENAI_API_KEY: "" } },
      viewer: false,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await lonely?.close();
    await proxy?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await lonely.fetch(
      new Request(`http://local${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it("shows a run no worker started as queued, lists it, and cancels it before it starts", async () => {
    const accepted = await call("POST", "/teams/press/runs", { input: "waiting" });
    expect(accepted.status).toBe(202);
    const runId = String(accepted.body.runId);
    const queued = await call("GET", `/runs/${runId}`);
    expect(queued.body).toMatchObject({
      runId,
      status: "queued",
      teamId: "press",
      queue: { state: "waiting" },
    });
    const listed = await call("GET", "/runs?status=queued");
    expect((listed.body.runs as { runId: string }[]).map((run) => run.runId)).toContain(runId);
    const cancelled = await call("POST", `/runs/${runId}/cancel`);
    expect(cancelled.body.status).toBe("cancelled");
    expect((await call("GET", `/runs/${runId}`)).body.status).toBe("cancelled");
    expect(calls.get("Research waiting")).toBeUndefined();
  });

  it("lists a run whose job failed before any worker started it, with the reason", async () => {
    const { body } = await call("POST", "/teams/press/runs", { input: "orphan" });
    const runId = String(body.runId);
    // A worker of another team only: the job fails at once, naming the teams it runs.
    const other = fixture.teamFile(
      "other-team.yaml",
      threeStepTeam("other", "http://127.0.0.1:9/v1"),
    );
    const stranger = await createWorker({
      teams: [other],
      redis: REDIS_URL,
      runStore: fixture.storeUrl,
      queueName: `${fixture.queueName}-idle`,
      prefix: fixture.prefix,
      missingTeamGraceMs: 0,
      env: {},
      log: () => undefined,
    });
    try {
      await until(async () => (await call("GET", `/runs/${runId}`)).body.status === "failed");
    } finally {
      await stranger.close();
    }
    const failed = await call("GET", "/runs?status=failed");
    const row = (failed.body.runs as { runId: string; error?: string }[]).find(
      (run) => run.runId === runId,
    );
    expect(row?.error).toContain('Team "press" is not loaded on worker');
    const all = await call("GET", "/runs");
    expect((all.body.runs as { runId: string }[]).map((run) => run.runId)).toContain(runId);
    const queuedOnly = await call("GET", "/runs?status=queued");
    expect((queuedOnly.body.runs as { runId: string }[]).map((run) => run.runId)).not.toContain(
      runId,
    );
  });

  it("pauses a run before any worker took it and resumes it into the queue", async () => {
    const { body } = await call("POST", "/teams/press/runs", { input: "held" });
    const runId = String(body.runId);
    expect((await call("POST", `/runs/${runId}/pause`)).body.status).toBe("paused");
    expect((await call("GET", `/runs/${runId}`)).body.status).toBe("paused");
    expect((await call("POST", `/runs/${runId}/resume`)).body.status).toBe("queued");
    expect((await call("GET", `/runs/${runId}`)).body).toMatchObject({
      status: "queued",
      queue: { state: "waiting" },
    });
    expect((await call("POST", `/runs/${runId}/resume`)).status).toBe(409);
    expect((await call("POST", `/runs/${runId}/cancel`)).body.status).toBe("cancelled");
  });

  it("answers 503 naming the queue when Redis goes away, not a 500", async () => {
    proxy.cut("reset");
    try {
      await until(async () => lonely.context.queue!.queue.client.status !== "ready", 5_000);
      const response = await call("POST", "/teams/press/runs", { input: "down" });
      expect(response.status).toBe(503);
      expect(response.type).toContain("application/problem+json");
      expect(response.body.detail).toContain(`The run queue "${fixture.queueName}-idle"`);
      expect(response.body.detail).toContain("unavailable");
      // Stored runs are still listed; the queued ones are left out, and the answer says why.
      const listed = await call("GET", "/runs");
      expect(listed.status).toBe(200);
      expect((listed.body.runs as unknown[]).length).toBeGreaterThan(0);
      expect(String(listed.body.queueUnavailable)).toContain("is unavailable");
    } finally {
      proxy.restore();
    }
  });
});

function tokenIndex(frame: SseFrame): number {
  const data = frame.data as { data?: { token?: string } };
  return Number(/^w(\d+)/.exec(data.data?.token ?? "")?.[1] ?? -1);
}
