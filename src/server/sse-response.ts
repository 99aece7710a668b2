import type { FedFrames } from "./run-event-feed.js";

const encoder = new TextEncoder();

/** Options of {@link sseResponse}. */
export interface SseResponseOptions {
  /** A comment line is sent after this long without an event, in ms. */
  heartbeatMs: number;
  /** Reconnection delay suggested to the client, in ms. */
  retryMs?: number;
  /** Called when the stream ends or the client goes away. */
  onClose?: () => void;
  /** Ends the stream (cleanly: the client sees its end and may reconnect elsewhere). */
  signal?: AbortSignal;
}

/**
 * A `text/event-stream` response of a run's events: `event:` the type, `id:` the sequence
 * number (what `Last-Event-ID` resumes from), `data:` the event as JSON. Frames are pulled as
 * the client reads: the server holds one batch for a client that has not read the last one (plus
 * what the socket buffers), so a slow client never slows the run or other clients; it only falls
 * behind in the run's log. A client going away stops reading; it does not cancel the run.
 */
export function sseResponse(
  feed: AsyncGenerator<FedFrames>,
  options: SseResponseOptions,
): Response {
  let pending: Promise<IteratorResult<FedFrames>> | undefined;
  let closed = false;
  let end: (() => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    if (end) options.signal?.removeEventListener("abort", end);
    options.onClose?.();
    void feed.return(undefined).catch(() => undefined);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(`retry: ${options.retryMs ?? 2000}\n\n`));
        end = () => {
          if (closed) return;
          controller.close();
          close();
        };
        if (options.signal?.aborted) end();
        else options.signal?.addEventListener("abort", end, { once: true });
      },
      async pull(controller) {
        pending ??= feed.next();
        const next = await nextOrBeat(pending, options.heartbeatMs);
        if (closed) return;
        if (next === "beat") {
          controller.enqueue(encoder.encode(": heartbeat\n\n"));
          return;
        }
        pending = undefined;
        if (next.done) {
          controller.close();
          close();
          return;
        }
        controller.enqueue(encoder.encode(next.value.text));
      },
      cancel() {
        close();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * The stream's next item, or `"beat"` when none came within `heartbeatMs` (the stream writes a
 * comment line then, so proxies and clients see it alive); the pending item is kept for the next
 * pull.
 */
export function nextOrBeat<T>(pending: Promise<T>, heartbeatMs: number): Promise<T | "beat"> {
  let timer: NodeJS.Timeout | undefined;
  const beat = new Promise<"beat">((resolve) => {
    timer = setTimeout(() => resolve("beat"), heartbeatMs);
  });
  return Promise.race([pending, beat]).finally(() => clearTimeout(timer));
}
