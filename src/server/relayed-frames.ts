import { isEndedStatus } from "../store/run-store-rows.js";
import type { RelayedMessage, RunEventRelay } from "./run-event-relay.js";
import type { ServerContext } from "./server-context.js";

/** Consecutive SSE frames of a run, ending with the event numbered `lastSeq`. */
export interface FedFrames {
  lastSeq: number;
  text: string;
}

/** How often a followed run on a worker is checked in the store when nothing was heard, in ms. */
export const RELAY_CHECK_MS = 5_000;

/** Frames a worker published, not yet passed on (a gap before them is read from the store first). */
interface Held {
  first: number;
  last: number;
  text: string;
}

/**
 * A run's events after `afterSeq` as SSE frames, when a worker runs it: what the store has
 * first, then the frames the worker publishes as the run goes (token by token), each once, in
 * order. Events published before this reader subscribed and not yet stored come from the run's
 * backlog in Redis; frames after a gap the backlog does not fill either (a message lost with a
 * Redis connection, a backlog trimmed) wait until the store has the gap (the worker commits it
 * at its next step boundary); the store is read again then, and
 * every `RELAY_CHECK_MS` when nothing is heard (a run that ended while its worker died, a run
 * resumed by another). Ends when the run has ended and its last event was passed on.
 */
export async function* relayedFrames(
  server: ServerContext,
  relay: RunEventRelay,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
  storedFrames: (afterSeq: number) => AsyncGenerator<FedFrames>,
  stillQueued: (runId: string) => Promise<boolean>,
): AsyncGenerator<FedFrames> {
  const inbox = new Inbox();
  const stop = await relay.watch(runId, (message) => inbox.push(message));
  try {
    let last = afterSeq;
    let held: Held[] = [];
    let readStore = true;
    let endHeard = false;
    /** The last event passed on when the backlog was last read (once per gap). */
    let backlogReadAfter: number | undefined;
    while (!signal.aborted) {
      if (readStore) {
        readStore = false;
        const run = await server.store.getRun(runId);
        for await (const batch of storedFrames(last)) {
          yield batch;
          last = batch.lastSeq;
        }
        if (run && isEndedStatus(run.status) && last >= run.lastSeq) return;
        if (!run && !(await stillQueued(runId))) return;
        if (backlogReadAfter === undefined && run && !isEndedStatus(run.status)) {
          // Joining a run mid-step: what was published before the subscription.
          backlogReadAfter = last;
          held.push(...(await relay.backlog(runId)));
        }
      }
      const taken = takeContiguous(held, last);
      held = taken.held;
      for (const batch of taken.batches) {
        yield batch;
        last = batch.lastSeq;
      }
      if (taken.broken) {
        readStore = true; // frames that are not one per event: read them from the store
        continue;
      }
      if (held[0] !== undefined && backlogReadAfter !== last) {
        // Published before this reader subscribed, not stored yet: the backlog has them.
        backlogReadAfter = last;
        held.push(...(await relay.backlog(runId)));
        continue;
      }
      // A gap, or an end the store does not show yet: look again soon.
      const soon = held.length > 0 || endHeard;
      const heard = await inbox.wait(signal, soon ? server.settings.storePollMs : RELAY_CHECK_MS);
      if (!heard) readStore = true;
      for (const message of inbox.drain()) {
        if (message.kind === "frames") held.push(message);
        else {
          // The log closed on its worker: the store shows the end once it committed it.
          endHeard = true;
          readStore = true;
        }
      }
    }
  } finally {
    stop();
  }
}

/** Messages heard for one reader, and a wait for the next. */
class Inbox {
  private messages: RelayedMessage[] = [];
  private wake: (() => void) | undefined;

  push(message: RelayedMessage): void {
    this.messages.push(message);
    this.wake?.();
  }

  drain(): RelayedMessage[] {
    const messages = this.messages;
    this.messages = [];
    return messages;
  }

  /** True once a message is here; false after `timeoutMs` or when `signal` aborts. */
  wait(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    if (this.messages.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (heard: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.wake = undefined;
        resolve(heard);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.wake = () => done(true);
    });
  }
}

/**
 * The held frames that follow event `last` without a gap, as batches in order; what is left
 * held (after a gap); `broken` when a message did not split into one frame per event.
 */
function takeContiguous(
  frames: readonly Held[],
  last: number,
): { batches: FedFrames[]; held: Held[]; broken: boolean } {
  const held = frames.filter((held) => held.last > last).sort((l, r) => l.first - r.first);
  const batches: FedFrames[] = [];
  while (held[0] !== undefined && held[0].first <= last + 1) {
    const next = held.shift()!;
    const text = framesAfter(next, last);
    if (text === undefined) return { batches, held, broken: true };
    batches.push({ lastSeq: next.last, text });
    last = next.last;
  }
  return { batches, held, broken: false };
}

/** The frames of `frames` after event `last` (all of them when none is older); `undefined` when they do not split into one frame per event. */
function framesAfter(frames: Held, last: number): string | undefined {
  if (frames.first > last) return frames.text;
  const parts = frames.text.split("\n\n");
  parts.pop();
  if (parts.length !== frames.last - frames.first + 1) return undefined;
  return parts
    .slice(last - frames.first + 1)
    .map((part) => `${part}\n\n`)
    .join("");
}
