import { encodeSSE } from "../events/sse.js";
import { sleep } from "../internal/clock.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { RunBroadcast } from "./run-broadcast.js";
import { relayedFrames, type FedFrames } from "./relayed-frames.js";
import type { ServerContext } from "./server-context.js";

export type { FedFrames } from "./relayed-frames.js";

/** Most frames in one batch (a client catching up on a long log reads it in pieces). */
const BATCH = 512;

/**
 * A run's events after `afterSeq` as SSE frames, in order, each once, until the run ends: from
 * the run's live broadcast when this process runs it (token by token; frames are encoded once
 * for all clients), else from the run store (read every `storePollMs` while the run goes on
 * elsewhere). A resumed run's live log starts after its stored events, which are read from the
 * store first. Frames that are ready together come as one batch. Stops when `signal` aborts.
 */
export async function* runEventFeed(
  server: ServerContext,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<FedFrames> {
  let last = afterSeq;
  let relaying = true;
  while (!signal.aborted) {
    const broadcast = server.runs.broadcast(runId);
    if (broadcast) {
      for await (const batch of liveFrames(server, runId, broadcast, last, signal)) {
        yield batch;
        last = batch.lastSeq;
      }
      if (signal.aborted) return;
      // The live log has ended: the store has the same events, committed at the run's end.
    }
    const relay = relaying ? server.queue?.relay : undefined;
    if (relay && !server.runs.get(runId)) {
      const fromStore = (after: number) => storedFrames(server, runId, after, Infinity);
      const queued = (id: string) => stillQueued(server, id);
      try {
        for await (const batch of relayedFrames(
          server,
          relay,
          runId,
          last,
          signal,
          fromStore,
          queued,
        )) {
          yield batch;
          last = batch.lastSeq;
        }
        return;
      } catch (error) {
        // Redis failed under the relay: the store has every event, a step at a time.
        relaying = false;
        server.log(
          `llmteam serve: relaying the events of run ${runId} through Redis failed (${(error as Error).message}); reading them from the run store instead.`,
        );
      }
    }
    const run = await server.store.getRun(runId);
    for await (const batch of storedFrames(server, runId, last, Infinity)) {
      yield batch;
      last = batch.lastSeq;
    }
    if (run === undefined && !(await stillQueued(server, runId))) return;
    if (run !== undefined && isEndedStatus(run.status)) return;
    if (!server.runs.get(runId)) {
      await sleep(server.settings.storePollMs, signal).catch(() => undefined);
    }
  }
}

/** The live broadcast's frames after `after`; a gap before its first (a resumed run) comes from the store. */
async function* liveFrames(
  server: ServerContext,
  runId: string,
  broadcast: RunBroadcast,
  after: number,
  signal: AbortSignal,
): AsyncGenerator<FedFrames> {
  await broadcast.wait(0, signal);
  const first = broadcast.seqs[0];
  if (first !== undefined && first > after + 1) {
    for await (const batch of storedFrames(server, runId, after, first - 1)) {
      yield batch;
      after = batch.lastSeq;
    }
  }
  let index = broadcast.indexAfter(after);
  while (!signal.aborted) {
    await broadcast.wait(index, signal);
    const end = Math.min(broadcast.frames.length, index + BATCH);
    if (end === index) {
      if (broadcast.ended) return;
      continue;
    }
    yield { lastSeq: broadcast.seqs[end - 1]!, text: broadcast.frames.slice(index, end).join("") };
    index = end;
  }
}

/** The stored events after `afterSeq` up to `untilSeq`, as frames in batches. */
export async function* storedFrames(
  server: ServerContext,
  runId: string,
  afterSeq: number,
  untilSeq: number,
): AsyncGenerator<FedFrames> {
  let last = afterSeq;
  for (;;) {
    const page = await server.store.readEvents(runId, { afterSeq: last, limit: BATCH });
    const wanted = page.filter((stored) => stored.seq <= untilSeq);
    if (wanted.length > 0) {
      const text = wanted
        .map(({ seq, event }) => encodeSSE(event.type, seq, JSON.stringify(event)))
        .join("");
      last = wanted.at(-1)!.seq;
      yield { lastSeq: last, text };
    }
    if (page.length < BATCH || wanted.length < page.length) return;
  }
}

/** True when a queue-backed server's queue holds the run, not started yet (not failed). */
export async function stillQueued(server: ServerContext, runId: string): Promise<boolean> {
  if (!server.queue) return false;
  const queued = await server.queue.queuedOnly(runId).catch(() => undefined);
  if (queued) return queued.status !== "failed";
  // Started meanwhile: the store has it now.
  return (await server.store.getRun(runId)) !== undefined;
}
