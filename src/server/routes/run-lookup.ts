import type { StoredRun } from "../../store/run-store.js";
import { HttpProblem } from "../http-problem.js";
import type { QueuedOnlyRun } from "../queued-runs.js";
import type { ServerContext } from "../server-context.js";
import { findQueuedRun } from "./queued-run-handlers.js";

/** The stored run, or a 404. */
export async function findRun(server: ServerContext, runId: string): Promise<StoredRun> {
  const run = await server.store.getRun(runId);
  if (run) return run;
  throw new HttpProblem(404, `Unknown run "${runId}". List runs with GET /runs.`);
}

/** The run's stored row, else (with a queue) its queued view; a 404 when neither exists. */
export async function findAnyRun(
  server: ServerContext,
  runId: string,
): Promise<StoredRun | QueuedOnlyRun> {
  return server.queue ? findQueuedRun(server, server.queue, runId) : findRun(server, runId);
}

export const teamOfRun = async ({
  params,
  server,
}: {
  params: Record<string, string>;
  server: ServerContext;
}) => server.runs.get(params.runId!)?.teamId ?? (await findAnyRun(server, params.runId!)).teamId;
