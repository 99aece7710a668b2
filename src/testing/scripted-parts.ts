import { APICallError, type LanguageModelV4CallOptions } from "@ai-sdk/provider";

/** A tool call the scripted model asks for. `input` may be an object or raw JSON text. */
export interface ScriptedToolCall {
  toolName: string;
  input: unknown;
  toolCallId?: string;
}

/** An HTTP failure, thrown as the AI SDK's `APICallError` with status and headers. */
export interface ScriptedHttpError {
  status: number;
  headers?: Record<string, string>;
  message?: string;
  body?: string;
}

/** A scripted HTTP failure as the AI SDK's `APICallError` (retryable: 408, 409, 429, 5xx). */
export function httpError(
  error: ScriptedHttpError,
  options: LanguageModelV4CallOptions,
): APICallError {
  const retryable =
    error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
  return new APICallError({
    message: error.message ?? `HTTP ${error.status}`,
    url: "scripted://model",
    requestBodyValues: { prompt: options.prompt },
    statusCode: error.status,
    responseHeaders: error.headers ?? {},
    responseBody: error.body ?? "",
    isRetryable: retryable,
  });
}
