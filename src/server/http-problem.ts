import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { ConfigError } from "../errors/config-error.js";
import { LifecycleError } from "../errors/lifecycle-error.js";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { RunStoreError } from "../errors/run-store-error.js";

/** The media type of an RFC 9457 problem document. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Options of {@link HttpProblem}. */
export interface HttpProblemOptions {
  /** A short, stable summary of the problem type (default: the status's reason phrase). */
  title?: string;
  /** Extra members of the problem document (e.g. `issues`, `allowed`). */
  extra?: Record<string, unknown>;
  /** Response headers (e.g. `Allow`, `Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * An HTTP error the server answers with an RFC 9457 `application/problem+json` body:
 * `{ type, title, status, detail, ...extra }`. `detail` says what is wrong and what is valid.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, options: HttpProblemOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpProblem";
    this.status = status;
    this.title = options.title ?? TITLES[status] ?? "Error";
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The problem as a `Response`. */
  toResponse(): Response {
    const body = {
      type: "about:blank",
      title: this.title,
      status: this.status,
      detail: this.message,
      ...this.extra,
    };
    return new Response(JSON.stringify(body), {
      status: this.status,
      headers: { "content-type": PROBLEM_CONTENT_TYPE, ...this.headers },
    });
  }
}

/**
 * The problem an error thrown by a handler stands for: an `HttpProblem` as it is; llmteam's
 * errors by blame (bad configuration or input 400, a lifecycle rule 409, a budget 402, a run
 * store that cannot be reached 503); anything else a 500 that does not leak its message or
 * stack (the server logs it).
 */
export function problemOf(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (ConfigError.isInstance(error)) {
    return new HttpProblem(400, error.message, { extra: { issues: error.issues }, cause: error });
  }
  if (LifecycleError.isInstance(error)) {
    return new HttpProblem(409, error.message, { extra: { code: error.code }, cause: error });
  }
  if (BudgetExceededError.isInstance(error)) {
    return new HttpProblem(402, error.message, {
      title: "Budget Exceeded",
      extra: { code: error.code },
      cause: error,
    });
  }
  if (RunStoreError.isInstance(error)) {
    return new HttpProblem(503, error.message, { extra: { code: error.code }, cause: error });
  }
  if (LLMTeamError.isInstance(error)) {
    return new HttpProblem(400, error.message, { extra: { code: error.code }, cause: error });
  }
  return new HttpProblem(500, "The server failed to handle the request; see its log.", {
    cause: error,
  });
}
