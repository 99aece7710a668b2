import { randomUUID } from "node:crypto";
import type { StreamEventJSON } from "../events/stream-event.js";
import { sleep } from "../internal/clock.js";
import { UsageError } from "./cli-options.js";
import { readSseMessages } from "./sse-messages.js";

/** Failed attempts in a row after which following a run's events gives up. */
const MAX_FAILURES = 5;

/** A reconnection of {@link RemoteServer.followEvents}: why, and after which event. */
export interface Reconnect {
  reason: string;
  afterSeq: number;
  attempt: number;
}

/**
 * An llmteam server reached over HTTP (`llmteam run --server`): starts runs, follows their
 * events as Server-Sent Events, reconnecting with `Last-Event-ID` when the connection drops,
 * and cancels them. Sends the API key as `Authorization: Bearer`.
 *
 * Errors: an answer 4xx is a `UsageError` (exit code 2: nothing to retry), anything else an
 * `Error`, each naming the server and the problem's `detail`.
 */
export class RemoteServer {
  readonly url: string;

  constructor(
    url: string,
    private readonly apiKey: string | undefined,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--server ${url}: not a URL; give e.g. http://127.0.0.1:8787.`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
      throw new UsageError(`--server ${url}: give an http:// or https:// URL.`);
    this.url = parsed.href.replace(/\/+$/, "");
  }

  /** The team ids the key may use (`GET /v1/models`). */
  async teamIds(): Promise<string[]> {
    const body = (await this.json("GET", "/v1/models")) as { data: { id: string }[] };
    return body.data.map((model) => model.id);
  }

  /**
   * Starts a run (`POST /teams/:id/runs`), with an `Idempotency-Key` so that a request repeated
   * after a dropped connection finds the same run. @returns the run id.
   */
  async startRun(teamId: string, input: Record<string, unknown>): Promise<string> {
    const headers = { "idempotency-key": randomUUID() };
    for (let attempt = 1; ; attempt++) {
      try {
        const body = (await this.json(
          "POST",
          `/teams/${encodeURIComponent(teamId)}/runs`,
          { input },
          headers,
        )) as { runId: string };
        return body.runId;
      } catch (error) {
        if (!(error instanceof NetworkError) || attempt >= 3) throw error;
        await sleep(250 * attempt);
      }
    }
  }

  /** Asks the server to cancel a run (`POST /runs/:id/cancel`). */
  async cancel(runId: string): Promise<void> {
    await this.json("POST", `/runs/${encodeURIComponent(runId)}/cancel`);
  }

  /**
   * A run's events from the start, each once, until the run ends. A dropped connection (or a
   * server restarting) is reconnected with `Last-Event-ID`, after a short wait that grows up to
   * the server's `retry:`; after {@link MAX_FAILURES} failed attempts in a row it gives up.
   * `signal` stops following (it throws the signal's reason); the run goes on.
   */
  async *followEvents(
    runId: string,
    onReconnect: (reconnect: Reconnect) => void,
    signal?: AbortSignal,
  ): AsyncGenerator<StreamEventJSON> {
    const path = `/runs/${encodeURIComponent(runId)}/events`;
    let afterSeq = 0;
    let retryMs = 2000;
    let failures = 0;
    for (;;) {
      let reason: string;
      try {
        const response = await this.request(
          "GET",
          path,
          undefined,
          {
            accept: "text/event-stream",
            ...(afterSeq > 0 ? { "last-event-id": String(afterSeq) } : {}),
          },
          signal,
        );
        if (response.status === 204) return;
        if (!response.ok || response.body === null) throw await problemError(this.url, response);
        for await (const message of readSseMessages(response.body)) {
          if (message.retryMs !== undefined) retryMs = message.retryMs;
          if (message.data === "") continue;
          failures = 0;
          const event = JSON.parse(message.data) as StreamEventJSON;
          afterSeq = Number(message.id ?? event.seq);
          yield event;
        }
        reason = "the server closed the stream";
      } catch (error) {
        signal?.throwIfAborted();
        if (!(error instanceof NetworkError) && !isDropped(error)) throw error;
        reason = (error as Error).message;
      }
      failures++;
      if (failures > MAX_FAILURES)
        throw new Error(
          `Lost the events of run ${runId} from ${this.url} after event ${afterSeq} (${reason}); ${MAX_FAILURES} reconnections failed. Follow it again with: curl -N -H "Last-Event-ID: ${afterSeq}" ${this.url}${path}`,
        );
      onReconnect({ reason, afterSeq, attempt: failures });
      await sleep(Math.min(retryMs, 250 * 2 ** (failures - 1)), signal);
    }
  }

  private async json(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await this.request(method, path, body, headers);
    if (!response.ok) throw await problemError(this.url, response);
    return response.json();
  }

  private async request(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        ...(signal ? { signal } : {}),
        headers: {
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      signal?.throwIfAborted();
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new NetworkError(
        `Cannot reach the server at ${this.url}: ${cause ?? (error as Error).message}.`,
      );
    }
  }
}

/** The server could not be reached, or the connection broke. */
class NetworkError extends Error {}

/** A body read that failed because the connection dropped. */
function isDropped(error: unknown): boolean {
  return error instanceof TypeError || (error as { code?: string }).code === "ECONNRESET";
}

/** The error a non-2xx answer stands for: 4xx a `UsageError`, else an `Error`; with the problem's detail. */
async function problemError(url: string, response: Response): Promise<Error> {
  const text = await response.text().catch(() => "");
  let detail = text.trim() || response.statusText;
  try {
    const problem = JSON.parse(text) as { detail?: unknown };
    if (typeof problem.detail === "string") detail = problem.detail;
  } catch {
    // Not JSON: the text as it is.
  }
  const message = `server ${url} answered ${response.status}: ${detail}`;
  return response.status >= 400 && response.status < 500
    ? new UsageError(message)
    : new Error(message);
}
