import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LLMTeamWorker } from "./create-worker.js";

/** Options of {@link serveWorkerHealth}. */
export interface WorkerHealthServerOptions {
  /** Port to listen on (0: any free port). */
  port: number;
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
}

/** A worker's health and metrics endpoint, listening. */
export interface WorkerHealthServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a worker's health and metrics over plain HTTP, for load balancers, orchestrators and
 * Prometheus: `GET /health` (200 with JSON while the worker takes runs and Redis answers, 503
 * otherwise) and `GET /metrics` (Prometheus text: active runs, runs ended per second, queue lag,
 * the queue's waiting and delayed jobs).
 *
 * @example
 * const health = await serveWorkerHealth(worker, { port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 */
export async function serveWorkerHealth(
  worker: LLMTeamWorker,
  options: WorkerHealthServerOptions,
): Promise<WorkerHealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" || (path !== "/health" && path !== "/metrics")) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Not found. Try GET /health or GET /metrics.\n");
      return;
    }
    if (path === "/health") {
      const health = worker.health();
      response.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" });
      response.end(`${JSON.stringify({ status: health.ok ? "ok" : "unavailable", ...health })}\n`);
      return;
    }
    void metricsText(worker).then((text) => {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      response.end(text);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The metrics in Prometheus' text format; the queue's counts are left out while Redis is away. */
async function metricsText(worker: LLMTeamWorker): Promise<string> {
  const metrics = worker.metrics();
  const label = `worker="${worker.name.replace(/["\\\n]/g, "_")}"`;
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, value: number): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${label}} ${value}`);
  };
  metric("llmteam_worker_active_runs", "gauge", "Runs executing now.", metrics.active);
  metric(
    "llmteam_worker_concurrency",
    "gauge",
    "Runs the worker may execute at once.",
    metrics.concurrency,
  );
  metric("llmteam_worker_runs_taken_total", "counter", "Jobs taken from the queue.", metrics.taken);
  metric(
    "llmteam_worker_runs_completed_total",
    "counter",
    "Runs completed (or cancelled).",
    metrics.completed,
  );
  metric("llmteam_worker_runs_failed_total", "counter", "Runs or jobs failed.", metrics.failed);
  metric(
    "llmteam_worker_runs_resumed_total",
    "counter",
    "Stored runs resumed here.",
    metrics.resumed,
  );
  metric(
    "llmteam_worker_runs_parked_total",
    "counter",
    "Jobs handed back while a store was unreachable.",
    metrics.parked,
  );
  metric(
    "llmteam_worker_runs_per_second",
    "gauge",
    "Runs ended per second over the last minute.",
    metrics.runsPerSecond,
  );
  metric(
    "llmteam_worker_queue_lag_ms",
    "gauge",
    "Time from a job being due to it being taken, last job, ms.",
    metrics.queueLagMs,
  );
  metric(
    "llmteam_worker_queue_lag_average_ms",
    "gauge",
    "The same, averaged over every job taken, ms.",
    metrics.queueLagAverageMs,
  );
  const counts = await worker.queue.queue
    .getJobCounts("waiting", "prioritized", "delayed", "active", "failed")
    .catch(() => undefined);
  if (counts) {
    lines.push(
      "# HELP llmteam_queue_jobs Jobs of the queue by state (all teams, all workers).",
      "# TYPE llmteam_queue_jobs gauge",
    );
    for (const [state, count] of Object.entries(counts))
      lines.push(`llmteam_queue_jobs{queue="${worker.queue.name}",state="${state}"} ${count}`);
  }
  return `${lines.join("\n")}\n`;
}
