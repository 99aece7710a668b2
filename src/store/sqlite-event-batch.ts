import type { StreamEventJSON } from "../events/stream-event.js";
import type { EventRow } from "./run-store-rows.js";
import type { StoredEvent } from "./run-store.js";

/**
 * How the SQLite run store keeps a commit's events: one row per commit (a batch), not one per
 * event. The row holds the seq range, the events' canonical JSON as one JSON array and their
 * chained hashes (64 hex characters each, in order), so a durability point writes one row and
 * one index entry however many events it carries. Reads give back one {@link StoredEvent} per
 * event, with its own hash, so the hash chain is checked event by event as before.
 */

/** Length of one hash in a batch's `hashes` column (SHA-256 in hex). */
const HASH_LENGTH = 64;

/** A batch's columns, as stored. */
export interface EventBatchRow {
  first_seq: number | bigint;
  last_seq: number | bigint;
  events: string;
  hashes: string;
}

/** The `events` and `hashes` columns of a batch of prepared event rows (at least one). */
export function encodeEventBatch(rows: readonly EventRow[]): { events: string; hashes: string } {
  let events = "[";
  let hashes = "";
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    events += index === 0 ? row.json : `,${row.json}`;
    hashes += row.hash;
  }
  return { events: `${events}]`, hashes };
}

/** The hash of event `seq` of a batch, or undefined when the batch does not hold it. */
export function hashInBatch(row: EventBatchRow, seq: number): string | undefined {
  const offset = (seq - Number(row.first_seq)) * HASH_LENGTH;
  if (offset < 0 || offset + HASH_LENGTH > row.hashes.length) return undefined;
  return row.hashes.slice(offset, offset + HASH_LENGTH);
}

/**
 * The events of a batch, each with its `seq` and hash, appended to `into` when `seq > afterSeq`.
 *
 * An intact batch holds one event and one hash per seq of its range: the event at position `i`
 * is `first_seq + i`. A batch edited by hand may not: when it holds fewer or more events than
 * its range, each event is placed by its own `seq` (one that names no position of the range is
 * left out), so a deleted event leaves a gap that `verifyRunLog` names as missing; its hash is
 * the one at the same position, or at its `seq` when only events were removed. Events moved or
 * changed inside an intact-length batch keep their positions, so the chain names them as
 * reordered or altered.
 */
export function decodeEventBatch(row: EventBatchRow, afterSeq: number, into: StoredEvent[]): void {
  const first = Number(row.first_seq);
  const count = Number(row.last_seq) - first + 1;
  const parsed: unknown = JSON.parse(row.events);
  const events = (Array.isArray(parsed) ? parsed : [parsed]) as StreamEventJSON[];
  const hashCount = Math.floor(row.hashes.length / HASH_LENGTH);
  const hashAt = (position: number) =>
    row.hashes.slice(position * HASH_LENGTH, (position + 1) * HASH_LENGTH);
  if (events.length === count) {
    for (let index = 0; index < count; index++) {
      const seq = first + index;
      if (seq > afterSeq) into.push({ seq, event: events[index]!, hash: hashAt(index) });
    }
    return;
  }
  const taken = new Set<number>();
  const placed: StoredEvent[] = [];
  events.forEach((event, index) => {
    const seq = (event as { seq?: unknown } | null)?.seq;
    if (typeof seq !== "number" || seq < first || seq >= first + count || taken.has(seq)) return;
    taken.add(seq);
    const hash = hashCount === events.length ? hashAt(index) : hashAt(seq - first);
    placed.push({ seq, event, hash });
  });
  placed.sort((left, right) => left.seq - right.seq);
  for (const event of placed) if (event.seq > afterSeq) into.push(event);
}
