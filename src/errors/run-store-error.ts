import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("RunStoreError");

/** Options of {@link RunStoreError}. */
export interface RunStoreErrorOptions {
  /**
   * The store operation that failed: `open`, `connect`, `migrate`, `createRun`, `commit`,
   * `getRun`, `listRuns`, `readEvents`, `readSnapshot`, `recordDecision`, `readDecisions`,
   * `requestCancel`, `setStatus`, `deleteRuns`.
   */
  operation: string;
  /** The SQLite file, for a file store. */
  path?: string | undefined;
  /** The Postgres server as `postgres://user@host:port/database` (never the password). */
  url?: string | undefined;
  /** The run the operation was about, when there is one. */
  runId?: string | undefined;
  cause?: unknown;
}

/**
 * A run store could not do what it was asked: the database cannot be reached or opened, the file
 * is corrupt or not a run store, its schema was written by a newer llmteam, or the request breaks
 * the log's rules (an unknown run, a duplicate run id, a gap in the event numbers). Nothing is
 * half-written when it is thrown: a failed `commit` stores none of its events.
 *
 * @example
 * if (RunStoreError.isInstance(error)) console.log(`${error.operation} failed on ${error.path ?? error.url}`);
 */
export class RunStoreError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "run_store_error";
  /** The store operation that failed. */
  readonly operation: string;
  /** The SQLite file, for a file store. */
  readonly path: string | undefined;
  /** The Postgres server, without its password. */
  readonly url: string | undefined;
  /** The run the operation was about, when there is one. */
  readonly runId: string | undefined;

  constructor(message: string, options: RunStoreErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    this.path = options.path;
    this.url = options.url;
    this.runId = options.runId;
  }

  static override isInstance(error: unknown): error is RunStoreError {
    return hasMarker(error, MARKER);
  }
}
