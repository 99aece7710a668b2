import type { Redis } from "ioredis";
import {
  parsePublished,
  runChannels,
  type PublishedEnd,
  type PublishedFrames,
  type QueueNaming,
} from "../worker/run-channels.js";

/** What a watcher of a run hears: its frames as a worker published them, and the end of its log. */
export type RelayedMessage = PublishedFrames | PublishedEnd;

interface Watched {
  listeners: Set<(message: RelayedMessage) => void>;
  /** Resolves once Redis confirmed the subscription to the run's channel. */
  subscribed: Promise<void>;
}

/**
 * The server's side of the event relay: one Redis connection subscribed to the events channel
 * of each run some SSE client follows (subscribed on the first watcher, unsubscribed after the
 * last). A message is read once and handed to every watcher of its run as it is: the frames'
 * text is shared, not copied or re-encoded per client.
 */
export class RunEventRelay {
  private readonly subscriber: Redis;
  private readonly watchers = new Map<string, Watched>();
  private readonly channels: ReturnType<typeof runChannels>;

  constructor(
    private readonly client: Redis,
    queue: QueueNaming,
  ) {
    this.channels = runChannels(queue);
    this.subscriber = client.duplicate();
    this.subscriber.on("error", () => undefined);
    this.subscriber.on("message", (channel: string, text: string) => {
      const runId = channel.slice(this.channels.eventsPrefix.length);
      const watched = this.watchers.get(runId);
      const message = watched && parsePublished(text);
      if (!watched || !message) return;
      for (const listener of watched.listeners) listener(message);
    });
  }

  /**
   * Connects and subscribes to the queue's control channel, and stays subscribed to it: the
   * connection never holds zero subscriptions, so it never leaves subscriber mode between the
   * last watcher of one run and the first of the next (ioredis refuses a `SUBSCRIBE` that races
   * that switch).
   */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channels.control);
  }

  /**
   * Hears the run's published events until the returned function is called; resolves once
   * Redis confirmed the subscription (every event published after that reaches `listener`).
   */
  async watch(runId: string, listener: (message: RelayedMessage) => void): Promise<() => void> {
    // A subscription sent while Redis is away would wait for it: the caller reads the store instead.
    if (this.subscriber.status !== "ready") throw new Error(`Redis is ${this.subscriber.status}`);
    const channel = this.channels.events(runId);
    let watched = this.watchers.get(runId);
    if (!watched) {
      const subscribed = this.subscriber.subscribe(channel).then(() => undefined);
      watched = { listeners: new Set(), subscribed };
      this.watchers.set(runId, watched);
    }
    const { listeners, subscribed } = watched;
    listeners.add(listener);
    const stop = () => {
      listeners.delete(listener);
      if (listeners.size > 0 || this.watchers.get(runId) !== watched) return;
      this.watchers.delete(runId);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await subscribed;
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /**
   * The frames a worker published for the run lately (its backlog, the last few hundred
   * messages): what a reader that subscribed mid-step missed. Empty when Redis fails.
   */
  async backlog(runId: string): Promise<PublishedFrames[]> {
    const entries = await this.client
      .xrange(this.channels.backlog(runId), "-", "+")
      .catch(() => [] as [string, string[]][]);
    const frames: PublishedFrames[] = [];
    for (const [, fields] of entries) {
      const message = fields[1] === undefined ? undefined : parsePublished(fields[1]);
      if (message?.kind === "frames") frames.push(message);
    }
    return frames;
  }

  /** Runs followed now. */
  get watchedRuns(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    this.watchers.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
