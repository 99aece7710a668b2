const MARKER = Symbol.for("llmteam.error");

/** Options shared by every llmteam error. */
export interface LLMTeamErrorOptions {
  /** The underlying error, kept as the native `cause`. */
  cause?: unknown;
}

/**
 * Base class of every error llmteam throws. Each subclass has a literal `code`.
 * `isInstance()` checks a `Symbol.for` marker, so it works across two copies of the package.
 */
export class LLMTeamError extends Error {
  readonly [MARKER] = true;
  readonly code: string = "llmteam_error";

  constructor(message: string, options: LLMTeamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** True for any llmteam error, from this or another copy of the package. */
  static isInstance(error: unknown): error is LLMTeamError {
    return typeof error === "object" && error !== null && MARKER in error;
  }
}

/** Builds a marker check for one error class, stable across package copies. */
export function errorMarker(name: string): symbol {
  return Symbol.for(`llmteam.error.${name}`);
}

/** True when `error` carries the marker of one error class. */
export function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === "object" && error !== null && marker in error;
}
