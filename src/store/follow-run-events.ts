import { sleep } from "../internal/clock.js";
import { isEndedStatus } from "./run-store-rows.js";
import type { RunStore, StoredEvent } from "./run-store.js";

/** Options of {@link followRunEvents}. */
export interface FollowRunEventsOptions {
  /** Start after this event (default 0: from the first). */
  afterSeq?: number;
  /** How often the store is read while the run goes on, in ms. Default 250. */
  pollMs?: number;
  /** Events read per query. Default 1,000. */
  pageSize?: number;
  /** Stop following (the generator returns). */
  signal?: AbortSignal;
}

/**
 * Every event of a stored run after `afterSeq`, in order, each once, until the run ends: read
 * from the run store, whichever process or machine runs it (a queued run on any worker, a run
 * resumed elsewhere). The store's log is committed at step boundaries, so events arrive a step
 * at a time. Returns when the run has ended and its last event was yielded, or when `signal`
 * aborts; a run the store does not know (yet) is waited for.
 *
 * @example
 * for await (const { seq, event } of followRunEvents(store, runId)) console.log(seq, event.type);
 */
export async function* followRunEvents(
  store: RunStore,
  runId: string,
  options: FollowRunEventsOptions = {},
): AsyncGenerator<StoredEvent> {
  const { pollMs = 250, pageSize = 1_000, signal } = options;
  let last = options.afterSeq ?? 0;
  while (!signal?.aborted) {
    // Read the status first: events stored before an end are all read below.
    const run = await store.getRun(runId);
    for (;;) {
      const page = await store.readEvents(runId, { afterSeq: last, limit: pageSize });
      for (const stored of page) {
        yield stored;
        last = stored.seq;
      }
      if (page.length < pageSize) break;
    }
    if (run !== undefined && isEndedStatus(run.status)) return;
    try {
      await sleep(pollMs, signal);
    } catch {
      return; // aborted
    }
  }
}
