import type { ConfigIssue } from "./config-error.js";
import { formatConfigIssue } from "./config-error.js";
import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("TeamBuildError");

/**
 * The team builder's model did not design a valid team: its last answer still had `issues`
 * after every correction it was allowed (`maxRepairs`). Nothing was written or built.
 */
export class TeamBuildError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "team_build_failed";
  /** What was wrong with the last answer, with paths into it. */
  readonly issues: ConfigIssue[];
  /** Answers the model gave (each one checked and refused). */
  readonly attempts: number;

  constructor(issues: ConfigIssue[], attempts: number, options: { cause?: unknown } = {}) {
    super(
      `The model did not design a valid team in ${attempts} ${attempts === 1 ? "answer" : "answers"}; the last one still had ${issues.length === 1 ? "this problem" : `${issues.length} problems`}:\n${issues.map((issue) => `  - ${formatConfigIssue(issue)}`).join("\n")}`,
      options,
    );
    this.issues = issues;
    this.attempts = attempts;
  }

  static override isInstance(error: unknown): error is TeamBuildError {
    return hasMarker(error, MARKER);
  }
}
