/** One Server-Sent Events message. */
export interface SseMessage {
  /** `event:`; undefined for the default type (`message`). */
  event: string | undefined;
  /** `data:` lines joined by new lines. */
  data: string;
  /** `id:` of this message, if it had one. */
  id: string | undefined;
  /** `retry:`, the reconnection delay the server asks for, in ms. */
  retryMs: number | undefined;
}

/**
 * The messages of a `text/event-stream` body, as the SSE format defines them: lines end with
 * `\n`, `\r\n` or `\r`; a blank line ends a message; `:` lines are comments (heartbeats); a
 * message without `data:` is not dispatched, but its `retry:` is still reported.
 */
export async function* readSseMessages(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SseMessage> {
  let buffer = "";
  let message = blank();
  const decoder = new TextDecoder();
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      // A lone `\r` at the end may be the first half of `\r\n`: wait for more.
      if (match === null || (match[0] === "\r" && match.index === buffer.length - 1)) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line !== "") {
        take(message, line);
        continue;
      }
      if (message.data !== undefined || message.retryMs !== undefined) {
        yield {
          event: message.event,
          data: message.data ?? "",
          id: message.id,
          retryMs: message.retryMs,
        };
      }
      message = blank();
    }
  }
}

interface PendingMessage {
  event: string | undefined;
  data: string | undefined;
  id: string | undefined;
  retryMs: number | undefined;
}

function blank(): PendingMessage {
  return { event: undefined, data: undefined, id: undefined, retryMs: undefined };
}

function take(message: PendingMessage, line: string): void {
  if (line.startsWith(":")) return;
  const colon = line.indexOf(":");
  const field = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? "" : line.slice(colon + 1);
  if (value.startsWith(" ")) value = value.slice(1);
  switch (field) {
    case "event":
      message.event = value;
      break;
    case "data":
      message.data = message.data === undefined ? value : `${message.data}\n${value}`;
      break;
    case "id":
      if (!value.includes("\0")) message.id = value;
      break;
    case "retry":
      if (/^\d+$/.test(value)) message.retryMs = Number(value);
      break;
    default:
      break;
  }
}
