import type { ToolFailureReason } from "../errors/tool-execution-error.js";

/** One tool call of a loop, as the agent result reports it. */
export interface ToolCallRecord {
  name: string;
  /** The arguments the model wrote (parsed JSON; the raw text when it was not valid JSON). */
  arguments: unknown;
  output: unknown;
  success: boolean;
  error?: string;
  errorReason?: ToolFailureReason;
  durationMs: number;
  /** The tool round (1-based). */
  round: number;
  callId: string;
}

/** Why the loop ended. */
export type ToolLoopStopReason = "final_answer" | "max_rounds" | "repeated_failure";
