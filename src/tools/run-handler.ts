import type { EventSink } from "../events/event-sink.js";
import { offAbort, onAbort } from "../internal/abort-callbacks.js";
import { startTimer, type Clock } from "../internal/clock.js";
import type { AnyToolDefinition } from "./tool-definition.js";
import type { ToolContext } from "./tool-result.js";

/** How a handler call ended. */
export type HandlerOutcome =
  { kind: "ok"; value: unknown } | { kind: "error"; error: unknown } | { kind: "timeout" };

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

/**
 * Races an async handler against its time limit and the caller's cancellation on one promise and
 * one timer (no `AbortController` per call: aborting one without a reason builds a DOMException).
 */
function race(
  toolName: string,
  returned: PromiseLike<unknown>,
  context: HandlerContext,
  timeoutMs: number,
  clock: Clock,
  outer: AbortSignal | undefined,
): Promise<HandlerOutcome> {
  if (outer?.aborted) return Promise.reject(outer.reason as Error);
  return new Promise<HandlerOutcome>((resolve, reject) => {
    let settled = false;
    let cancelTimer = (): void => undefined;
    let abortHandle = -1;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      cancelTimer();
      if (outer) offAbort(outer, abortHandle);
      return true;
    };
    const onCancel = (): void => {
      if (settle()) reject(outer!.reason as Error);
    };
    const onTimeout = (): void => {
      if (!settle()) return;
      context.abort(
        new DOMException(`Tool "${toolName}" timed out after ${timeoutMs} ms.`, "TimeoutError"),
      );
      resolve({ kind: "timeout" });
    };
    cancelTimer = startTimer(clock, timeoutMs, onTimeout);
    if (outer) abortHandle = onAbort(outer, onCancel);
    Promise.resolve(returned).then(
      (value) => {
        if (settle()) resolve({ kind: "ok", value });
      },
      (error: unknown) => {
        if (settle()) resolve({ kind: "error", error });
      },
    );
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
