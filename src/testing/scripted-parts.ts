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
