import type { StreamEvent, StreamEventJSON } from "../events/stream-event.js";
import { sleep } from "../internal/clock.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { ServerContext } from "./server-context.js";

/** One event of a run's log, with its sequence number. */
export interface FedEvent {
  seq: number;
  event: StreamEventJSON;
}

const PAGE = 1000;

/**
 * Every event of a run after `afterSeq`, in order, each once, until the run ends: from the
 * run's live log when this process runs it (token by token), else from the run store (read
 * every `storePollMs` while the run goes on elsewhere). A resumed run's log starts after its
 * stored events, which are read from the store first. Stops when `signal` aborts.
 */
export async function* runEventFeed(
  server: ServerContext,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<FedEvent> {
  let last = afterSeq;
  while (!signal.aborted) {
    const live = server.runs.get(runId);
    if (live) {
      yield* liveEvents(
        live.handle,
        () => last,
        (seq) => (last = seq),
        server,
        runId,
      );
      if (signal.aborted) return;
      // The live log has ended: the store has the same events, committed at the run's end.
    }
    const run = await server.store.getRun(runId);
    for await (const stored of storedEvents(server, runId, last, Infinity)) {
      yield stored;
      last = stored.seq;
    }
    if (run === undefined || isEndedStatus(run.status)) return;
    if (!server.runs.get(runId))
      await sleep(server.settings.storePollMs, signal).catch(() => undefined);
  }
}

/** The live log's events after `last()`; a gap before its first (a resumed run) is read from the store. */
async function* liveEvents(
  handle: AsyncIterable<StreamEvent>,
  last: () => number,
  delivered: (seq: number) => void,
  server: ServerContext,
  runId: string,
): AsyncGenerator<FedEvent> {
  try {
    for await (const event of handle) {
      if (event.seq <= last()) continue;
      if (event.seq > last() + 1) {
        for await (const stored of storedEvents(server, runId, last(), event.seq - 1)) {
          yield stored;
          delivered(stored.seq);
        }
      }
      yield { seq: event.seq, event: event.toDict() };
      delivered(event.seq);
    }
  } catch {
    // The run could not start: what the store has (if anything) is read next.
  }
}

async function* storedEvents(
  server: ServerContext,
  runId: string,
  afterSeq: number,
  untilSeq: number,
): AsyncGenerator<FedEvent> {
  let last = afterSeq;
  for (;;) {
    const page = await server.store.readEvents(runId, { afterSeq: last, limit: PAGE });
    for (const stored of page) {
      if (stored.seq > untilSeq) return;
      yield { seq: stored.seq, event: stored.event };
      last = stored.seq;
    }
    if (page.length < PAGE) return;
  }
}
