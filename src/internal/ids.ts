import { randomUUID } from "node:crypto";

/** A new run id: `run_` and a random UUID. */
export function newRunId(): string {
  return `run_${randomUUID()}`;
}
