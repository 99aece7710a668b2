import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { describeBudgetStore } from "../../test/support/budget-store-contract.js";
import { RedisBudgetStore } from "./index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `llmteam-test:${process.pid}:${Date.now()}:`;
const admin = new Redis(REDIS_URL);

afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

describeBudgetStore("RedisBudgetStore", () => RedisBudgetStore.connect(REDIS_URL, { prefix }));

const run = promisify(execFile);
const childScript = fileURLToPath(
  new URL("../../test/support/budget-store-child.ts", import.meta.url),
);

async function child(
  barrierKey: string,
  ...args: string[]
): Promise<{ granted: number; spentNano: number }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", childScript, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, REDIS_URL, BARRIER_KEY: barrierKey, BARRIER_COUNT: "2" },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { granted: number; spentNano: number };
}

describe("RedisBudgetStore across processes", () => {
  it("lets two processes share one budget without passing the limit", async () => {
    // Both processes connect, wait at a barrier, then race 40 reservations each.
    const barrier = `${prefix}barrier`;
    const results = await Promise.all([
      child(barrier, "redis", prefix, "two-processes", "40", "70", "1000"),
      child(barrier, "redis", prefix, "two-processes", "40", "70", "1000"),
    ]);
    expect(results[0].granted + results[1].granted).toBe(14); // 14 × 70 = 980 ≤ 1,000 < 15 × 70
    const store = new RedisBudgetStore({ client: admin, prefix });
    expect(
      await store.usage({ key: "two-processes", windowStartMs: 0, nowMs: Date.UTC(2026, 0, 1) }),
    ).toEqual({
      spentNano: 980,
      reservedNano: 0,
    });
  });

  it("reloads its scripts after Redis forgot them", async () => {
    const store = new RedisBudgetStore({ client: admin, prefix });
    const usage = { key: "flush", windowStartMs: 0, nowMs: 0 };
    await store.usage(usage);
    await admin.script("FLUSH");
    expect(await store.usage(usage)).toEqual({ spentNano: 0, reservedNano: 0 });
  });

  it("lets spend expire from Redis once it is out of every window", async () => {
    const store = new RedisBudgetStore({ client: admin, prefix });
    const nowMs = Date.now();
    await store.reserve({
      key: "ttl",
      reservationId: "a",
      amountNano: 5,
      limitNano: 10,
      hardLimit: true,
      bucketStartMs: nowMs,
      windowStartMs: nowMs,
      bucketExpiresAtMs: nowMs + 60_000,
      nowMs,
      expiresAtMs: nowMs + 1_000,
    });
    const ttl = await admin.pttl(`${prefix}{ttl}:holds`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe("RedisBudgetStore after a timeout", () => {
  const at = Date.UTC(2026, 0, 1);
  const window = { windowStartMs: at, bucketStartMs: at, bucketExpiresAtMs: at + 86_400_000 };

  it("counts a repeated settle once while the hold would still count", async () => {
    const store = new RedisBudgetStore({ client: admin, prefix });
    await store.reserve({
      key: "repeat",
      reservationId: "r1",
      amountNano: 100,
      limitNano: 1_000,
      hardLimit: true,
      nowMs: at,
      expiresAtMs: at + 600_000,
      ...window,
    });
    const settle = { key: "repeat", reservationId: "r1", actualNano: 40, nowMs: at, ...window };
    expect(await store.settle(settle)).toEqual({ spentNano: 40, reservedNano: 0 });
    expect(await store.settle({ ...settle, nowMs: at + 1_000 })).toEqual({
      spentNano: 40,
      reservedNano: 0,
    });
    // Past the hold's expiry the id is forgotten (the marker does not grow without end).
    expect(await admin.zcard(`${prefix}{repeat}:settled`)).toBe(1);
    await store.settle({ ...settle, reservationId: "other", actualNano: 0, nowMs: at + 600_001 });
    expect(await admin.zcard(`${prefix}{repeat}:settled`)).toBe(0);
  });

  it("stops waiting on abort with the signal's reason", async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    const store = new RedisBudgetStore({ client, prefix, commandTimeoutMs: 5_000 });
    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    controller.abort(reason);
    await expect(
      store.usage({ key: "abort", windowStartMs: 0, nowMs: at, signal: controller.signal }),
    ).rejects.toBe(reason);
    client.disconnect();
  });

  it("fails connect within commandTimeoutMs when nothing listens", async () => {
    const startedMs = performance.now();
    await expect(
      RedisBudgetStore.connect("redis://127.0.0.1:1", { commandTimeoutMs: 300 }),
    ).rejects.toThrow(/^Redis budget store: (connect failed|no answer to connect).*ECONNREFUSED/);
    expect(performance.now() - startedMs).toBeLessThan(2_000);
  });
});
