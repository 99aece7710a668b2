import type { Usage } from "../events/usage.js";
import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("ToolExecutionError");

/**
 * Why a tool call or a tool loop failed:
 * - `unknown_tool`: the model asked for a tool the agent does not have;
 * - `invalid_arguments`: the arguments were not valid JSON or did not match the schema;
 * - `handler_error`: the tool's handler threw;
 * - `timeout`: the handler ran past its time limit;
 * - `denied`: the approval hook refused the call;
 * - `max_rounds`: the model still asked for tools after `maxToolRounds` rounds;
 * - `repeated_failure`: the same tool kept failing with the same arguments.
 */
export type ToolFailureReason =
  | "unknown_tool"
  | "invalid_arguments"
  | "handler_error"
  | "timeout"
  | "denied"
  | "max_rounds"
  | "repeated_failure";

/** Options of {@link ToolExecutionError}. */
export interface ToolExecutionErrorOptions {
  reason: ToolFailureReason;
  /** The tool concerned, when there is one. */
  toolName?: string;
  /** The tool call concerned, when there is one. */
  callId?: string;
  /** Tokens spent before the failure (the tool loop fills it: all its model calls). */
  usage?: Usage;
  /** What the agent result should show (the tool loop fills it: tool calls, rounds, stop reason). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A tool could not do its job, or an agent's tool loop ended without a final answer
 * (`reason` says which). Tool faults inside a loop are fed back to the model as error results;
 * this error is what the agent reports when the loop itself gives up.
 */
export class ToolExecutionError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "tool_execution_error";
  readonly reason: ToolFailureReason;
  readonly toolName: string | undefined;
  readonly callId: string | undefined;
  readonly usage: Usage | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: ToolExecutionErrorOptions) {
    super(message, options);
    this.reason = options.reason;
    this.toolName = options.toolName;
    this.callId = options.callId;
    this.usage = options.usage;
    this.details = options.details;
  }

  static override isInstance(error: unknown): error is ToolExecutionError {
    return hasMarker(error, MARKER);
  }
}
