import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("OutputValidationError");

/**
 * An agent with an `outputSchema` answered something that is not JSON or does not match the
 * schema. The agent fails with this error; `text` is what the model wrote.
 */
export class OutputValidationError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "output_validation";

  constructor(
    message: string,
    /** The model's answer as it came. */
    readonly text: string,
    /** Each mismatch, as `path: problem`. */
    readonly problems: string[] = [],
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }

  static override isInstance(error: unknown): error is OutputValidationError {
    return hasMarker(error, MARKER);
  }
}
