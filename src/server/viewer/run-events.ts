import { apiError, type ApiClient } from "./api-client.js";
import type { ViewedEvent } from "./run-model.js";
import { SseFrameParser } from "./sse-frames.js";

/** Where the page's connection to a run's events stands. */
export type ConnectionState = "connecting" | "live" | "reconnecting" | "ended" | "error";

/** Options of {@link followRunEvents}. */
export interface FollowOptions {
  client: ApiClient;
  runId: string;
  /** Events after this sequence number are read (0: all). */
  afterSeq: number;
  onEvent(event: ViewedEvent): void;
  onConnection(state: ConnectionState, detail?: string): void;
  signal: AbortSignal;
}

/** Answers that retrying will not change: bad request, no or wrong key, unknown run. */
const FINAL_STATUSES = new Set([400, 401, 403, 404]);

/**
 * Reads a run's events from `GET /runs/:id/events` with `fetch` (not `EventSource`, which
 * cannot send the `Authorization` header) and parses the SSE frames itself. When the stream
 * ends or the connection drops, it reconnects with `Last-Event-ID` = the last event received,
 * so every event arrives once and in order; a 204 (the run has ended and nothing is left)
 * ends it. Waits between failed attempts grow from the server's `retry:` up to 10 s.
 */
export async function followRunEvents(options: FollowOptions): Promise<void> {
  const { client, runId, signal } = options;
  let last = options.afterSeq;
  let retryMs = 2000;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(client.url(`runs/${encodeURIComponent(runId)}/events`), {
        headers: client.headers({
          accept: "text/event-stream",
          ...(last > 0 ? { "last-event-id": String(last) } : {}),
        }),
        cache: "no-store",
        signal,
      });
      if (response.status === 204) {
        options.onConnection("ended");
        return;
      }
      if (!response.ok || !response.body) {
        const error = await apiError(response);
        if (FINAL_STATUSES.has(response.status)) {
          options.onConnection("error", error.message);
          return;
        }
        throw error;
      }
      options.onConnection("live");
      failures = 0;
      const parser = new SseFrameParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        for (const frame of parser.push(read.value)) {
          if (frame.retry !== undefined) retryMs = frame.retry;
          if (frame.data === "") continue;
          const event = JSON.parse(frame.data) as ViewedEvent;
          // Handed on even when repeated: the run model ignores and counts repeats.
          last = Math.max(last, event.seq);
          options.onEvent(event);
        }
      }
      // The stream ended: the run ended (the next request answers 204), or the server went away.
    } catch (error) {
      if (signal.aborted) return;
      failures++;
      options.onConnection("reconnecting", error instanceof Error ? error.message : String(error));
    }
    if (failures > 0) await pause(Math.min(retryMs * failures, 10_000), signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
