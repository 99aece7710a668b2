import { eventFromJSON } from "../events/create-event.js";
import type { StreamEventJSON } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";
import { storedAgents } from "../run/stored-run-summary.js";
import { readAllEvents } from "../store/read-all-events.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { StoredEvent, StoredRun } from "../store/run-store.js";
import { plural } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { describeEvent, formatUsage } from "./render-events.js";
import { usd } from "./run-command.js";
import { formatOffset, formatTime, type CliRunStore } from "./runs-options.js";

/** `llmteam runs show` and `llmteam runs events`: a stored run for people and scripts. */

/** How often `runs events --follow` reads the store, in ms. */
export const FOLLOW_INTERVAL_MS = 250;

/** `llmteam runs show <id>`: status, team, agents with outputs, usage, cost, timeline. */
export async function showRun(
  opened: CliRunStore,
  run: StoredRun,
  json: boolean,
  io: CliIO,
): Promise<number> {
  const events = await readAllEvents(opened.store, run.runId);
  const agents = storedAgents(events);
  if (json) {
    const { config: _config, ...row } = run;
    io.stdout(`${JSON.stringify({ ...row, agents, events: events.length }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Run ${run.runId} — team ${run.teamId} — ${run.status}${run.cancelRequested && !isEndedStatus(run.status) ? " (cancel requested)" : ""}`,
    `  created ${formatTime(run.createdAt)}, last change ${formatTime(run.updatedAt)} (${((run.updatedAt - run.createdAt) / 1000).toFixed(1)} s)`,
    `  input   ${preview(run.input, 200)}`,
    `  usage   ${run.inputTokens} in + ${run.outputTokens} out tokens, ${usd(run.costUsd)} (priced calls)`,
    `  events  ${run.lastSeq}   config ${run.configHash.slice(0, 12)}`,
  ];
  if (run.error) lines.push(`  error   ${run.error}`);
  lines.push("", agents.length === 0 ? "Agents: none started" : "Agents:");
  for (const agent of agents) {
    const usage = agent.usage ? formatUsage(agent.usage) : "";
    const time = agent.latencyMs === undefined ? "" : `${agent.latencyMs} ms`;
    lines.push(
      `  ${agent.agent.padEnd(16)} ${(agent.model ?? "").padEnd(24)} ${agent.status.padEnd(10)} ${time.padEnd(9)} ${usage}`,
    );
    if (agent.status === "completed") lines.push(`    → ${preview(agent.output, 300)}`);
    if (agent.error !== undefined) lines.push(`    ✗ ${agent.error}`);
  }
  lines.push("", "Timeline:");
  const start = events[0]?.event.timestamp ?? run.createdAt;
  let tokens = 0;
  for (const { event } of events) {
    if (event.type === "token" || event.type === "chunk") {
      tokens++;
      continue;
    }
    const text = timelineText(event);
    if (text === undefined) continue;
    lines.push(`  ${formatOffset(event.timestamp, start).padStart(10)}  ${text}`);
  }
  if (tokens > 0)
    lines.push(
      `  (${plural(tokens, "streamed delta")} not shown: llmteam runs events ${run.runId})`,
    );
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}

/** A line of the timeline, or undefined for events it leaves out (tokens, costs, progress). */
function timelineText(event: StreamEventJSON): string | undefined {
  switch (event.type) {
    case "run_completed":
      return `■ run completed`;
    case "run_failed":
      return `■ run failed: ${(event.data as { error: { message: string } }).error.message}`;
    case "run_cancelled":
      return `■ run cancelled: ${(event.data as { reason: string }).reason}`;
    case "approval_requested": {
      const data = event.data as { kind: string; toolName?: string; approvalId: string };
      return `? approval requested (${data.kind}${data.toolName ? ` ${data.toolName}` : ""}, ${data.approvalId})`;
    }
    case "cost_update":
    case "progress":
      return undefined;
    default: {
      const text = describeEvent(eventFromJSON(event));
      return text?.trim().split("\n")[0];
    }
  }
}

/**
 * `llmteam runs events <id>`: the stored log, one line per event (`--json`: the events as
 * JSON lines); with `follow`, reads new events until the run ends or Ctrl-C.
 */
export async function printEvents(
  opened: CliRunStore,
  runId: string,
  options: { json: boolean; follow: boolean },
  io: CliIO,
): Promise<number> {
  let afterSeq = 0;
  let start: number | undefined;
  const print = (events: StoredEvent[]) => {
    for (const { seq, event } of events) {
      start ??= event.timestamp;
      afterSeq = seq;
      if (options.json) io.stdout(`${JSON.stringify(event)}\n`);
      else io.stdout(`${eventLine(seq, event, start)}\n`);
    }
  };
  for (;;) {
    // Status first: events stored before the run ended are all read below.
    const status = options.follow ? (await opened.store.getRun(runId))?.status : undefined;
    for (;;) {
      const page = await opened.store.readEvents(runId, { afterSeq, limit: 5000 });
      print(page);
      if (page.length < 5000) break;
    }
    if (!options.follow || status === undefined || isEndedStatus(status)) return 0;
    if (await waitOrAbort(FOLLOW_INTERVAL_MS, io.signal)) return 130;
  }
}

/** True when `signal` aborted during the wait. */
function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function eventLine(seq: number, event: StreamEventJSON, start: number): string {
  const who = event.agentPath ?? event.agentId ?? "";
  const text =
    event.type === "token"
      ? JSON.stringify((event.data as { token: string }).token)
      : event.type === "cost_update"
        ? costText(event.data as { model: string; deltaUsd?: number; tokens: Usage })
        : (timelineText(event) ?? preview(event.data, 120));
  return `${String(seq).padStart(5)} ${formatOffset(event.timestamp, start).padStart(10)} ${event.type.padEnd(21)} ${who.padEnd(14)} ${text}`;
}

function costText(data: { model: string; deltaUsd?: number; tokens: Usage }): string {
  const price = data.deltaUsd === undefined ? "unpriced" : usd(data.deltaUsd);
  return `${data.model}: ${formatUsage(data.tokens)}, ${price}`;
}

function preview(value: unknown, length: number): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const line = (text ?? "").replaceAll("\n", " ");
  return line.length > length ? `${line.slice(0, length)}…` : line;
}
