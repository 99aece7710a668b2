import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { systemClock, type Clock } from "../internal/clock.js";
import { ConfigError } from "../errors/config-error.js";
import { isPostgresUrl, openRunStore } from "../store/open-run-store.js";
import { DEFAULT_RUN_STORE_PATH, SqliteRunStore } from "../store/sqlite-run-store.js";
import type { RunQueue } from "../worker/run-queue.js";
import type { QueuedRuns, ServerQueueOptions } from "./queued-runs.js";
import type { RunStore } from "../store/run-store.js";
import { mountRoutes, type ApiRoute } from "./api-route.js";
import { HttpProblem, problemOf } from "./http-problem.js";
import { LiveRuns } from "./live-runs.js";
import { loadServed, sharedStore, type ServedEntry } from "./load-served.js";
import { costRoutes } from "./routes/cost-routes.js";
import { groupRoutes } from "./routes/group-routes.js";
import { openAIErrorMember } from "./openai/openai-errors.js";
import { openAIRoutes } from "./routes/openai-routes.js";
import { runRoutes } from "./routes/run-routes.js";
import { teamRoutes } from "./routes/team-routes.js";
import { GroupRuns } from "./group-runs.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import { systemRoutes } from "./routes/system-routes.js";
import { viewerRoutes, type ViewerOptions } from "./routes/viewer-routes.js";
import { ServedTeams } from "./served-teams.js";
import type { ServerAuth } from "./server-auth.js";
import type { ApiKey } from "./api-keys.js";
import { serverGuards, type RateLimitOptions, type ServerGuards } from "./server-guards.js";
import type { ServerContext, ServerSettings } from "./server-context.js";
import { listenOn, type ListenOptions, type ListeningServer } from "./listen.js";

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Teams and groups to serve: instances, team or group files, or folders of them. */
  teams: readonly ServedEntry[];
  /**
   * Where runs are stored: a store, or a spec (a SQLite file or a `postgres://` URL). Default:
   * the store the team instances share, else the SQLite file `.llmteam/runs.db`.
   */
  runStore?: RunStore | string;
  /** Who may call the API (default: no keys; `listen` then binds to 127.0.0.1 only). */
  auth?: ServerAuth;
  /**
   * API keys, given hashed (`sha256:<hex>`, see `hashApiKey`): requests must carry one as
   * `Authorization: Bearer <key>` (builds `keyAuth(apiKeys)`; not with `auth`).
   */
  apiKeys?: readonly ApiKey[];
  /** Rate limits per API key and per client address (default: none). */
  rateLimit?: RateLimitOptions;
  /** Browser origins allowed to call the API (`*`: any). Default: none (CORS off). */
  cors?: { origins: readonly string[] };
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** A comment line goes to an idle SSE client after this long, in ms (default 15,000). */
  heartbeatMs?: number;
  /** How often events of a run running elsewhere are read from the store, in ms (default 250). */
  storePollMs?: number;
  /** Ended group runs kept in memory with their events and result (default 100). */
  keptGroupRuns?: number;
  /**
   * Runtime parts of the teams the server builds from files and from `POST /teams`, and of
   * configurations checked with `POST /validate`: model instances, tools, env, budget
   * store, pricing (default: none). The run store is always the server's.
   */
  teamRuntime?: Omit<TeamRuntimeOptions, "runStore" | "enforceLifecycle">;
  /**
   * The run viewer at `/` (docs/server.md, "Run viewer"): on by default, `false` turns it off;
   * `{ directory }` serves a bundle from elsewhere than this package's `dist/viewer/`.
   */
  viewer?: false | ViewerOptions;
  /**
   * Run on workers (docs/scale-out.md): `POST /teams/:id/runs` queues the run on this BullMQ
   * queue (a `redis://` URL, a `RunQueue`, or the queue's options) and answers at once; workers
   * (`llmteam worker`) execute it; its events reach SSE clients from Redis as they happen. Needs
   * a run store the workers share (Postgres). Default: runs execute in the server process.
   */
  queue?: string | RunQueue | ServerQueueOptions;
  /** Where the server writes its log lines (default: stderr). */
  log?: (line: string) => void;
  clock?: Clock;
}

/** A server: a hono app over teams, their runs and their events. */
export interface LLMTeamServer {
  /** The hono app: mount it in another (`parent.route("/agents", server.app)`). */
  readonly app: Hono;
  /** The web-standard handler (`Request` → `Response`). */
  fetch(request: Request): Promise<Response>;
  readonly context: ServerContext;
  /** Listens on a port (default 8787; host 127.0.0.1 unless keys are configured). */
  listen(options?: ListenOptions): Promise<ListeningServer>;
  /**
   * Stops taking runs (503), parks running ones at their next step boundary as `interrupted`
   * (the next server resumes them), then ends every SSE stream; resolves when the runs are
   * parked or `deadlineMs` has passed.
   */
  shutdown(options?: { deadlineMs?: number }): Promise<{ parked: string[]; unfinished: string[] }>;
  /** Closes the teams and the run store the server opened. */
  close(): Promise<void>;
}

/** Defaults of {@link ServerOptions}. */
export const SERVER_DEFAULTS: ServerSettings = {
  maxBodyBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  storePollMs: 250,
  keptGroupRuns: 100,
};

/**
 * Builds the HTTP API over teams (docs/server.md): runs with resumable SSE, approvals, cost,
 * the OpenAPI document at `/openapi.json`.
 * @throws ConfigError for a team file that does not load, or a team on another run store.
 * @example
 * const server = await createServer({ teams: ["teams/"] });
 * const { url } = await server.listen({ port: 8787 });
 */
export async function createServer(options: ServerOptions): Promise<LLMTeamServer> {
  const given = options.runStore ?? sharedStore(options.teams);
  if (options.queue !== undefined) assertSharedStore(given);
  const opened =
    typeof given === "object" ? undefined : await openRunStore(given ?? DEFAULT_RUN_STORE_PATH);
  const store = opened ?? (given as RunStore);
  const queued = await openQueue(options.queue, store).catch(async (error: unknown) => {
    await opened?.close();
    throw error;
  });
  const teamRuntime = withoutServerKeys(options.teamRuntime ?? {});
  const served = await loadServed(options.teams, store, teamRuntime);
  const teams = new ServedTeams(served.teams, served.groups);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const guards = await serverGuards(options, clock, log);
  const closing = new AbortController();
  const context: ServerContext = {
    teams,
    store,
    runs: new LiveRuns(store),
    ...(queued ? { queue: queued } : {}),
    groupRuns: new GroupRuns(options.keptGroupRuns ?? SERVER_DEFAULTS.keptGroupRuns),
    teamRuntime,
    auth: guards.auth,
    clock,
    closing: closing.signal,
    settings: {
      maxBodyBytes: options.maxBodyBytes ?? SERVER_DEFAULTS.maxBodyBytes,
      heartbeatMs: options.heartbeatMs ?? SERVER_DEFAULTS.heartbeatMs,
      storePollMs: options.storePollMs ?? SERVER_DEFAULTS.storePollMs,
      keptGroupRuns: options.keptGroupRuns ?? SERVER_DEFAULTS.keptGroupRuns,
    },
    log,
  };
  const app = buildApp(context, guards, options.viewer);
  // Teams the server built (from files, or over HTTP) are closed by it; instances by their owner.
  const ownedTeams = () => teams.allTeams().filter((team) => !options.teams.includes(team));
  return {
    app,
    fetch: async (request) => app.fetch(request),
    context,
    listen: (listen) => listenOn(app, context, listen),
    async shutdown({ deadlineMs = 30_000 } = {}) {
      await context.groupRuns.shutdown();
      const outcome = await context.runs.shutdown(deadlineMs);
      closing.abort();
      return outcome;
    },
    async close() {
      closing.abort();
      await Promise.all(ownedTeams().map((team) => team.close()));
      await guards.close();
      await queued?.close();
      await opened?.close();
    },
  };
}

/** The queue of a queue-backed server, opened; `undefined` without one. */
async function openQueue(
  queue: ServerOptions["queue"],
  store: RunStore,
): Promise<QueuedRuns | undefined> {
  if (queue === undefined) return undefined;
  // Loaded only here: it brings the queue engine (bullmq), which a server without one never needs.
  const [{ QueuedRuns }, { RunQueue }] = await Promise.all([
    import("./queued-runs.js"),
    import("../worker/run-queue.js"),
  ]);
  const options = typeof queue === "string" || queue instanceof RunQueue ? { redis: queue } : queue;
  return QueuedRuns.open(options, store);
}

/**
 * A queue's workers run elsewhere and must see the runs the server reads: a SQLite file (the
 * default store) is one machine's.
 * @throws ConfigError naming what is valid.
 */
function assertSharedStore(given: RunStore | string | undefined): void {
  const local =
    given === undefined
      ? "no run store (the default is the SQLite file .llmteam/runs.db)"
      : typeof given === "string"
        ? isPostgresUrl(given)
          ? undefined
          : `the SQLite file "${given}"`
        : given instanceof SqliteRunStore
          ? `a SqliteRunStore (${given.path})`
          : undefined;
  if (local === undefined) return;
  throw new ConfigError(
    `A server with a queue needs a run store its workers share, and it was given ${local}. Give runStore a postgres:// URL (llmteam serve --store postgres://…) or a PostgresRunStore, the same the workers use.`,
  );
}

/** Runtime options without the keys the server decides (a run store, lifecycle enforcement). */
function withoutServerKeys(runtime: TeamRuntimeOptions): TeamRuntimeOptions {
  const { runStore: _store, enforceLifecycle: _enforce, ...rest } = runtime;
  return rest;
}

function buildApp(
  context: ServerContext,
  guards: Pick<ServerGuards, "cors" | "rateLimit">,
  viewer: false | ViewerOptions = {},
): Hono {
  const app = new Hono();
  const routes: ApiRoute[] = [];
  routes.push(...systemRoutes(() => routes), ...runRoutes());
  routes.push(...teamRoutes(), ...costRoutes(), ...groupRoutes());
  routes.push(...openAIRoutes());
  if (viewer !== false) routes.push(...viewerRoutes(viewer));
  if (guards.cors) app.use(guards.cors);
  app.use("/v1/*", openAIErrorMember());
  if (guards.rateLimit) app.use(guards.rateLimit);
  app.use(
    bodyLimit({
      maxSize: context.settings.maxBodyBytes,
      onError: () => {
        throw new HttpProblem(
          413,
          `The request body is larger than the server's limit of ${context.settings.maxBodyBytes} bytes.`,
        );
      },
    }),
  );
  mountRoutes(app, routes, context);
  app.onError((error) => {
    const problem = problemOf(error);
    // An HttpProblem is an answer the server chose (a 503 while shutting down), not a failure.
    if (problem.status >= 500 && !(error instanceof HttpProblem)) {
      context.log(`llmteam serve: ${error.stack ?? String(error)}`);
    }
    return problem.toResponse();
  });
  app.notFound((c) => notFound(routes, c.req.method, c.req.path).toResponse());
  return app;
}

/** 405 with `Allow` when the path exists with other methods, else 404. */
function notFound(routes: readonly ApiRoute[], method: string, path: string): HttpProblem {
  const allowed = routes
    .filter((route) => new RegExp(`^${route.path.replace(/:[^/]+/g, "[^/]+")}$`).test(path))
    .map((route) => route.method);
  if (allowed.length > 0) {
    return new HttpProblem(
      405,
      `${method} is not allowed on ${path}. Allowed: ${allowed.join(", ")}.`,
      {
        headers: { allow: allowed.join(", ") },
      },
    );
  }
  return new HttpProblem(404, `No route ${method} ${path}. The API is described at /openapi.json.`);
}
