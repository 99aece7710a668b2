import type { RunStore, StoredEvent } from "./run-store.js";

/** Events read per page. */
const PAGE = 5000;

/** Every stored event of a run after `afterSeq` (default 0), read in pages. */
export async function readAllEvents(
  store: RunStore,
  runId: string,
  afterSeq = 0,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const after = events.at(-1)?.seq ?? afterSeq;
    const page = await store.readEvents(runId, { afterSeq: after, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}
