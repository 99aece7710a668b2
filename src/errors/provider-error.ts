import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("ProviderError");

/** Options of {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** HTTP status, when the provider answered. */
  status?: number;
  /** Whether the same call can succeed if repeated. */
  isRetryable?: boolean;
  /** Delay the provider asked for (from `Retry-After` / `retry-after-ms`), in ms. */
  retryAfterMs?: number;
  /** Provider name, e.g. `openai`. */
  provider?: string;
  /** Model id. */
  model?: string;
  /** Response headers, when the provider answered. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** A model provider failed: HTTP error, network error, bad response, missing key. */
export class ProviderError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "provider_error";
  readonly status: number | undefined;
  readonly isRetryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(message: string, options: ProviderErrorOptions = {}) {
    super(message, options);
    this.status = options.status;
    this.isRetryable = options.isRetryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.model = options.model;
    this.headers = options.headers;
  }

  static override isInstance(error: unknown): error is ProviderError {
    return hasMarker(error, MARKER);
  }
}
