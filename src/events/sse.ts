import type { StreamEvent } from "./stream-event.js";

/**
 * Encodes one Server-Sent Events frame. Multi-line data is split into one `data:` line per
 * line, as the SSE format requires; `\r\n` and `\r` count as line breaks.
 */
export function encodeSSE(type: string, id: number | string, data: string): string {
  const lines = data.includes("\n") || data.includes("\r") ? data.split(/\r\n|\r|\n/) : [data];
  let frame = `event: ${type}\nid: ${id}\n`;
  for (const line of lines) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/**
 * Turns a stream of events into a web `ReadableStream` of SSE bytes, ready to return from
 * any web-standard or Node HTTP handler. Cancelling the byte stream stops reading events
 * (which cancels a run's stream).
 *
 * @example
 * return new Response(toSSEStream(team.stream(input)), {
 *   headers: { "content-type": "text/event-stream" },
 * });
 */
export function toSSEStream(events: AsyncIterable<StreamEvent>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.toSSE()));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
