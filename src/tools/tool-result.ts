import type { MeteredCall } from "../cost/usage-meter.js";
import type { EventSink } from "../events/event-sink.js";
import type { ToolFailureReason } from "../errors/tool-execution-error.js";

/** What a tool's handler receives besides its arguments. */
export interface ToolContext {
  /** Aborted when the run is cancelled or the tool's time limit passes: stop work then. */
  signal: AbortSignal;
  /** The id of this call (the model's tool call id inside a tool loop). */
  callId: string;
  /** The name the tool was called by. */
  toolName: string;
  /** The run's events, tagged with the calling agent (inside a team's tool loop only). */
  events?: EventSink | undefined;
  /**
   * Counts a call of a model that is not the agent's own (an embedding) in the run's usage,
   * cost and budgets, like a model call (inside a team's tool loop only; see `knowledge_search`).
   */
  meter?: (<T>(call: MeteredCall<T>) => Promise<T>) | undefined;
  /**
   * The same for this call when a stored run is resumed and the call is made again: run id,
   * agent path, tool round and call id (`callId` outside a run). Side-effecting tools can
   * deduplicate on it (see docs/durable-runs.md).
   */
  idempotencyKey: string;
}

/** A tool's handler: sync or async, one argument object. */
export type ToolHandler<Args, Output> = (
  args: Args,
  context: ToolContext,
) => Output | Promise<Output>;

/**
 * The outcome of one tool call. `ToolExecutor.execute` never throws for a tool fault: it
 * returns `success: false` with `error` saying what went wrong.
 */
export interface ToolResult<Output = unknown> {
  success: boolean;
  /** What the handler returned (undefined on failure). */
  output: Output | undefined;
  /** What went wrong, written for the model to read and correct (undefined on success). */
  error: string | undefined;
  /** The kind of failure (undefined on success). */
  errorReason: ToolFailureReason | undefined;
  /** Time from the call to its result, on the executor's clock. */
  durationMs: number;
  toolName: string;
  callId: string;
}

/** One entry of `ToolExecutor.history`: a call with its arguments, result and timing. */
export interface ToolHistoryEntry {
  toolName: string;
  callId: string;
  /** The arguments as given (before validation and coercion). */
  arguments: unknown;
  result: ToolResult;
  /** When the call started, in ms since the epoch (executor's clock). */
  startedAt: number;
}
