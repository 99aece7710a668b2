import type { RunCost } from "../cost/cost-tracker.js";
import { RunCostBuilder } from "../cost/run-cost-builder.js";
import type { StreamEventJSON } from "../events/stream-event.js";
import { readAllEvents } from "../store/read-all-events.js";
import type { ServerContext } from "./server-context.js";

/** What `GET /runs/:runId/cost` answers. */
export interface RunCostBody extends RunCost {
  status: string;
  /** True while this server runs it: the figures are those so far. */
  live: boolean;
}

const END_TYPES = new Set(["run_completed", "run_failed", "run_cancelled"]);

/**
 * Every event of a run known now: the stored ones, then (for a run live in this process)
 * those of its in-memory log that the store does not have yet.
 */
export async function currentEvents(
  server: ServerContext,
  runId: string,
): Promise<StreamEventJSON[]> {
  const stored = (await readAllEvents(server.store, runId)).map(({ event }) => event);
  const live = server.runs.get(runId);
  if (!live) return stored;
  const lastSeq = stored.at(-1)?.seq ?? 0;
  const fresh = live.handle
    .snapshot()
    .events.filter((event: StreamEventJSON) => event.seq > lastSeq);
  return [...stored, ...fresh];
}

/**
 * A run's cost folded from its `cost_update` events, the same fold as the result's `cost`
 * (`RunCostBuilder`): total, by agent and model, tokens, unpriced models and agents, calls.
 * Events of nested teams count, as they do in the result.
 */
export async function runCostBody(
  server: ServerContext,
  run: { runId: string; teamId: string; status: string },
): Promise<RunCostBody> {
  const builder = new RunCostBuilder(run.runId, run.teamId);
  let endedAt: number | undefined;
  for (const event of await currentEvents(server, run.runId)) {
    if (event.type === "cost_update") {
      builder.apply(event.agentId, event.data as Parameters<RunCostBuilder["apply"]>[1]);
    } else if (event.type === "run_started" && builder.cost.startedAt === 0) {
      builder.cost.startedAt = event.timestamp;
    } else if (END_TYPES.has(event.type) && isOwnEvent(event, run.teamId)) {
      endedAt = event.timestamp;
    }
  }
  return {
    ...builder.cost,
    ...(endedAt === undefined ? {} : { endedAt }),
    status: run.status,
    live: server.runs.get(run.runId) !== undefined,
  };
}

/** An event of the run itself, not of a nested team's run. */
function isOwnEvent(event: StreamEventJSON, teamId: string): boolean {
  return event.agentPath === undefined || event.agentPath === teamId;
}
