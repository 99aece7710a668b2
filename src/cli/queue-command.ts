import { RunQueue } from "../worker/run-queue.js";
import { queueStatus, type QueueStatus } from "../worker/queue-status.js";
import { listSchedules, type ScheduleInfo } from "../worker/schedules.js";
import { failedRuns, retryRuns, type FailedRun } from "../worker/retry-runs.js";
import { parseCommand, queueNameOption, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { QUEUE_HELP, SCHEDULES_HELP } from "./worker-help.js";

/** `llmteam queue status` and `llmteam queue retry`. */
export async function queueCommand(argv: string[], io: CliIO): Promise<number> {
  const action = argv.find((arg) => !arg.startsWith("-"));
  if (action === "retry") return retryCommand(argv, io);
  return withQueue("queue", "status", QUEUE_HELP, argv, io, async (queue, json) => {
    const status = await queueStatus(queue);
    const failed = await failedRuns(queue);
    io.stdout(
      json
        ? `${JSON.stringify({ ...status, failedRuns: failed }, null, 2)}\n`
        : formatStatus(status) + formatFailed(failed, status.totals.failed),
    );
  });
}

/** `llmteam queue retry <run id>... | --all-failed`. */
async function retryCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("queue", argv, {
    ...QUEUE_FLAGS,
    store: { type: "string" },
    "all-failed": { type: "boolean" },
  });
  if (values.help) {
    io.stdout(`${QUEUE_HELP}\n`);
    return 0;
  }
  const runIds = positionals.slice(1);
  const all = values["all-failed"] === true;
  if (all === runIds.length > 0) {
    throw new UsageError(
      "usage: llmteam queue retry <run id>... or llmteam queue retry --all-failed (one of them). See llmteam queue --help.",
    );
  }
  const storeSpec = values.store ?? io.env.LLMTEAM_RUN_STORE;
  if (storeSpec === undefined) {
    throw new UsageError(
      "llmteam queue retry needs --store <url> (or $LLMTEAM_RUN_STORE), the run store the workers share: a failed run is marked there to resume from its last stored step.",
    );
  }
  const queue = await openQueue(values, io);
  const { openRunStore } = await import("../store/open-run-store.js");
  const store = await openRunStore(storeSpec).catch(async (error: unknown) => {
    await queue.close();
    throw error;
  });
  try {
    const retried = await retryRuns(queue, store, all ? { allFailed: true } : { runIds });
    if (values.json === true) io.stdout(`${JSON.stringify(retried, null, 2)}\n`);
    else {
      for (const run of retried) {
        io.stdout(
          run.retried
            ? `${run.runId}: back in queue "${queue.name}"\n`
            : `${run.runId}: not retried: ${run.reason}\n`,
        );
      }
      if (retried.length === 0) io.stdout(`Queue "${queue.name}" has no failed runs.\n`);
    }
    return retried.every((run) => run.retried) ? 0 : 1;
  } finally {
    await store.close();
    await queue.close();
  }
}

/** `llmteam schedules list`. */
export async function schedulesCommand(argv: string[], io: CliIO): Promise<number> {
  return withQueue("schedules", "list", SCHEDULES_HELP, argv, io, async (queue, json) => {
    const schedules = await listSchedules(queue);
    io.stdout(
      json ? `${JSON.stringify(schedules, null, 2)}\n` : formatSchedules(queue.name, schedules),
    );
  });
}

const QUEUE_FLAGS = {
  redis: { type: "string" },
  queue: { type: "string" },
  "queue-name": { type: "string" },
  prefix: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

async function withQueue(
  command: string,
  action: string,
  help: string,
  argv: string[],
  io: CliIO,
  body: (queue: RunQueue, json: boolean) => Promise<void>,
): Promise<number> {
  const { values, positionals } = parseCommand(command, argv, QUEUE_FLAGS);
  if (values.help) {
    io.stdout(`${help}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== action)
    throw new UsageError(
      `usage: llmteam ${command} ${action} [--redis <url>]. See llmteam ${command} --help.`,
    );
  const queue = await openQueue(values, io, command);
  try {
    await body(queue, values.json === true);
  } finally {
    await queue.close();
  }
  return 0;
}

async function openQueue(
  values: {
    redis?: string | undefined;
    queue?: string | undefined;
    "queue-name"?: string | undefined;
    prefix?: string | undefined;
  },
  io: CliIO,
  command = "queue",
): Promise<RunQueue> {
  const queueName = queueNameOption(values, command);
  const redis = values.redis ?? io.env.LLMTEAM_REDIS_URL;
  if (redis === undefined)
    throw new UsageError(`llmteam ${command} needs --redis <url> (or $LLMTEAM_REDIS_URL).`);
  return RunQueue.open({
    redis,
    ...(queueName === undefined ? {} : { queueName }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
  });
}

function formatFailed(failed: FailedRun[], total: number): string {
  if (failed.length === 0) return "";
  const lines = failed.map(
    (run) =>
      `  ${run.runId}  ${run.teamId}  ${run.failedAt === undefined ? "" : `${new Date(run.failedAt).toISOString()}  `}${run.reason}`,
  );
  const more = total > failed.length ? `  … and ${total - failed.length} more\n` : "";
  return `Failed runs (retry with llmteam queue retry <run id> or --all-failed):\n${lines.join("\n")}\n${more}`;
}

function formatStatus(status: QueueStatus): string {
  const header = ["team", "waiting", "active", "delayed", "failed"];
  const rows = Object.entries(status.teams)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([team, counts]) =>
      [team, counts.waiting, counts.active, counts.delayed, counts.failed].map(String),
    );
  const { totals } = status;
  rows.push(
    ["all teams", totals.waiting, totals.active, totals.delayed, totals.failed].map(String),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join("  ");
  return `Queue "${status.queue}": ${totals.completed} completed runs kept${status.truncated ? " (per-team counts read the first 10,000 jobs of each state)" : ""}.\n${[header, ...rows].map(line).join("\n")}\n`;
}

function formatSchedules(queueName: string, schedules: ScheduleInfo[]): string {
  if (schedules.length === 0)
    return `Queue "${queueName}" has no schedules. Add schedule: { cron, timeZone, input } to a team file and start a worker with it.\n`;
  const lines = schedules.map(
    (schedule) =>
      `  ${schedule.id.padEnd(20)} ${schedule.cron.padEnd(16)} ${schedule.timeZone.padEnd(16)} next ${schedule.nextRunAt === undefined ? "—" : new Date(schedule.nextRunAt).toISOString()}  input ${JSON.stringify(schedule.input)}`,
  );
  return `Schedules of queue "${queueName}":\n${lines.join("\n")}\n`;
}
