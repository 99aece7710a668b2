import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LLMTeam, SqliteRunStore, type LLMTeamOptions } from "llmteam";
import { createServer, HttpProblem, type LLMTeamServer, type ServerOptions } from "llmteam/server";
import type { Principal, Scope, ServerAuth } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";

/** What a test opened: closed by {@link closeOpened}. */
const opened: { server: LLMTeamServer; store: SqliteRunStore; directory: string }[] = [];

/** Closes every server and store the fixtures opened (call in `afterEach`). */
export async function closeOpened(): Promise<void> {
  for (const { server, store, directory } of opened.splice(0)) {
    await server.close();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A SQLite run store in a fresh temporary folder. */
export function tempStore(): { store: SqliteRunStore; directory: string } {
  const directory = mkdtempSync(join(tmpdir(), "llmteam-server-"));
  return { store: new SqliteRunStore({ path: join(directory, "runs.db") }), directory };
}

/** The "press" team: research, then draft, on the scripted model `m/x`. */
export function pressTeam(
  store: SqliteRunStore,
  model: ScriptedModel,
  extra: Partial<LLMTeamOptions> = {},
): LLMTeam {
  return new LLMTeam({
    teamId: "press",
    model: "m/x",
    models: { "m/x": model },
    runStore: store,
    agents: [
      { type: "llm", role: "research", prompt: "Research: {query}" },
      { type: "llm", role: "draft", prompt: "Draft: {research}" },
    ],
    ...extra,
  });
}

/**
 * A server over `teams(store)` with a fresh SQLite store; `m/x` is `model` for teams the
 * server builds (files, POST /teams) too.
 */
export async function serverWith(
  model: ScriptedModel,
  teams: (store: SqliteRunStore) => ServerOptions["teams"],
  options: Partial<ServerOptions> = {},
): Promise<LLMTeamServer> {
  const { store, directory } = tempStore();
  const server = await createServer({
    teams: teams(store),
    runStore: store,
    log: () => undefined,
    teamRuntime: { models: { "m/x": model } },
    ...options,
  });
  opened.push({ server, store, directory });
  return server;
}

/** A POST request with a JSON body. */
export function post(path: string, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://x${path}`, {
    method: "POST",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A GET request. */
export function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://x${path}`, { headers });
}

/** The JSON body of a response, typed loosely for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
export async function body<T = Record<string, any>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * Keys for tests of scopes and team allow-lists: `x-key: <name>` picks one of `keys`; the
 * scope a route asked for is recorded in `asked`.
 */
export function testKeys(keys: Record<string, { scopes: Scope[]; teams?: string[] }>): {
  auth: ServerAuth;
  asked: { path: string; scope: Scope | "public" }[];
} {
  const asked: { path: string; scope: Scope | "public" }[] = [];
  const auth: ServerAuth = {
    enabled: true,
    async authorize(request, scope, teamOf) {
      asked.push({ path: new URL(request.url).pathname, scope });
      const name = request.headers.get("x-key") ?? "";
      const key = keys[name];
      if (!key) throw new HttpProblem(401, "Send a key.");
      const principal: Principal = {
        keyId: name,
        scopes: new Set(key.scopes),
        teams: key.teams ? new Set(key.teams) : undefined,
      };
      if (scope !== "public" && !principal.scopes.has(scope) && !principal.scopes.has("admin"))
        throw new HttpProblem(403, `This key lacks the ${scope} scope.`);
      const team = await teamOf();
      if (team !== undefined && principal.teams && !principal.teams.has(team))
        throw new HttpProblem(403, `This key may not use team "${team}".`);
      return principal;
    },
  };
  return { auth, asked };
}
