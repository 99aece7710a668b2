import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("GroupTeamFailedError");

/** A team of a group failed and no fallback team could take its place. */
export class GroupTeamFailedError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "group_team_failed";

  constructor(
    message: string,
    /** The teams that failed for good. */
    readonly teamIds: string[],
    /** What the other teams produced, when the group's role keeps partial output. */
    readonly partialOutput?: unknown,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }

  static override isInstance(error: unknown): error is GroupTeamFailedError {
    return hasMarker(error, MARKER);
  }
}
