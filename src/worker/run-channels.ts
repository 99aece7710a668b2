/** A queue's name and key prefix: what every Redis key and channel of its runs is named after. */
export interface QueueNaming {
  readonly name: string;
  readonly prefix: string;
}

/**
 * The Redis names a queue's runs are signalled through, beside BullMQ's own keys (never inside
 * its `<prefix>:<queue>:` namespace):
 * - `events(runId)`: the channel a worker publishes a run's events on, as it runs;
 * - `backlog(runId)`: a Redis stream of the same messages, the last {@link BACKLOG_LENGTH}: what
 *   a reader that subscribes mid-step reads the events published before it from (the store has
 *   them only at the step's end);
 * - `control`: the channel of pause, resume and cancel requests, heard by every worker;
 * - `paused`: the set of runs paused on request (a worker that takes one parks it).
 */
export function runChannels(queue: QueueNaming): {
  events: (runId: string) => string;
  eventsPrefix: string;
  backlog: (runId: string) => string;
  control: string;
  paused: string;
} {
  const eventsPrefix = `${queue.prefix}:run-events:${queue.name}:`;
  return {
    events: (runId) => `${eventsPrefix}${runId}`,
    eventsPrefix,
    backlog: (runId) => `${queue.prefix}:run-backlog:${queue.name}:${runId}`,
    control: `${queue.prefix}:run-control:${queue.name}`,
    paused: `${queue.prefix}:run-control:${queue.name}:paused`,
  };
}

/** Messages a run's backlog keeps (about: Redis trims whole nodes). */
export const BACKLOG_LENGTH = 500;

/** How long a run's backlog outlives its last message, in seconds (a worker that died leaves it). */
export const BACKLOG_TTL_SECONDS = 3600;

/** Consecutive SSE frames of one run, numbered `first` to `last`, as a worker published them. */
export interface PublishedFrames {
  kind: "frames";
  first: number;
  last: number;
  /** The frames' SSE text, each frame ending with a blank line. */
  text: string;
}

/** The run's log has closed on the worker: `last` was its last event. */
export interface PublishedEnd {
  kind: "end";
  last: number;
}

/**
 * Encodes frames for the events channel: `<first> <last>\n<frames>` — a reader forwards the text
 * without parsing a single event.
 */
export function encodePublishedFrames(first: number, last: number, text: string): string {
  return `${first} ${last}\n${text}`;
}

/** Encodes the end of a run's log: `end <last>`. */
export function encodePublishedEnd(last: number): string {
  return `end ${last}`;
}

/** Reads a message of the events channel; `undefined` for one this version does not know. */
export function parsePublished(message: string): PublishedFrames | PublishedEnd | undefined {
  const newline = message.indexOf("\n");
  const head = newline < 0 ? message : message.slice(0, newline);
  const [first, second] = head.split(" ");
  if (first === "end") {
    const last = Number(second);
    return Number.isSafeInteger(last) ? { kind: "end", last } : undefined;
  }
  const from = Number(first);
  const to = Number(second);
  if (newline < 0 || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from)
    return undefined;
  return { kind: "frames", first: from, last: to, text: message.slice(newline + 1) };
}

/** A request to the worker running a run, on the control channel. */
export interface RunControlMessage {
  action: "pause" | "resume" | "cancel";
  runId: string;
  /** Why a run is cancelled (stored as its error). */
  reason?: string;
}

/** Reads a control message; `undefined` for anything else. */
export function parseControl(message: string): RunControlMessage | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<RunControlMessage>;
    const { action, runId, reason } = parsed;
    if (action !== "pause" && action !== "resume" && action !== "cancel") return undefined;
    if (typeof runId !== "string") return undefined;
    return { action, runId, ...(typeof reason === "string" ? { reason } : {}) };
  } catch {
    return undefined;
  }
}
