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
  const inbox: RelayedMessage[] = [];
  let wake: (() => void) | undefined;
  const stop = await relay.watch(runId, (message) => {
    inbox.push(message);
    wake?.();
  });
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
      held = held.filter((frames) => frames.last > last);
      held.sort((left, right) => left.first - right.first);
      while (held[0] !== undefined && held[0].first <= last + 1) {
        const frames = held.shift()!;
        const text = framesAfter(frames, last);
        if (text === undefined) {
          readStore = true; // not one frame per event: read these from the store
          break;
        }
        yield { lastSeq: frames.last, text };
        last = frames.last;
      }
      if (readStore) continue;
      const gapFrom = held[0] === undefined ? undefined : last;
      if (gapFrom !== undefined && backlogReadAfter !== gapFrom) {
        // Published before this reader subscribed, not stored yet: the backlog has them.
        backlogReadAfter = gapFrom;
        held.push(...(await relay.backlog(runId)));
        continue;
      }
      // A gap, or an end the store does not show yet: look again soon.
      const soon = held.length > 0 || endHeard;
      const heard = await next(signal, soon ? server.settings.storePollMs : RELAY_CHECK_MS);
      if (!heard) readStore = true;
      for (const message of inbox.splice(0)) {
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

  function next(abort: AbortSignal, timeoutMs: number): Promise<boolean> {
    if (inbox.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (heard: boolean) => {
        clearTimeout(timer);
        abort.removeEventListener("abort", onAbort);
        wake = undefined;
        resolve(heard);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      abort.addEventListener("abort", onAbort, { once: true });
      wake = () => done(true);
    });
  }
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
