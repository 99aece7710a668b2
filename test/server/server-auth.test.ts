import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, SqliteRunStore } from "llmteam";
import {
  createServer,
  hashApiKey,
  keyAuth,
  newApiKey,
  parseApiKeys,
  type ApiKey,
  type LLMTeamServer,
  type ServerOptions,
} from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const opened: { server: LLMTeamServer; store: SqliteRunStore }[] = [];
afterEach(async () => {
  for (const { server, store } of opened.splice(0)) {
    await server.close();
    await store.close();
  }
});

const KEYS = {
  reader: newApiKey(),
  runner: newApiKey(),
  pressOnly: newApiKey(),
  admin: newApiKey(),
};
const API_KEYS: ApiKey[] = [
  { id: "reader", hash: KEYS.reader.hash, scopes: ["read"] },
  { id: "runner", hash: KEYS.runner.hash, scopes: ["read", "run"] },
  { id: "press-only", hash: KEYS.pressOnly.hash, scopes: ["read", "run"], teams: ["press"] },
  { id: "admin", hash: KEYS.admin.hash, scopes: ["admin"] },
];

/** A server of two teams (press, support), each of one agent answering "done". */
async function keyedServer(options: Partial<ServerOptions> = {}) {
  const store = new SqliteRunStore({
    path: join(mkdtempSync(join(tmpdir(), "llmteam-auth-")), "runs.db"),
  });
  const teams = ["press", "support"].map((teamId) => {
    const team = new LLMTeam({
      teamId,
      model: "m/x",
      models: { "m/x": new ScriptedModel({ responses: () => "done" }) },
      runStore: store,
    });
    team.addAgent({ type: "llm", role: "writer", prompt: "Write: {query}" });
    return team;
  });
  const logged: string[] = [];
  const server = await createServer({
    teams,
    runStore: store,
    apiKeys: API_KEYS,
    log: (line) => logged.push(line),
    ...options,
  });
  opened.push({ server, store });
  const call = (path: string, key?: string, init: RequestInit = {}) =>
    server.fetch(
      new Request(`http://x${path}`, {
        ...init,
        headers: {
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    );
  const startRun = (teamId: string, key?: string) =>
    call(`/teams/${teamId}/runs?wait=true`, key, {
      method: "POST",
      body: JSON.stringify({ input: "a" }),
    });
  return { server, call, startRun, logged };
}

async function problem(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as { status: number; detail: string; [key: string]: unknown };
}

describe("API keys", () => {
  it("answers 401 with WWW-Authenticate: Bearer without a key, with an unknown key and with another scheme", async () => {
    const { call } = await keyedServer();
    const none = await call("/runs");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="llmteam"');
    expect((await problem(none)).detail).toBe(
      "This server needs an API key: send the header Authorization: Bearer <key>.",
    );
    const wrong = await call("/runs", "llmt_not-a-key");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe(
      'Bearer realm="llmteam", error="invalid_token"',
    );
    const wrongBody = JSON.stringify(await problem(wrong));
    expect(wrongBody).toContain("The API key is not valid");
    expect(wrongBody).not.toContain("llmt_not-a-key");
    const basic = await call("/runs", undefined, { headers: { authorization: "Basic YTpi" } });
    expect(basic.status).toBe(401);
    expect((await problem(basic)).detail).toBe('The Authorization header must be "Bearer <key>".');
  });

  it("lets a valid key in, and keeps public routes open", async () => {
    const { call } = await keyedServer();
    expect((await call("/runs", KEYS.reader.key)).status).toBe(200);
    expect((await call("/runs", `${KEYS.reader.key}x`)).status).toBe(401);
    expect((await call("/health")).status).toBe(200);
    expect((await call("/openapi.json")).status).toBe(200);
  });

  it("answers 403 naming the missing scope; admin implies every scope", async () => {
    const { startRun } = await keyedServer();
    const refused = await startRun("press", KEYS.reader.key);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    const body = await problem(refused);
    expect(body.detail).toBe(
      'API key "reader" lacks the "run" scope this request needs; it has: read.',
    );
    expect(body).toMatchObject({ requiredScope: "run", scopes: ["read"] });
    expect((await startRun("press", KEYS.runner.key)).status).toBe(200);
    expect((await startRun("press", KEYS.admin.key)).status).toBe(200);
  });

  it("keeps a key with a team allow-list to its teams: runs, their reads, and the list of runs", async () => {
    const { call, startRun } = await keyedServer();
    const other = (await (await startRun("support", KEYS.admin.key)).json()) as { runId: string };
    const own = (await (await startRun("press", KEYS.pressOnly.key)).json()) as { runId: string };
    const refused = await startRun("support", KEYS.pressOnly.key);
    expect(refused.status).toBe(403);
    expect((await problem(refused)).detail).toBe(
      'API key "press-only" may not use team "support"; it may use: press.',
    );
    expect((await call(`/runs/${other.runId}`, KEYS.pressOnly.key)).status).toBe(403);
    expect((await call(`/runs/${other.runId}/events`, KEYS.pressOnly.key)).status).toBe(403);
    expect((await call(`/runs/${own.runId}`, KEYS.pressOnly.key)).status).toBe(200);
    const listed = (await (await call("/runs", KEYS.pressOnly.key)).json()) as {
      runs: { runId: string }[];
    };
    expect(listed.runs.map((run) => run.runId)).toEqual([own.runId]);
    const all = (await (await call("/runs", KEYS.admin.key)).json()) as { runs: unknown[] };
    expect(all.runs).toHaveLength(2);
  });

  it("never writes a key or its hash to the log", async () => {
    const { call, startRun, logged, server } = await keyedServer();
    await startRun("press", KEYS.runner.key);
    await call("/runs", "llmt_guess");
    // A failure inside the server is logged (with its stack): the request's key is not in it.
    const store = server.context.store as SqliteRunStore;
    store.listRuns = () => Promise.reject(new Error("disk on fire"));
    expect((await call("/runs", KEYS.admin.key)).status).toBe(500);
    const text = logged.join("\n");
    expect(text).toContain("disk on fire");
    for (const { key, hash } of Object.values(KEYS)) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hash.slice(7));
    }
  });
});

describe("API key configuration", () => {
  it("hashes a key as sha256:<hex>", () => {
    expect(hashApiKey("abc")).toBe(
      "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const { key, hash } = newApiKey();
    expect(key).toMatch(/^llmt_[\w-]{43}$/);
    expect(hash).toBe(hashApiKey(key));
  });

  it("reads a YAML list of keys, or { keys: [...] } in JSON", () => {
    const yaml = `- { id: ci, hash: "${KEYS.runner.hash}", scopes: [run], teams: [press] }`;
    expect(parseApiKeys(yaml, "keys.yaml")).toEqual([
      { id: "ci", hash: KEYS.runner.hash, scopes: ["run"], teams: ["press"] },
    ]);
    const json = JSON.stringify({ keys: [{ id: "a", hash: KEYS.admin.hash, scopes: ["admin"] }] });
    expect(parseApiKeys(json, "env")[0]?.id).toBe("a");
  });

  it("refuses a key in plain text, an unknown scope and a repeated id, naming where", () => {
    const plain = () => parseApiKeys("- { id: ci, hash: llmt_abc, scopes: [run] }", "keys.yaml");
    expect(plain).toThrow(ConfigError);
    expect(plain).toThrow(/keys\.yaml 0\.hash: hash must be "sha256:" followed by 64/);
    expect(() =>
      parseApiKeys(`- { id: ci, hash: "${KEYS.runner.hash}", scopes: [write] }`, "keys.yaml"),
    ).toThrow("keys.yaml 0.scopes.0: A scope is one of read, run, approve, admin.");
    const twice = `- { id: ci, hash: "${KEYS.runner.hash}", scopes: [run] }
- { id: ci, hash: "${KEYS.admin.hash}", scopes: [read] }`;
    expect(() => parseApiKeys(twice, "keys.yaml")).toThrow('Key id "ci" is used twice');
    expect(() => parseApiKeys("keys: 3", "keys.yaml")).toThrow(
      "keys.yaml: expected a list of keys, or { keys: [...] }",
    );
  });

  it("refuses auth and apiKeys together", async () => {
    await expect(
      createServer({ teams: [], auth: keyAuth(API_KEYS), apiKeys: API_KEYS }),
    ).rejects.toThrow("createServer takes auth or apiKeys, not both");
  });
});
