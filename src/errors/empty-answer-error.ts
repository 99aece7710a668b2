import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("EmptyAnswerError");

/** A model answered with no text and no tool call: the agent fails rather than report an empty success. */
export class EmptyAnswerError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "empty_answer";

  static override isInstance(error: unknown): error is EmptyAnswerError {
    return hasMarker(error, MARKER);
  }
}
