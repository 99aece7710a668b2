/**
 * Abort callbacks for the short waits that listen to a run's signal by the thousand (each model
 * attempt's deadline, each async tool call): one `abort` listener per signal with a table of
 * callbacks behind it, whose freed slots are reused. An `addEventListener`/
 * `removeEventListener` pair per wait allocated ~1 KB; a `Set` rehashed as waits came and went.
 */
class AbortCallbacks {
  private readonly slots: ((() => void) | undefined)[] = [];
  private readonly free: number[] = [];

  add(callback: () => void): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    this.slots[slot] = callback;
    return slot;
  }

  remove(slot: number): void {
    if (this.slots[slot] === undefined) return;
    this.slots[slot] = undefined;
    this.free.push(slot);
  }

  run(): void {
    for (const callback of this.slots) callback?.();
  }
}

const callbacksOf = new WeakMap<AbortSignal, AbortCallbacks>();

/**
 * Calls `callback` once when `signal` aborts, unless {@link offAbort} removes it first; returns
 * the handle `offAbort` takes. The caller checks `signal.aborted` before: a callback added after
 * the abort is never called. Callbacks must not throw.
 */
export function onAbort(signal: AbortSignal, callback: () => void): number {
  let callbacks = callbacksOf.get(signal);
  if (!callbacks) {
    const created = new AbortCallbacks();
    callbacksOf.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        callbacksOf.delete(signal);
        created.run();
      },
      { once: true },
    );
    callbacks = created;
  }
  return callbacks.add(callback);
}

/** Removes the callback {@link onAbort} returned `handle` for; nothing once the signal aborted. */
export function offAbort(signal: AbortSignal, handle: number): void {
  callbacksOf.get(signal)?.remove(handle);
}
