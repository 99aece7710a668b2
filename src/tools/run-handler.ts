import type { EventSink } from "../events/event-sink.js";
import type { Clock } from "../internal/clock.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import type { ToolContext } from "./tool-result.js";

/** How a handler call ended. */
export type HandlerOutcome =
  { kind: "ok"; value: unknown } | { kind: "error"; error: unknown } | { kind: "timeout" };

const TIMED_OUT = Symbol("timed out");

/**
 * The context a handler receives. Its `signal` is created on first read, so handlers that never
 * look at it cost no `AbortController` and no listener; it is aborted on timeout and when the
 * caller's signal aborts.
 */
export class HandlerContext implements ToolContext {
  private controller: AbortController | undefined;
  private pendingReason: unknown;
  private abortedBeforeRead = false;
  private listening = false;

  constructor(
    readonly callId: string,
    readonly toolName: string,
    private readonly outer: AbortSignal | undefined,
    readonly idempotencyKey: string = callId,
    readonly events?: EventSink | undefined,
    readonly meter?: ToolContext["meter"],
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedBeforeRead) this.controller.abort(this.pendingReason);
      else if (this.outer?.aborted) this.controller.abort(this.outer.reason);
      else if (this.outer) {
        this.outer.addEventListener("abort", this, { once: true });
        this.listening = true;
      }
    }
    return this.controller.signal;
  }

  /** The caller's signal aborted (EventTarget listener object). */
  handleEvent(): void {
    this.listening = false;
    this.abort(this.outer?.reason);
  }

  abort(reason: unknown): void {
    if (this.controller) this.controller.abort(reason);
    else {
      this.abortedBeforeRead = true;
      this.pendingReason = reason;
    }
  }

  /** Stops listening to the caller's signal. */
  dispose(): void {
    if (this.listening) this.outer?.removeEventListener("abort", this);
    this.listening = false;
  }
}

/**
 * Calls a handler. A sync handler's outcome comes back synchronously; an async one is raced
 * against its time limit (on `clock`) and the caller's cancellation.
 *
 * @throws the caller's abort reason when `outer` aborts.
 */
export function runHandler(
  definition: AnyToolDefinition,
  args: unknown,
  context: HandlerContext,
  timeoutMs: number,
  clock: Clock,
  outer: AbortSignal | undefined,
): HandlerOutcome | Promise<HandlerOutcome> {
  let returned: unknown;
  try {
    returned = definition.handler(args, context);
  } catch (error) {
    if (outer?.aborted) throw outer.reason;
    return { kind: "error", error };
  }
  if (!isPromiseLike(returned)) return { kind: "ok", value: returned };
  return race(definition.name, returned, context, timeoutMs, clock, outer);
}

async function race(
  toolName: string,
  returned: PromiseLike<unknown>,
  context: HandlerContext,
  timeoutMs: number,
  clock: Clock,
  outer: AbortSignal | undefined,
): Promise<HandlerOutcome> {
  const timer = new AbortController();
  const handlerDone = Promise.resolve(returned).then(
    (value): HandlerOutcome => ({ kind: "ok", value }),
    (error: unknown): HandlerOutcome => ({ kind: "error", error }),
  );
  // The sleep only rejects when `timer` aborts, which happens after the race is decided.
  const timeout = clock.sleep(timeoutMs, timer.signal).then(
    (): typeof TIMED_OUT => TIMED_OUT,
    () => undefined,
  );
  let onCancel: (() => void) | undefined;
  const cancelled = new Promise<never>((_resolve, reject) => {
    if (!outer) return;
    onCancel = () => reject(outer.reason);
    if (outer.aborted) onCancel();
    else outer.addEventListener("abort", onCancel, { once: true });
  });
  try {
    const outcome = await Promise.race([handlerDone, timeout, cancelled]);
    if (outcome === TIMED_OUT || outcome === undefined) {
      context.abort(
        new DOMException(`Tool "${toolName}" timed out after ${timeoutMs} ms.`, "TimeoutError"),
      );
      return { kind: "timeout" };
    }
    if (outer?.aborted) throw outer.reason;
    return outcome;
  } finally {
    timer.abort();
    if (onCancel) outer?.removeEventListener("abort", onCancel);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
