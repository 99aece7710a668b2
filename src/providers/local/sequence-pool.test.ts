import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { SequencePool } from "./sequence-pool.js";

/** A stand-in for a llama.cpp context: hands out numbered sequences. */
function fakeContext(): { context: Promise<LlamaContext>; created: () => number } {
  let count = 0;
  const context = {
    getSequence: () => ({ id: ++count, disposed: false }) as unknown as LlamaContextSequence,
  } as unknown as LlamaContext;
  return { context: Promise.resolve(context), created: () => count };
}

describe("SequencePool", () => {
  it("creates up to its size, then makes callers wait for a released sequence in order", async () => {
    const { context, created } = fakeContext();
    const pool = new SequencePool(() => context, 2);
    const first = await pool.acquire();
    const second = await pool.acquire();
    const order: string[] = [];
    const third = pool.acquire().then((sequence) => (order.push("third"), sequence));
    const fourth = pool.acquire().then((sequence) => (order.push("fourth"), sequence));
    expect(pool.waiting).toBe(2);
    pool.release(second);
    pool.release(first);
    expect(await third).toBe(second);
    expect(await fourth).toBe(first);
    expect(order).toEqual(["third", "fourth"]);
    expect(created()).toBe(2);
  });

  it("rejects a waiting caller with the abort reason and skips it on release", async () => {
    const { context } = fakeContext();
    const pool = new SequencePool(() => context, 1);
    const only = await pool.acquire();
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const waiting = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    pool.release(only);
    expect(await next).toBe(only);
    await expect(pool.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("replaces a sequence that was disposed instead of lending it again", async () => {
    const { context, created } = fakeContext();
    const pool = new SequencePool(() => context, 1);
    const broken = await pool.acquire();
    const waiting = pool.acquire();
    (broken as unknown as { disposed: boolean }).disposed = true;
    pool.release(broken);
    const replacement = await waiting;
    expect(replacement).not.toBe(broken);
    expect(created()).toBe(2);
  });
});
