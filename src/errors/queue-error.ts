import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("QueueError");

/** Options of {@link QueueError}. */
export interface QueueErrorOptions {
  /** What failed: `connect`, `enqueue`, `wait`, `status`, `schedule`. */
  operation: string;
  /** The Redis server as `redis://host:port/db` (never the password), when known. */
  url?: string | undefined;
  /** The run the operation was about, when there is one. */
  runId?: string | undefined;
  cause?: unknown;
}

/**
 * The run queue (BullMQ on Redis) could not do what it was asked: Redis cannot be reached, a
 * wait for a run's result timed out, a queued run's job is unknown.
 *
 * @example
 * if (QueueError.isInstance(error)) console.error(`${error.operation} failed on ${error.url}`);
 */
export class QueueError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "queue_error";
  /** What failed. */
  readonly operation: string;
  /** The Redis server, without its password. */
  readonly url: string | undefined;
  /** The run the operation was about, when there is one. */
  readonly runId: string | undefined;

  constructor(message: string, options: QueueErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    this.url = options.url;
    this.runId = options.runId;
  }

  static override isInstance(error: unknown): error is QueueError {
    return hasMarker(error, MARKER);
  }
}
