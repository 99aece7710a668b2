/** How a run ended. */
export type RunStatus = "completed" | "failed" | "cancelled" | "budget_exceeded" | "timeout";
