import { eventFromJSON } from "../events/create-event.js";
import type { StreamEvent } from "../events/stream-event.js";
import { RunResultBuilder, type RunResult } from "../run/run-result.js";
import type { CliIO } from "./cli-io.js";
import { UsageError } from "./cli-options.js";
import { RemoteServer, type Reconnect } from "./remote-server.js";

/** Options of `llmteam run` that act on a team here; with `--server` the server's team decides. */
const LOCAL_ONLY = ["model", "budget-db", "max-cost", "store", "kb-store", "answer"] as const;

/** What `llmteam run --server` runs. */
export interface RemoteRunOptions {
  /** The server's URL, e.g. `http://127.0.0.1:8787`. */
  server: string;
  /** Sent as `Authorization: Bearer` (`--api-key`, else `$LLMTEAM_API_KEY`). */
  apiKey: string | undefined;
  /** The team id; undefined: the server's only team. */
  teamId: string | undefined;
  input: Record<string, unknown>;
}

/**
 * The team id of `llmteam run --server [team-id]`.
 * @throws UsageError for options that need the team here (`--model`, `--store`, …) or more
 * than one team id.
 */
export function remoteTeamId(
  values: Record<string, unknown>,
  positionals: string[],
): string | undefined {
  for (const name of LOCAL_ONLY) {
    if (values[name] !== undefined)
      throw new UsageError(
        `--${name} works on local runs only; with --server the server's team runs with its own settings (models, budgets, run store).`,
      );
  }
  if (positionals.length > 1)
    throw new UsageError(
      `with --server, give one team id of the server (or none when it serves one team), not: ${positionals.join(" ")}.`,
    );
  return positionals[0];
}

/**
 * Starts a run of a team on an llmteam server and follows its events (SSE, reconnecting with
 * `Last-Event-ID` after a dropped connection), handing each to `show` as a local run's.
 * Ctrl-C (`io.signal`) asks the server to cancel the run and goes on following it until it ends;
 * when the server cannot be asked, it stops following and says how to cancel it.
 * @returns the run's result, folded from its events as a local run's is; `undefined` when
 * following stopped before the run ended.
 */
export async function remoteRun(
  options: RemoteRunOptions,
  io: CliIO,
  show: (event: StreamEvent) => void,
): Promise<{ result: RunResult; where: string } | undefined> {
  const remote = new RemoteServer(options.server, options.apiKey);
  const teamId = options.teamId ?? (await onlyTeam(remote));
  const runId = await remote.startRun(teamId, options.input);
  const builder = new RunResultBuilder(runId, teamId);
  const stop = new AbortController();
  const interrupt = () => void cancelRemote(remote, runId, io, stop, options.apiKey !== undefined);
  if (io.signal?.aborted) interrupt();
  else io.signal?.addEventListener("abort", interrupt, { once: true });
  const onReconnect = ({ reason, afterSeq, attempt }: Reconnect) =>
    io.stderr(
      `  ↺ lost the events of run ${runId} after event ${afterSeq} (${reason}); reconnecting (attempt ${attempt})…\n`,
    );
  try {
    for await (const json of remote.followEvents(runId, onReconnect, stop.signal)) {
      const event = eventFromJSON(json);
      builder.apply(event);
      show(event);
      if (event.type === "approval_requested") io.stderr(approvalHint(remote.url, event));
      if (isRunEnd(event)) break;
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    io.stderr(`Stopped following run ${runId}; it may still be running on ${remote.url}.\n`);
    return undefined;
  } finally {
    io.signal?.removeEventListener("abort", interrupt);
  }
  return { result: builder.result, where: `${remote.url}/runs/${runId}` };
}

/** The server's only team. @throws UsageError when it serves none or several (naming them). */
async function onlyTeam(remote: RemoteServer): Promise<string> {
  const teams = await remote.teamIds();
  if (teams.length === 1) return teams[0]!;
  throw new UsageError(
    teams.length === 0
      ? `the server at ${remote.url} serves no team this key may use.`
      : `name the team to run: llmteam run --server ${remote.url} <team-id>. Teams: ${teams.join(", ")}.`,
  );
}

/** Ctrl-C: asks the server to cancel; when it cannot, stops following and says how to cancel. */
async function cancelRemote(
  remote: RemoteServer,
  runId: string,
  io: CliIO,
  stop: AbortController,
  withKey: boolean,
): Promise<void> {
  try {
    await remote.cancel(runId);
  } catch (error) {
    const key = withKey ? ' -H "Authorization: Bearer $LLMTEAM_API_KEY"' : "";
    io.stderr(
      `Could not cancel run ${runId} (${(error as Error).message}). Cancel it with: curl -X POST${key} ${remote.url}/runs/${runId}/cancel\n`,
    );
    stop.abort();
  }
}

function approvalHint(url: string, event: StreamEvent & { type: "approval_requested" }): string {
  const { approvalId, kind, toolName } = event.data;
  const what = kind === "tool" ? `tool ${toolName ?? ""}` : `${kind} ${event.agentId ?? ""}`;
  return `  ⏸ waiting for approval ${approvalId} (${what.trim()}): POST ${url}/runs/${event.runId}/approvals/${approvalId}/approve (or …/reject with { "reason": "…" }${kind === "human" ? ', …/answer with { "value": … }' : ""})\n`;
}

function isRunEnd(event: StreamEvent): boolean {
  return (
    event.type === "run_completed" || event.type === "run_failed" || event.type === "run_cancelled"
  );
}
