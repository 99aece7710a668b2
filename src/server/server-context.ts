import type { Clock } from "../internal/clock.js";
import type { RunStore } from "../store/run-store.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import type { GroupRuns } from "./group-runs.js";
import type { LiveRuns } from "./live-runs.js";
import type { QueuedRuns } from "./queued-runs.js";
import type { ServedTeams } from "./served-teams.js";
import type { ServerAuth } from "./server-auth.js";

/** Settings of a server, resolved (every default applied). */
export interface ServerSettings {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** How often an idle SSE stream sends a comment line, in ms. */
  heartbeatMs: number;
  /** How often the events of a run not live in this process are read from the store, in ms. */
  storePollMs: number;
  /** Ended group runs kept in memory (their events and result), the oldest forgotten first. */
  keptGroupRuns: number;
}

/** What every route handler can reach. */
export interface ServerContext {
  readonly teams: ServedTeams;
  readonly store: RunStore;
  readonly runs: LiveRuns;
  /** The queue runs go to, when workers execute them (`createServer({ queue })`). */
  readonly queue?: QueuedRuns;
  /** Group runs started here, kept in memory (group runs are not stored). */
  readonly groupRuns: GroupRuns;
  /** Runtime parts of the teams the server builds (files, `POST /teams`) and checks (`/validate`). */
  readonly teamRuntime: TeamRuntimeOptions;
  readonly auth: ServerAuth;
  readonly clock: Clock;
  /** Aborted when the server shuts down or closes: SSE streams end then. */
  readonly closing: AbortSignal;
  readonly settings: ServerSettings;
  /** Writes a line to the server's log (stderr by default); never given secrets. */
  log(message: string): void;
}
