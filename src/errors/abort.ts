/** True when `error` is an abort (`AbortError` or `TimeoutError` from an `AbortSignal`). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
