import { RunStoreError } from "../errors/run-store-error.js";
import { canonicalJson, chainHash, GENESIS_HASH } from "./run-log-hash.js";
import { readAllEvents } from "./read-all-events.js";
import type { RunStore, StoredEvent } from "./run-store.js";

/** What {@link verifyRunLog} found: an intact chain, or the first event that breaks it. */
export type RunLogVerification =
  | { ok: true; events: number }
  | {
      ok: false;
      /** The first event (position in the log) that is not as it was stored. */
      seq: number;
      /**
       * `altered`: its content or hash changed; `missing`: it is not in the log (deleted);
       * `reordered`: an event stored at another position is here.
       */
      problem: "altered" | "missing" | "reordered";
      message: string;
    };

/**
 * Recomputes the hash chain of a stored run log (`hash = sha256(previous hash + canonical JSON
 * of the event)`, 64 zeros before event 1) and names the first event that was altered, deleted
 * or moved since it was stored. The chain proves the log was not edited after the fact without
 * also recomputing every later hash; it is not a signature.
 *
 * @throws RunStoreError when the store has no such run.
 * @example
 * const check = await verifyRunLog(store, runId);
 * if (!check.ok) console.error(check.message);
 */
export async function verifyRunLog(store: RunStore, runId: string): Promise<RunLogVerification> {
  const run = await store.getRun(runId);
  if (!run)
    throw new RunStoreError(`No run "${runId}" in the run store to verify.`, {
      operation: "verifyRunLog",
      runId,
    });
  const events = await readAllEvents(store, runId);
  let previousHash = GENESIS_HASH;
  for (let index = 0; index < events.length; index++) {
    const expectedSeq = index + 1;
    const stored = events[index]!;
    if (stored.seq !== expectedSeq) return missing(runId, expectedSeq);
    const json = canonicalJson(stored.event);
    if (chainHash(previousHash, json) !== stored.hash || stored.event.seq !== stored.seq) {
      const problem = belongsElsewhere(events, index, json) ? "reordered" : "altered";
      return fail(runId, expectedSeq, problem);
    }
    previousHash = stored.hash;
  }
  if (events.length < run.lastSeq) return missing(runId, events.length + 1);
  return { ok: true, events: events.length };
}

/**
 * True when the event at `index` is intact but was stored at another position: moved with its
 * hash (its hash chains from another stored hash), or without it (its own `seq` names another
 * position, and the hash stored there is its hash).
 */
function belongsElsewhere(events: StoredEvent[], index: number, json: string): boolean {
  const stored = events[index]!;
  const hashAt = (seq: number): string | undefined =>
    seq === 0 ? GENESIS_HASH : events.find((event) => event.seq === seq)?.hash;
  for (const previous of [GENESIS_HASH, ...events.map((event) => event.hash)]) {
    if (previous !== hashAt(stored.seq - 1) && chainHash(previous, json) === stored.hash)
      return true;
  }
  const home = stored.event.seq;
  if (home === stored.seq || !Number.isInteger(home) || home < 1) return false;
  const previous = hashAt(home - 1);
  return previous !== undefined && chainHash(previous, json) === hashAt(home);
}

function fail(runId: string, seq: number, problem: "altered" | "reordered"): RunLogVerification {
  const message =
    problem === "altered"
      ? `Event ${seq} of run "${runId}" was altered after it was stored: its content does not match its hash in the chain.`
      : `Event ${seq} of run "${runId}" is out of order: the event stored there belongs at another position in the log.`;
  return { ok: false, seq, problem, message };
}

function missing(runId: string, seq: number): RunLogVerification {
  return {
    ok: false,
    seq,
    problem: "missing",
    message: `Event ${seq} of run "${runId}" is missing: it was stored and is no longer in the log.`,
  };
}
