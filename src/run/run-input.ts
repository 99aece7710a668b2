import { ConfigError } from "../errors/config-error.js";

/** Options of one run. */
export interface RunOptions {
  /** Aborting it cancels the run: the model call in flight is aborted, status `cancelled`. */
  signal?: AbortSignal;
  /** Id of the run (default: a new random id). */
  runId?: string;
}

/** Run input: named values for the prompts, or a string taken as `{ query }`. */
export type RunInput = Record<string, unknown> | string;

/** The run input as named values: a string is `{ query }`. @throws ConfigError for anything else. */
export function normalizeInput(input: RunInput): Record<string, unknown> {
  if (typeof input === "string") return { query: input };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(
      `Run input must be an object of named values, e.g. { query: "..." }, or a string; got ${Array.isArray(input) ? "an array" : typeof input}.`,
    );
  }
  return input;
}
