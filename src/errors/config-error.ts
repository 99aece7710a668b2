import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("ConfigError");

/** One problem found in a configuration: where, and what is wrong. */
export interface ConfigIssue {
  /** Path to the bad value, e.g. `["agents", 1, "role"]`. */
  path: (string | number)[];
  /** What is wrong and what is valid. */
  message: string;
  /** File the value came from, when it came from a file. */
  file?: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** 1-based column in `file`, when known. */
  column?: number;
}

/** Formats an issue as `file:line:column path: message`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.file
    ? `${issue.file}${issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ""}` : ""} `
    : "";
  const path = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return `${where}${path}${issue.message}`;
}

/**
 * Configuration is invalid: an agent, a team, a file or a CLI argument.
 * Thrown when the configuration is given (`addAgent`, file load), never halfway through a run.
 */
export class ConfigError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "config_error";
  /** Every problem found, with its path (and file position when read from a file). */
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[] | string, options: { cause?: unknown } = {}) {
    const list = typeof issues === "string" ? [{ path: [], message: issues }] : issues;
    const message =
      list.length === 1
        ? formatConfigIssue(list[0]!)
        : `Invalid configuration (${list.length} problems):\n${list.map((issue) => `  - ${formatConfigIssue(issue)}`).join("\n")}`;
    super(message, options);
    this.issues = list;
  }

  static override isInstance(error: unknown): error is ConfigError {
    return hasMarker(error, MARKER);
  }
}
