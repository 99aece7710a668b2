import { describe, expect, it } from "vitest";
import { offAbort, onAbort } from "./abort-callbacks.js";

describe("onAbort / offAbort", () => {
  it("calls the callbacks still registered when the signal aborts, once each, in order", () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push("a"));
    const b = onAbort(controller.signal, () => calls.push("b"));
    onAbort(controller.signal, () => calls.push("c"));
    offAbort(controller.signal, b);
    controller.abort();
    controller.abort();
    expect(calls).toEqual(["a", "c"]);
  });

  it("reuses a removed slot without losing a callback, also after a double remove", () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const first = onAbort(controller.signal, () => calls.push(1));
    offAbort(controller.signal, first);
    offAbort(controller.signal, first);
    onAbort(controller.signal, () => calls.push(2));
    onAbort(controller.signal, () => calls.push(3));
    controller.abort();
    expect(calls.sort()).toEqual([2, 3]);
  });

  it("keeps signals apart, and a remove after the abort is harmless", () => {
    const one = new AbortController();
    const two = new AbortController();
    const calls: string[] = [];
    const handle = onAbort(one.signal, () => calls.push("one"));
    onAbort(two.signal, () => calls.push("two"));
    one.abort();
    offAbort(one.signal, handle);
    expect(calls).toEqual(["one"]);
    two.abort();
    expect(calls).toEqual(["one", "two"]);
  });
});
