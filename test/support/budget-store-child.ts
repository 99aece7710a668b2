/**
 * A child process for the store tests: reserves and settles `count` calls of `amountNano`
 * under `limitNano`, then prints `{ granted, spentNano }` as JSON.
 * With BARRIER_KEY (Redis) or BARRIER_FILE (any) set, waits for BARRIER_COUNT processes before starting.
 * Usage: budget-store-child.ts sqlite|redis <path|prefix> <key> <count> <amountNano> <limitNano>
 */
import type { BudgetStore } from "../../src/store/budget-store.js";
import { RedisBudgetStore } from "../../src/store/redis-budget-store.js";
import { SqliteBudgetStore } from "../../src/store/sqlite-budget-store.js";

const [kind, location, key, count, amount, limit] = process.argv.slice(2);
const nowMs = Date.UTC(2026, 0, 1);
const store: BudgetStore =
  kind === "sqlite"
    ? new SqliteBudgetStore({ path: location! })
    : await RedisBudgetStore.connect(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
        prefix: location!,
      });

// With BARRIER_KEY (Redis), wait until BARRIER_COUNT processes are connected, so they really
// run at the same time.
const barrierKey = process.env.BARRIER_KEY;
if (barrierKey !== undefined && store instanceof RedisBudgetStore) {
  const { Redis } = await import("ioredis");
  const client = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  await client.incr(barrierKey);
  while (Number(await client.get(barrierKey)) < Number(process.env.BARRIER_COUNT ?? 2)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  await client.quit();
}

// With BARRIER_FILE (SQLite), the same through a file each process appends a line to.
const barrierFile = process.env.BARRIER_FILE;
if (barrierFile !== undefined) {
  const { appendFileSync, readFileSync } = await import("node:fs");
  appendFileSync(barrierFile, `${process.pid}\n`);
  while (
    readFileSync(barrierFile, "utf8").trim().split("\n").length <
    Number(process.env.BARRIER_COUNT ?? 2)
  ) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let granted = 0;
await Promise.all(
  Array.from({ length: Number(count) }, async (_, index) => {
    const reservationId = `${process.pid}-${index}`;
    const request = {
      key: key!,
      reservationId,
      amountNano: Number(amount),
      limitNano: Number(limit),
      hardLimit: true,
      bucketStartMs: nowMs,
      windowStartMs: 0,
      bucketExpiresAtMs: nowMs + 86_400_000,
      nowMs,
      expiresAtMs: nowMs + 600_000,
    };
    const result = await store.reserve(request);
    if (!result.granted) return;
    granted++;
    await new Promise((resolve) => setImmediate(resolve));
    await store.settle({ ...request, actualNano: Number(amount) });
  }),
);
const usage = await store.usage({ key: key!, windowStartMs: 0, nowMs });
await store.close();
console.log(JSON.stringify({ granted, spentNano: usage.spentNano }));
