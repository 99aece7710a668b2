import { RunQueue } from "../worker/run-queue.js";
import { queueStatus, type QueueStatus } from "../worker/queue-status.js";
import { listSchedules, type ScheduleInfo } from "../worker/schedules.js";
import { parseCommand, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { QUEUE_HELP, SCHEDULES_HELP } from "./worker-help.js";

/** `llmteam queue status`. */
export async function queueCommand(argv: string[], io: CliIO): Promise<number> {
  return withQueue("queue", "status", QUEUE_HELP, argv, io, async (queue, json) => {
    const status = await queueStatus(queue);
    io.stdout(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  });
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

async function withQueue(
  command: string,
  action: string,
  help: string,
  argv: string[],
  io: CliIO,
  body: (queue: RunQueue, json: boolean) => Promise<void>,
): Promise<number> {
  const { values, positionals } = parseCommand(command, argv, {
    redis: { type: "string" },
    queue: { type: "string" },
    prefix: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${help}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== action)
    throw new UsageError(
      `usage: llmteam ${command} ${action} [--redis <url>]. See llmteam ${command} --help.`,
    );
  const redis = values.redis ?? io.env.LLMTEAM_REDIS_URL;
  if (redis === undefined)
    throw new UsageError(`llmteam ${command} needs --redis <url> (or $LLMTEAM_REDIS_URL).`);
  const queue = await RunQueue.open({
    redis,
    ...(values.queue === undefined ? {} : { queueName: values.queue }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
  });
  try {
    await body(queue, values.json === true);
  } finally {
    await queue.close();
  }
  return 0;
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
