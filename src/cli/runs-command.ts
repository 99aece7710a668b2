import { isEndedStatus, STORED_RUN_STATUSES } from "../store/run-store-rows.js";
import type { StoredRun, StoredRunStatus } from "../store/run-store.js";
import { verifyRunLog } from "../store/verify-run-log.js";
import {
  closestName,
  onePositional,
  parseCommand,
  UsageError,
  type CommandOptions,
} from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { usd } from "./run-command.js";
import {
  findRun,
  formatTime,
  openCliRunStore,
  parseTimeOption,
  STORE_OPTION,
  type CliRunStore,
} from "./runs-options.js";
import { printEvents, showRun } from "./runs-show.js";
import { resumeRun } from "./runs-resume.js";
import { decideApproval, lowerFirst } from "./runs-decide.js";
import { cancelStoredRun } from "../run/stored-run-control.js";

/** The `runs` actions this module runs. */
const ACTIONS = [
  "list",
  "show",
  "events",
  "verify",
  "prune",
  "cancel",
  "resume",
  "approve",
  "reject",
];

/**
 * `llmteam runs <action>`: list, show, follow, verify, prune, cancel, resume and decide
 * approvals of stored runs. Exit code
 * 0 success; 1 the store or run cannot be read, a log fails verification, a cancel that cannot
 * be done; 2 bad usage.
 */
export async function runsCommand(
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h" || action === "help")
    return action === undefined ? (help("runs"), 2) : help("runs");
  switch (action) {
    case "list":
      return listRuns(rest, io, help);
    case "show":
    case "events":
    case "verify":
    case "cancel":
      return oneRun(action, rest, io, help);
    case "prune":
      return prune(rest, io, help);
    case "resume":
      return resumeRun(rest, io, help);
    case "approve":
    case "reject":
    case "answer":
      return decideApproval(action, rest, io, help);
    default: {
      const closest = closestName(action, ACTIONS);
      throw new UsageError(
        `unknown runs command "${action}".${closest ? ` Did you mean ${closest}?` : ""} Commands: ${ACTIONS.join(", ")}. See llmteam runs --help.`,
      );
    }
  }
}

async function withStore<T>(
  option: string | undefined,
  io: CliIO,
  work: (opened: CliRunStore) => Promise<T>,
): Promise<T> {
  const opened = await openCliRunStore(option, io);
  try {
    return await work(opened);
  } finally {
    await opened.store.close();
  }
}

async function listRuns(
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const { values, positionals } = parseCommand("runs list", argv, {
    ...STORE_OPTION,
    status: { type: "string", multiple: true },
    team: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return help("runs");
  if (positionals.length > 0)
    throw new UsageError(
      `runs list takes no arguments (got ${positionals.join(" ")}). See llmteam runs --help.`,
    );
  const statuses = (values.status ?? []).flatMap((text) => text.split(","));
  for (const status of statuses) {
    if (!(STORED_RUN_STATUSES as readonly string[]).includes(status))
      throw new UsageError(
        `--status ${status} is not a run status. Valid: ${STORED_RUN_STATUSES.join(", ")}.`,
      );
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a whole number from 1 (got ${values.limit}).`);
  const since =
    values.since === undefined ? undefined : parseTimeOption(values.since, "--since", Date.now());
  const runs = await withStore(values.store, io, ({ store }) =>
    store.listRuns({
      status: statuses as StoredRunStatus[],
      teamId: values.team,
      since,
      limit,
    }),
  );
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        runs.map(({ config: _config, ...row }) => row),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (runs.length === 0) {
    io.stdout("No runs match.\n");
    return 0;
  }
  io.stdout(`${formatRunTable(runs)}\n`);
  return 0;
}

function formatRunTable(runs: StoredRun[]): string {
  const rows = runs.map((run) => [
    run.runId,
    run.teamId,
    run.status + (run.cancelRequested && !isEndedStatus(run.status) ? "*" : ""),
    formatTime(run.createdAt),
    String(run.lastSeq),
    `${run.inputTokens}/${run.outputTokens}`,
    usd(run.costUsd),
  ]);
  const header = ["RUN", "TEAM", "STATUS", "CREATED", "EVENTS", "TOKENS IN/OUT", "COST"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  const note = runs.some((run) => run.cancelRequested && !isEndedStatus(run.status))
    ? "\n* cancel requested"
    : "";
  return [line(header), ...rows.map(line)].join("\n") + note;
}

async function oneRun(
  action: "show" | "events" | "verify" | "cancel",
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const options: CommandOptions = { ...STORE_OPTION };
  if (action !== "cancel") options.json = { type: "boolean" };
  if (action === "events") options.follow = { type: "boolean", short: "f" };
  const parsed = parseCommand(`runs ${action}`, argv, options);
  const { positionals } = parsed;
  const values = parsed.values as {
    store?: string;
    help?: boolean;
    json?: boolean;
    follow?: boolean;
  };
  if (values.help) return help("runs");
  const runId = onePositional(positionals, `runs ${action}`, "run id");
  return withStore(values.store, io, async (opened) => {
    const run = await findRun(opened, runId);
    switch (action) {
      case "show":
        return showRun(opened, run, values.json === true, io);
      case "events":
        return printEvents(
          opened,
          runId,
          { json: values.json === true, follow: values.follow === true },
          io,
        );
      case "verify":
        return verify(opened, run, values.json === true, io);
      case "cancel":
        return cancel(opened, run, io);
    }
  });
}

async function verify(
  opened: CliRunStore,
  run: StoredRun,
  json: boolean,
  io: CliIO,
): Promise<number> {
  const result = await verifyRunLog(opened.store, run.runId);
  if (json) io.stdout(`${JSON.stringify(result)}\n`);
  if (result.ok) {
    if (!json) io.stdout(`✓ run ${run.runId}: ${result.events} events, hash chain intact.\n`);
    return 0;
  }
  if (!json) {
    io.stderr(`✗ ${result.message}\n`);
    const [stored] = await opened.store.readEvents(run.runId, {
      afterSeq: result.seq - 1,
      limit: 1,
    });
    if (stored?.seq === result.seq)
      io.stderr(`  stored event ${stored.seq}: ${JSON.stringify(stored.event)}\n`);
  }
  return 1;
}

/**
 * Cancels a run: a run nobody runs (paused, waiting for approval, interrupted) is marked
 * cancelled; a running one is asked to stop at its next step boundary.
 */
async function cancel(opened: CliRunStore, run: StoredRun, io: CliIO): Promise<number> {
  const how = "llmteam runs cancel";
  const cancelled = await cancelStoredRun(opened.store, run, { now: Date.now(), how });
  if (!cancelled.ok) {
    io.stderr(`llmteam: ${lowerFirst(cancelled.message)}\n`);
    return 1;
  }
  io.stdout(
    cancelled.outcome === "requested"
      ? `Cancel requested for run ${run.runId}: the process running it stops at its next step boundary.\n`
      : `Run ${run.runId} cancelled (it was ${run.status}).\n`,
  );
  return 0;
}

async function prune(argv: string[], io: CliIO, help: (topic: string) => number): Promise<number> {
  const { values, positionals } = parseCommand("runs prune", argv, {
    ...STORE_OPTION,
    "older-than": { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return help("runs");
  if (positionals.length > 0)
    throw new UsageError(`runs prune takes no arguments. See llmteam runs --help.`);
  const olderThan = values["older-than"];
  if (olderThan === undefined)
    throw new UsageError(
      "runs prune needs --older-than, e.g. --older-than 30d (a duration, or a date such as 2026-01-01).",
    );
  const before = parseTimeOption(olderThan, "--older-than", Date.now());
  const deleted = await withStore(values.store, io, ({ store }) => store.deleteRuns({ before }));
  io.stdout(
    values.json
      ? `${JSON.stringify({ deleted, before })}\n`
      : `Deleted ${deleted} ended run${deleted === 1 ? "" : "s"} (completed, failed or cancelled) last changed before ${formatTime(before)}.\n`,
  );
  return 0;
}
