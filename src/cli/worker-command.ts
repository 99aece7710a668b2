import { cliDefaultModel } from "./default-model.js";
import { createWorker } from "../worker/create-worker.js";
import { serveWorkerHealth } from "../worker/worker-http.js";
import { parseCommand, plural, queueNameOption, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { WORKER_HELP } from "./worker-help.js";

/** `llmteam worker …`: runs until SIGTERM or Ctrl-C, then stops gracefully. */
export async function workerCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("worker", argv, {
    redis: { type: "string" },
    store: { type: "string" },
    concurrency: { type: "string" },
    queue: { type: "string" },
    "queue-name": { type: "string" },
    prefix: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    name: { type: "string" },
    "lock-duration-ms": { type: "string" },
    "stalled-interval-ms": { type: "string" },
    "max-stalled": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${WORKER_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError(
      "usage: llmteam worker <team files|folders>... --redis <url> --store <url>. See llmteam worker --help.",
    );
  const queueName = queueNameOption(values, "worker");
  const redis = values.redis ?? io.env.LLMTEAM_REDIS_URL;
  if (redis === undefined)
    throw new UsageError("llmteam worker needs --redis <url> (or $LLMTEAM_REDIS_URL).");
  const store = values.store ?? io.env.LLMTEAM_RUN_STORE;
  if (store === undefined)
    throw new UsageError(
      "llmteam worker needs --store <url>, the run store every worker shares (or $LLMTEAM_RUN_STORE): postgres://user@host:5432/db",
    );
  const port = values.port === undefined ? undefined : whole(values.port, "--port", 0, 65_535);
  const worker = await createWorker({
    teams: positionals,
    redis,
    runStore: store,
    env: io.env,
    defaultModel: cliDefaultModel(io.env),
    log: (line) => io.stderr(`${line}\n`),
    ...optional("concurrency", values.concurrency, "--concurrency", 1),
    ...optional("lockDurationMs", values["lock-duration-ms"], "--lock-duration-ms", 100),
    ...optional("stalledIntervalMs", values["stalled-interval-ms"], "--stalled-interval-ms", 100),
    ...optional("maxStalledCount", values["max-stalled"], "--max-stalled", 0),
    ...optionalQueueName(queueName),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(values.name === undefined ? {} : { name: values.name }),
  });
  const health =
    port === undefined
      ? undefined
      : await serveWorkerHealth(worker, {
          port,
          ...(values.host === undefined ? {} : { host: values.host }),
        }).catch(async (error: unknown) => {
          await worker.close();
          throw error;
        });
  io.stderr(
    `llmteam worker ${worker.name}: ${plural(worker.teamIds.length, "team")} (${worker.teamIds.join(", ")}), queue "${worker.queue.name}" on ${worker.queue.url}, concurrency ${worker.metrics().concurrency}${health ? `, health on ${health.url}/health` : ""}.\n`,
  );
  await stopRequested(io.signal);
  io.stderr(`llmteam worker ${worker.name}: stopping; runs in flight pause at their next step.\n`);
  await health?.close();
  await worker.close();
  const metrics = worker.metrics();
  io.stderr(
    `llmteam worker ${worker.name}: stopped after ${metrics.completed} completed, ${metrics.failed} failed, ${metrics.resumed} resumed.\n`,
  );
  return 0;
}

/** Resolves on SIGTERM, or when `signal` (Ctrl-C) aborts. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGTERM", stop);
    if (signal?.aborted) stop();
    signal?.addEventListener("abort", stop, { once: true });
  });
}

function optional<K extends string>(
  key: K,
  value: string | undefined,
  flag: string,
  least: number,
): Partial<Record<K, number>> {
  return value === undefined
    ? {}
    : ({ [key]: whole(value, flag, least, Number.MAX_SAFE_INTEGER) } as Partial<Record<K, number>>);
}

function whole(value: string, flag: string, least: number, most: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < least || number > most)
    throw new UsageError(`${flag} must be a whole number from ${least} to ${most} (got ${value}).`);
  return number;
}

function optionalQueueName(queueName: string | undefined): { queueName?: string } {
  return queueName === undefined ? {} : { queueName };
}
