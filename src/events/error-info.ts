/** An error as it travels in events: plain data, JSON-serialisable. */
export interface ErrorInfo {
  name: string;
  message: string;
  /** The llmteam error code (`config_error`, `provider_error`, …) when there is one. */
  code?: string;
  /** HTTP status, for provider errors. */
  status?: number;
}

/** Plain, JSON-serialisable facts about an error, for events and results. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const info: ErrorInfo = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") info.code = code;
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number") info.status = status;
    return info;
  }
  return {
    name: "Error",
    message: typeof error === "string" ? error : (JSON.stringify(error) ?? String(error)),
  };
}
