import type { ModelRequest } from "../providers/model-call.js";

/** Tokens assumed for one image or file part whose size is not known as text. */
export const FILE_PART_TOKENS = 1_600;

const MESSAGE_OVERHEAD_TOKENS = 4;
const REQUEST_OVERHEAD_TOKENS = 8;
const toolTokens = new WeakMap<object, number>();

/**
 * An **estimate** of a request's input tokens, made before the call to reserve budget; the
 * provider's reported usage replaces it when the call settles.
 *
 * Rule: `ceil(UTF-8 bytes / 3)` of every text, tool call, tool result and tool definition,
 * plus 4 tokens per message and 8 per request; each image or binary file counts
 * `max(1,600, bytes / 4)` tokens. Bytes / 3 is above the real count for English (~4 bytes a
 * token) and for CJK text (~3 bytes a token), so the estimate leans high, as a reservation should.
 */
export function estimateInputTokens(request: Pick<ModelRequest, "prompt" | "tools">): number {
  let bytes = 0;
  let tokens = REQUEST_OVERHEAD_TOKENS;
  for (const message of request.prompt) {
    tokens += MESSAGE_OVERHEAD_TOKENS;
    if (typeof message.content === "string") {
      bytes += Buffer.byteLength(message.content);
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case "text":
        case "reasoning":
          bytes += Buffer.byteLength(part.text);
          break;
        case "file":
          if (part.mediaType.startsWith("text/") && typeof part.data === "string")
            bytes += Buffer.byteLength(part.data);
          else tokens += Math.max(FILE_PART_TOKENS, Math.ceil(dataBytes(part.data) / 4));
          break;
        default:
          bytes += Buffer.byteLength(JSON.stringify(part));
      }
    }
  }
  if (request.tools && request.tools.length > 0) {
    let tools = toolTokens.get(request.tools);
    if (tools === undefined) {
      tools = Math.ceil(Buffer.byteLength(JSON.stringify(request.tools)) / 3);
      toolTokens.set(request.tools, tools);
    }
    tokens += tools;
  }
  return tokens + Math.ceil(bytes / 3);
}

function dataBytes(data: unknown): number {
  if (typeof data === "string") return Math.floor((data.length * 3) / 4);
  if (data instanceof Uint8Array) return data.byteLength;
  return 0;
}
