import { cliDefaultModel, defaultModelNote } from "./default-model.js";
import { QueueError } from "../errors/queue-error.js";
import type { LLMTeamServer } from "../server/create-server.js";
import type { ListeningServer } from "../server/listen.js";
import type { ServerQueueOptions } from "../server/queued-runs.js";
import { parseApiKeys, readApiKeysFile, type ApiKey } from "../server/api-keys.js";
import { isLoopbackHost } from "../server/listen.js";
import { DEFAULT_REQUESTS_PER_MINUTE } from "../server/server-guards.js";
import { parseCommand, plural, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";

export const SERVE_HELP = `llmteam serve <team files or folders>... [options]

Serves teams and groups over HTTP (docs/server.md): start runs, follow their events as
Server-Sent Events, decide approvals; the API is described at /openapi.json. Every run is kept
in the run store, so a run outlives the server. Prints the server's URL once it listens.

Without API keys the server listens on 127.0.0.1 only (anyone on this machine may use it). With
keys every request needs Authorization: Bearer <key>; make keys with llmteam keys new.

SIGTERM or Ctrl-C shuts down gracefully: new runs are refused (503), running ones stop at their
next step boundary and are stored as interrupted (POST /runs/<id>/resume on the next server goes
on with them), SSE streams end, and the server exits with 0. A second signal exits at once.

Options:
  --port <n>          the port (default 8787; 0: any free port)
  --host <address>    the address to listen on (default 127.0.0.1; any other needs API keys)
  --store <path|url>  the run store: a SQLite file (created) or a postgres://… URL
                      (default: $LLMTEAM_RUN_STORE, else .llmteam/runs.db)
  --keys <file>       API keys, hashed: a YAML or JSON list of { id, hash, scopes, teams? }
                      (default: $LLMTEAM_API_KEYS, the same list inline)
  --rate-limit <n>    requests per minute of each API key, and of each client address without
                      one (default ${DEFAULT_REQUESTS_PER_MINUTE}; 0: no limit); a key's requestsPerMinute wins
  --redis <url>       share the rate limits of every server through Redis (redis://…); when
                      Redis fails, each server counts on its own (a warning is logged)
  --queue <url>       run on workers (docs/scale-out.md): queue each run on the BullMQ queue in
                      this Redis (redis://…) for llmteam worker processes, and answer at once;
                      needs --store postgres://…, the store the workers share
  --queue-name <name> the queue's name (default llmteam-runs), as the workers' --queue
  --prefix <prefix>   the queue's Redis key prefix (default llmteam), as the workers'
  --event-relay <how> how SSE events of runs on workers reach the server: redis (default: each
                      event as it happens) or store (read from the run store every 250 ms)
  --cors <origins>    comma-separated browser origins allowed to call the API (* for any;
                      default: none, CORS off)
  --shutdown-timeout <s>  how long a shutdown waits for runs to reach a step boundary
                      (default 30)
  -h, --help          show this help

Exit codes: 0 stopped by a signal; 1 the server could not start (port in use, store or
queue unreachable); 2 bad usage or configuration (nothing was started).`;

/** `llmteam serve`: resolves with the exit code once the server has shut down (io.signal). */
export async function serveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("serve", argv, {
    port: { type: "string" },
    host: { type: "string" },
    store: { type: "string" },
    keys: { type: "string" },
    "rate-limit": { type: "string" },
    redis: { type: "string" },
    queue: { type: "string" },
    "queue-name": { type: "string" },
    prefix: { type: "string" },
    "event-relay": { type: "string" },
    cors: { type: "string" },
    "shutdown-timeout": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${SERVE_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError(
      "serve needs team or group files, or folders of them: llmteam serve teams/. See llmteam serve --help.",
    );
  }
  const port = whole(values.port, "--port", 8787, 65_535);
  const host = values.host ?? "127.0.0.1";
  const requestsPerMinute = whole(
    values["rate-limit"],
    "--rate-limit",
    DEFAULT_REQUESTS_PER_MINUTE,
  );
  const shutdownSeconds = whole(values["shutdown-timeout"], "--shutdown-timeout", 30);
  if (values.redis !== undefined && requestsPerMinute === 0) {
    throw new UsageError(
      "--redis shares rate limits, and --rate-limit 0 turns them off: give one of them.",
    );
  }
  const keys = await serveKeys(values.keys, io);
  if (keys.length === 0 && !isLoopbackHost(host)) {
    throw new UsageError(
      `refusing to listen on ${host} without API keys: anyone who reaches it could run teams and spend money. Give keys with --keys <file> or $LLMTEAM_API_KEYS (llmteam keys new makes one), or leave out --host (127.0.0.1).`,
    );
  }
  const storeSpec = values.store ?? io.env.LLMTEAM_RUN_STORE;
  const queue = queueOptions(values, storeSpec);
  const cors = corsOrigins(values.cors);
  const { createServer } = await import("../server/create-server.js");
  const server = await createServer({
    teams: positionals,
    teamRuntime: { env: io.env, defaultModel: cliDefaultModel(io.env) },
    ...(queue ? { queue } : {}),
    ...(storeSpec === undefined ? {} : { runStore: storeSpec }),
    ...(keys.length > 0 ? { apiKeys: keys } : {}),
    ...(requestsPerMinute > 0
      ? { rateLimit: { requestsPerMinute, ...(values.redis ? { redis: values.redis } : {}) } }
      : {}),
    ...(cors ? { cors: { origins: cors } } : {}),
    log: (line) => io.stderr(`${line}\n`),
  }).catch((error: unknown) => {
    if (QueueError.isInstance(error) && error.operation === "connect") {
      throw new Error(error.message.replace("--redis / $LLMTEAM_REDIS_URL", "--queue"));
    }
    throw error;
  });
  const listening = await listenOrExplain(server, port, host);
  announce(
    server,
    listening.url,
    { keys, requestsPerMinute, redis: values.redis, cors },
    storeSpec,
    io,
  );
  await stopped(io.signal);
  await shutDown(server, listening, shutdownSeconds, io);
  return 0;
}

/** Listens, or closes the server and says why it cannot (a port in use names --port). */
async function listenOrExplain(
  server: LLMTeamServer,
  port: number,
  host: string,
): Promise<ListeningServer> {
  try {
    return await server.listen({ port, hostname: host });
  } catch (error) {
    await server.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new Error(
        `port ${port} on ${host} is in use. Pick another with --port (0: any free port).`,
      );
    }
    throw error;
  }
}

/** Prints the server's URL and teams (stdout) and how it is set up (stderr). */
function announce(
  server: LLMTeamServer,
  url: string,
  setup: Omit<Parameters<typeof describeSetup>[0], "store">,
  storeSpec: string | undefined,
  io: CliIO,
): void {
  const { teams } = server.context;
  const served = [
    ...teams.allTeams().map((team) => team.teamId),
    ...teams.allGroups().map((group) => `${group.groupId} (group)`),
  ];
  io.stdout(`llmteam serve: listening on ${url} — ${served.join(", ")}\n`);
  io.stderr(`${describeSetup({ ...setup, store: storeName(server.context.store, storeSpec) })}\n`);
  const note = defaultModelNote(teams.allTeams(), cliDefaultModel(io.env));
  if (note) io.stderr(`llmteam serve: ${note}\n`);
  const queued = server.context.queue;
  if (queued) {
    io.stderr(
      `llmteam serve: runs are queued on "${queued.queue.name}" at ${queued.queue.url} for llmteam worker processes; their events reach SSE clients ${queued.relay ? "through Redis as they happen" : "from the run store"}.\n`,
    );
  }
}

/** Shuts the server down gracefully, saying what became of its live runs. */
async function shutDown(
  server: LLMTeamServer,
  listening: ListeningServer,
  shutdownSeconds: number,
  io: CliIO,
): Promise<void> {
  const reason = (io.signal?.reason as Error | undefined)?.message ?? "Stopping.";
  io.stderr(
    `llmteam serve: ${reason} Shutting down: new runs get 503; ${plural(server.context.runs.size, "live run")} stop at their next step boundary (up to ${shutdownSeconds} s; signal again to quit at once).\n`,
  );
  const { parked, unfinished } = await server.shutdown({ deadlineMs: shutdownSeconds * 1000 });
  for (const runId of parked) {
    io.stderr(
      `llmteam serve: run ${runId} stored as interrupted; POST /runs/${runId}/resume on the next server goes on with it.\n`,
    );
  }
  for (const runId of unfinished) {
    io.stderr(
      `llmteam serve: run ${runId} did not reach a step boundary within ${shutdownSeconds} s; it is stored as of its last completed step, status running: resume it with POST /runs/${runId}/resume?force=true.\n`,
    );
  }
  await listening.close();
  await server.close();
  io.stderr("llmteam serve: stopped.\n");
}

/** The queue options of `--queue`, checked; `undefined` without it. @throws UsageError */
function queueOptions(
  values: {
    queue?: string | undefined;
    "queue-name"?: string | undefined;
    prefix?: string | undefined;
    "event-relay"?: string | undefined;
  },
  storeSpec: string | undefined,
): ServerQueueOptions | undefined {
  const relay = values["event-relay"];
  if (values.queue === undefined) {
    const stray = (["queue-name", "prefix", "event-relay"] as const).find((name) => values[name]);
    if (stray) throw new UsageError(`--${stray} goes with --queue redis://…; give --queue too.`);
    return undefined;
  }
  if (!/^rediss?:\/\//i.test(values.queue)) {
    throw new UsageError(
      `--queue takes the Redis URL of the run queue, like redis://127.0.0.1:6379 (got "${values.queue}"); name the queue with --queue-name.`,
    );
  }
  // The pattern of isPostgresUrl, not imported: that module loads both stores' drivers.
  if (storeSpec === undefined || !/^postgres(?:ql)?:\/\//i.test(storeSpec)) {
    throw new UsageError(
      `--queue needs a run store the workers share: give --store postgres://… (or $LLMTEAM_RUN_STORE), the same the workers use; ${storeSpec === undefined ? "the default SQLite file .llmteam/runs.db" : `"${withoutPassword(storeSpec)}"`} is this machine's only.`,
    );
  }
  if (relay !== undefined && relay !== "redis" && relay !== "store") {
    throw new UsageError(`--event-relay must be redis or store (got "${relay}").`);
  }
  return {
    redis: values.queue,
    ...(values["queue-name"] === undefined ? {} : { queueName: values["queue-name"] }),
    ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
    ...(relay === undefined ? {} : { eventRelay: relay }),
  };
}

/** Keys from `--keys <file>`, else `$LLMTEAM_API_KEYS`; none when neither is given. */
async function serveKeys(file: string | undefined, io: CliIO): Promise<ApiKey[]> {
  if (file !== undefined) return readApiKeysFile(file);
  const inline = io.env.LLMTEAM_API_KEYS;
  if (inline === undefined || inline.trim() === "") return [];
  return parseApiKeys(inline, "$LLMTEAM_API_KEYS");
}

function describeSetup(setup: {
  keys: ApiKey[];
  requestsPerMinute: number;
  redis: string | undefined;
  cors: string[] | undefined;
  store: string;
}): string {
  const auth =
    setup.keys.length === 0
      ? "no API keys: listening on this machine only (127.0.0.1); give --keys <file> or $LLMTEAM_API_KEYS to serve other hosts"
      : `${plural(setup.keys.length, "API key")} (${setup.keys.map((key) => key.id).join(", ")})`;
  const limit =
    setup.requestsPerMinute === 0
      ? "no rate limit"
      : `rate limit ${setup.requestsPerMinute} requests/min per key and per address${setup.redis ? `, shared through ${withoutPassword(setup.redis)}` : ""}`;
  const cors = setup.cors ? `CORS: ${setup.cors.join(", ")}` : "CORS off";
  return `llmteam serve: ${auth}; ${limit}; ${cors}; runs stored in ${setup.store}.`;
}

function storeName(store: object, spec: string | undefined): string {
  if ("url" in store) return String(store.url);
  if ("path" in store && typeof store.path === "string") return store.path;
  return spec === undefined ? ".llmteam/runs.db" : withoutPassword(spec);
}

/** A URL with its password replaced by `***` (it is printed). */
function withoutPassword(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return spec;
  }
}

/** An option's whole number in 0..max, or its default. @throws UsageError otherwise. */
function whole(
  value: string | undefined,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() !== "" && Number.isInteger(number) && number >= 0 && number <= max)
    return number;
  throw new UsageError(
    `${name} must be a whole number 0-${max === Number.MAX_SAFE_INTEGER ? "…" : max} (got ${value}).`,
  );
}

/** Resolves when `signal` aborts (never without one). */
function stopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** `--cors a,b`: the origins, trimmed; `undefined` without the flag. */
function corsOrigins(flag: string | undefined): string[] | undefined {
  return flag
    ?.split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}
