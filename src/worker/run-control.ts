import type { Redis } from "ioredis";
import {
  parseControl,
  runChannels,
  type QueueNaming,
  type RunControlMessage,
} from "./run-channels.js";

/** A subscription to a queue's control channel (see {@link listenForRunControl}). */
export interface RunControlListener {
  close(): Promise<void>;
}

/**
 * Hears the pause, resume and cancel requests of a queue's runs (a worker acts on those of the
 * runs it holds). Subscribes on a duplicate of `client`: a subscribed connection takes no other
 * command.
 */
export async function listenForRunControl(
  client: Redis,
  queue: QueueNaming,
  onMessage: (message: RunControlMessage) => void,
): Promise<RunControlListener> {
  const subscriber = client.duplicate();
  subscriber.on("error", () => undefined);
  subscriber.on("message", (_channel: string, text: string) => {
    const message = parseControl(text);
    if (message) onMessage(message);
  });
  await subscriber.subscribe(runChannels(queue).control);
  return {
    close: async () => {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

/** Sends a control request to whichever worker holds the run (none may). */
export async function signalRun(
  client: Redis,
  queue: QueueNaming,
  message: RunControlMessage,
): Promise<void> {
  await client.publish(runChannels(queue).control, JSON.stringify(message));
}

/**
 * Marks a run paused on request, then tells its worker: the worker holding it pauses it at its
 * next step boundary (and keeps its slot, as a run waiting for an approval does); a worker that
 * takes its job later parks the job instead of running it. The mark is set first, so a worker
 * that takes the job between the two sees it.
 */
export async function markPaused(client: Redis, queue: QueueNaming, runId: string): Promise<void> {
  await client.sadd(runChannels(queue).paused, runId);
  await signalRun(client, queue, { action: "pause", runId });
}

/** Clears a run's pause mark, then tells its worker to go on (when one holds it). */
export async function clearPaused(client: Redis, queue: QueueNaming, runId: string): Promise<void> {
  await client.srem(runChannels(queue).paused, runId);
  await signalRun(client, queue, { action: "resume", runId });
}

/** True when the run was paused on request and not resumed since. */
export async function isPauseMarked(
  client: Redis,
  queue: QueueNaming,
  runId: string,
): Promise<boolean> {
  return (await client.sismember(runChannels(queue).paused, runId)) === 1;
}
