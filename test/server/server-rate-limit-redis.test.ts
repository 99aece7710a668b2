import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, newApiKey, type LLMTeamServer, type ServerOptions } from "llmteam/server";
import { FakeClock } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const PREFIX = `llmteam-test:rate:${randomUUID()}:`;
const key = newApiKey();
const apiKeys = [{ id: "ci", hash: key.hash, scopes: ["read" as const] }];

let redis: Redis;
const servers: LLMTeamServer[] = [];
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function server(options: Partial<ServerOptions>) {
  const logged: string[] = [];
  const created = await createServer({
    teams: [],
    runStore: join(mkdtempSync(join(tmpdir(), "llmteam-redis-limit-")), "runs.db"),
    apiKeys,
    log: (line) => logged.push(line),
    ...options,
  });
  servers.push(created);
  const get = async () =>
    (
      await created.fetch(
        new Request("http://x/runs", { headers: { authorization: `Bearer ${key.key}` } }),
      )
    ).status;
  return { get, logged };
}

describe("rate limits shared through Redis", () => {
  it("counts a key's requests to every server in one Redis window", async () => {
    const clock = new FakeClock();
    const rateLimit = { requestsPerMinute: 4, redis: REDIS_URL, redisPrefix: PREFIX };
    const first = await server({ clock, rateLimit });
    const second = await server({ clock, rateLimit });
    expect([await first.get(), await second.get(), await first.get(), await second.get()]).toEqual([
      200, 200, 200, 200,
    ]);
    expect(await first.get()).toBe(429);
    expect(await second.get()).toBe(429);
    // The counts are Redis keys of this prefix, with an expiry.
    const keys = await redis.keys(`${PREFIX}*`);
    expect(keys).toEqual([`${PREFIX}{key:ci}:${Math.floor(clock.now() / 60_000)}`]);
    expect(await redis.get(keys[0]!)).toBe("4");
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(60_000);
    // 80 s later, two thirds of the last minute's 4 requests still count (2.7): room for one.
    await clock.advance(80_000);
    expect(await first.get()).toBe(200);
    expect(await second.get()).toBe(429);
    expect(first.logged).toEqual([]);
  });

  describe("when Redis fails", () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy(6379);
    });
    afterAll(async () => proxy.close());

    it("counts in this process, warns once, and goes back to Redis when it answers again", async () => {
      const limited = await server({
        rateLimit: {
          requestsPerMinute: 3,
          redis: `redis://127.0.0.1:${proxy.port}`,
          redisPrefix: `${PREFIX}outage:`,
        },
      });
      expect(await limited.get()).toBe(200);
      proxy.cut("reset");
      // The process's own count starts at 0: 3 more, then 429.
      const during = [];
      for (let index = 0; index < 4; index++) during.push(await limited.get());
      expect(during).toEqual([200, 200, 200, 429]);
      expect(limited.logged).toHaveLength(1);
      expect(limited.logged[0]).toMatch(
        /^llmteam serve: warning: rate limiting through Redis failed \(.+\); counting requests in this process until Redis answers again\.$/,
      );
      proxy.restore();
      const deadline = Date.now() + 10_000;
      while (limited.logged.length < 2 && Date.now() < deadline) {
        await limited.get();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(limited.logged[1]).toBe(
        "llmteam serve: Redis answers again; rate limits are shared through it again.",
      );
      // Back on Redis: it holds the one request counted before the outage and the one that found
      // it back (in one window, or two when the test ran over a minute's boundary).
      const stored = await redis.keys(`${PREFIX}outage:*`);
      expect(stored.length).toBeGreaterThanOrEqual(1);
      expect(stored.length).toBeLessThanOrEqual(2);
      const counts = await Promise.all(stored.map(async (key) => Number(await redis.get(key))));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(2);
    }, 20_000);

    it("does not make requests wait on a Redis that does not answer", async () => {
      const limited = await server({
        rateLimit: {
          requestsPerMinute: 100,
          redis: `redis://127.0.0.1:${proxy.port}`,
          redisPrefix: `${PREFIX}hang:`,
        },
      });
      expect(await limited.get()).toBe(200);
      proxy.cut("hang");
      try {
        const started = performance.now();
        expect(await limited.get()).toBe(200);
        // One command timeout (500 ms), then counted in memory.
        expect(performance.now() - started).toBeLessThan(1_500);
        const next = performance.now();
        for (let index = 0; index < 20; index++) expect(await limited.get()).toBe(200);
        // The next requests do not try Redis again for 2 s.
        expect(performance.now() - next).toBeLessThan(300);
        expect(limited.logged[0]).toContain("rate limiting through Redis failed");
      } finally {
        proxy.restore();
      }
    });

    it("starts with a Redis that cannot be reached, counting in this process", async () => {
      const limited = await server({
        rateLimit: { requestsPerMinute: 1, redis: "redis://127.0.0.1:1", redisPrefix: PREFIX },
      });
      expect(limited.logged[0]).toContain("rate limiting through Redis failed");
      expect(await limited.get()).toBe(200);
      expect(await limited.get()).toBe(429);
    });
  });
});
