import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import {
  createServer,
  newApiKey,
  type LLMTeamServer,
  type ListeningServer,
  type ServerOptions,
} from "llmteam/server";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpRequest } from "../support/http-request.js";

const opened: { server: LLMTeamServer; store: SqliteRunStore; listening?: ListeningServer }[] = [];
afterEach(async () => {
  for (const { server, store, listening } of opened.splice(0)) {
    await listening?.close();
    await server.close();
    await store.close();
  }
});

const ci = newApiKey();
const nightly = newApiKey();

async function limitedServer(options: Partial<ServerOptions>) {
  const store = new SqliteRunStore({
    path: join(mkdtempSync(join(tmpdir(), "llmteam-limits-")), "runs.db"),
  });
  const team = new LLMTeam({
    teamId: "press",
    model: "m/x",
    models: { "m/x": new ScriptedModel({ responses: () => "done" }) },
    runStore: store,
  });
  team.addAgent({ type: "llm", role: "writer", prompt: "Write: {query}" });
  const server = await createServer({ teams: [team], runStore: store, log: () => {}, ...options });
  const entry: (typeof opened)[number] = { server, store };
  opened.push(entry);
  const get = (path: string, key?: string) =>
    server.fetch(
      new Request(`http://x${path}`, {
        headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      }),
    );
  const listen = async () => (entry.listening = await server.listen({ port: 0 }));
  return { server, get, listen };
}

const KEYED = {
  apiKeys: [
    { id: "ci", hash: ci.hash, scopes: ["read" as const] },
    { id: "nightly", hash: nightly.hash, scopes: ["read" as const], requestsPerMinute: 5 },
  ],
};

describe("rate limits", () => {
  it("answers 429 with Retry-After past a key's requests per minute; other keys keep their own count", async () => {
    const clock = new FakeClock();
    const { get } = await limitedServer({ ...KEYED, clock, rateLimit: { requestsPerMinute: 3 } });
    for (let index = 0; index < 3; index++) expect((await get("/runs", ci.key)).status).toBe(200);
    const refused = await get("/runs", ci.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("80");
    expect(await refused.json()).toMatchObject({
      status: 429,
      detail:
        'The API key "ci" has made 3 requests in the last minute, its limit; retry after 80 s.',
      limitPerMinute: 3,
      retryAfterSeconds: 80,
    });
    // The key's own limit (5) wins over the server's (3).
    for (let index = 0; index < 5; index++) {
      expect((await get("/runs", nightly.key)).status).toBe(200);
    }
    expect((await get("/runs", nightly.key)).status).toBe(429);
  });

  it("slides: the last minute's requests count less as it passes, and Retry-After is exact", async () => {
    const clock = new FakeClock();
    const { get } = await limitedServer({ ...KEYED, clock, rateLimit: { requestsPerMinute: 3 } });
    for (let index = 0; index < 3; index++) await get("/runs", ci.key);
    await clock.advance(60_000);
    // A new minute, but the 3 requests of the last 60 s still count in full.
    const refused = await get("/runs", ci.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("20");
    // After 20 s, a third of the last minute has passed: 2 of its 3 requests still count.
    await clock.advance(19_999);
    expect((await get("/runs", ci.key)).status).toBe(429);
    await clock.advance(1);
    expect((await get("/runs", ci.key)).status).toBe(200);
    expect((await get("/runs", ci.key)).status).toBe(429);
  });

  it("counts requests without a valid key per client address, a bad key included", async () => {
    const { listen } = await limitedServer({
      ...KEYED,
      rateLimit: { requestsPerMinute: 100, anonymousPerMinute: 2 },
    });
    const { url } = await listen();
    const from = (localAddress: string, key?: string) =>
      httpRequest({
        url: `${url}/health`,
        localAddress,
        ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}),
      });
    expect((await from("127.0.0.1")).status).toBe(200);
    expect((await from("127.0.0.1", "llmt_guess")).status).toBe(200);
    const refused = await from("127.0.0.1", "llmt_guess-again");
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text)).toMatchObject({
      detail: expect.stringContaining("The client address 127.0.0.1 has made 2 requests"),
    });
    // Another address, and a valid key from the same address, have their own counts.
    expect((await from("127.0.0.2")).status).toBe(200);
    expect((await from("127.0.0.1", ci.key)).status).toBe(200);
  });

  it("answers a limited /v1 request with OpenAI's error member too", async () => {
    const { server } = await limitedServer({ ...KEYED, rateLimit: { requestsPerMinute: 1 } });
    const models = () =>
      server.fetch(
        new Request("http://x/v1/models", { headers: { authorization: `Bearer ${ci.key}` } }),
      );
    expect((await models()).status).toBe(200);
    const refused = await models();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      status: 429,
      error: { type: "rate_limit_error", message: expect.stringContaining('API key "ci"') },
    });
  });

  it("limits nothing without rateLimit", async () => {
    const { get } = await limitedServer(KEYED);
    for (let index = 0; index < 700; index++) {
      const response = await get("/health");
      if (response.status !== 200) throw new Error(`request ${index}: ${response.status}`);
    }
  });

  it("refuses a limit that is not a whole number of 1 or more", async () => {
    await expect(limitedServer({ rateLimit: { requestsPerMinute: 0 } })).rejects.toThrow(
      "rateLimit.requestsPerMinute must be a whole number of requests per minute, 1 or more (got 0)",
    );
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    new Request("http://x/teams/press/runs", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("is off by default: no CORS headers, no preflight answer", async () => {
    const { server, get } = await limitedServer({});
    const response = await server.fetch(preflight("https://app.example.com"));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.status).toBe(405);
    const plain = await get("/health");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers preflights of the allowed origins, before auth; errors carry the header too", async () => {
    const { server } = await limitedServer({
      ...KEYED,
      cors: { origins: ["https://app.example.com"] },
    });
    const allowed = await server.fetch(preflight("https://app.example.com"));
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");
    const other = await server.fetch(preflight("https://evil.example.com"));
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const unauthorized = await server.fetch(
      new Request("http://x/runs", { headers: { origin: "https://app.example.com" } }),
    );
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(unauthorized.headers.get("access-control-expose-headers")).toContain("www-authenticate");
  });

  it("refuses an origin with a path", async () => {
    await expect(
      limitedServer({ cors: { origins: ["https://app.example.com/"] } }),
    ).rejects.toThrow('CORS origin "https://app.example.com/" is not an origin');
  });
});

describe("request body size", () => {
  const limit = 1024;
  const input = (bytes: number) => JSON.stringify({ input: { query: "x".repeat(bytes) } });

  it("answers 413 to a body over the limit, with a content-length, over a real connection", async () => {
    const { listen } = await limitedServer({ maxBodyBytes: limit });
    const { url } = await listen();
    const response = await httpRequest({
      url: `${url}/teams/press/runs`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: input(4 * limit),
    });
    expect(response.status).toBe(413);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(response.text)).toMatchObject({
      status: 413,
      detail: "The request body is larger than the server's limit of 1024 bytes.",
    });
  });

  it("answers 413 to a chunked body without a content-length once it passes the limit", async () => {
    const { listen } = await limitedServer({ maxBodyBytes: limit });
    const { url } = await listen();
    const body = input(64 * limit);
    const chunks = Array.from({ length: Math.ceil(body.length / 500) }, (_, index) =>
      body.slice(index * 500, (index + 1) * 500),
    );
    const response = await httpRequest({
      url: `${url}/teams/press/runs`,
      method: "POST",
      headers: { "content-type": "application/json" },
      chunks,
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ status: 413 });
    // A chunked body within the limit is read whole.
    const small = input(limit / 2);
    const accepted = await httpRequest({
      url: `${url}/teams/press/runs?wait=true`,
      method: "POST",
      headers: { "content-type": "application/json" },
      chunks: [small.slice(0, 100), small.slice(100)],
    });
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.text)).toMatchObject({ success: true, finalOutput: "done" });
  });
});
