/** A real llmteam server on 127.0.0.1 over teams of ScriptedModels, with an `openai` client on its /v1. */
import OpenAI from "openai";
import { LLMTeam, SqliteRunStore, type LLMTeamOptions } from "llmteam";
import {
  createServer,
  HttpProblem,
  SCOPES,
  type LLMTeamServer,
  type Principal,
  type Scope,
  type ServerAuth,
} from "llmteam/server";
import { ScriptedModel, type ScriptedModelOptions, type ScriptedResponse } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Served {
  server: LLMTeamServer;
  store: SqliteRunStore;
  url: string;
  close: () => Promise<void>;
}

const opened: Served[] = [];

/** Closes the servers `serve` started (call in afterEach). */
export async function closeServed(): Promise<void> {
  for (const served of opened.splice(0)) {
    await served.close();
    await served.server.close();
    await served.store.close();
  }
}

/** A team of one ScriptedModel (`m/x`) on the server's store. */
export type TeamSpec = Omit<LLMTeamOptions, "runStore" | "model" | "models"> & {
  responses: ScriptedModelOptions["responses"];
};

/** A real server on 127.0.0.1 (port 0) over teams of ScriptedModels, and an OpenAI client on it. */
export async function serve(specs: TeamSpec[], auth?: ServerAuth, apiKey = "unused") {
  const store = new SqliteRunStore({
    path: join(mkdtempSync(join(tmpdir(), "llmteam-openai-")), "runs.db"),
  });
  const models: ScriptedModel[] = [];
  const teams = specs.map(({ responses, ...options }) => {
    const model = new ScriptedModel({ responses });
    models.push(model);
    return new LLMTeam({ ...options, model: "m/x", models: { "m/x": model }, runStore: store });
  });
  const server = await createServer({
    teams,
    runStore: store,
    log: () => undefined,
    ...(auth ? { auth } : {}),
  });
  const listening = await server.listen({ port: 0 });
  opened.push({ server, store, url: listening.url, close: () => listening.close() });
  const client = new OpenAI({ baseURL: `${listening.url}/v1`, apiKey, maxRetries: 2 });
  return { server, store, url: listening.url, client, models };
}

/** Two agents: research (its text must not reach a chat), then draft (the answer, in 4 deltas). */
export const press = (runs = 1): TeamSpec => ({
  teamId: "press",
  agents: [
    { type: "llm", role: "research", prompt: "Research: {query}" },
    { type: "llm", role: "draft", prompt: "Draft from: {research}" },
  ],
  responses: Array.from({ length: runs }).flatMap((): ScriptedResponse[] => [
    { text: "secret research notes", usage: { inputTokens: 10, outputTokens: 4 } },
    { chunks: ["The ", "draft ", "is ", "done."], usage: { inputTokens: 20, outputTokens: 6 } },
  ]),
});

/** The prompt of a model's call, as JSON text. */
export const promptOf = (model: ScriptedModel, index: number) =>
  JSON.stringify(model.calls[index]!.options.prompt);

export function keyAuth(keys: Record<string, { scopes: Scope[]; teams?: string[] }>): ServerAuth {
  return {
    enabled: true,
    async authorize(request, scope, teamOf): Promise<Principal> {
      if (scope === "public")
        return { keyId: undefined, scopes: new Set(SCOPES), teams: undefined };
      const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
      const key = keys[token];
      if (!key) throw new HttpProblem(401, "Send a valid API key: Authorization: Bearer <key>.");
      if (!key.scopes.includes(scope))
        throw new HttpProblem(403, `This API key lacks the "${scope}" scope.`);
      const team = await teamOf();
      if (team !== undefined && key.teams && !key.teams.includes(team))
        throw new HttpProblem(403, `This API key may not use team "${team}".`);
      return {
        keyId: token,
        scopes: new Set(key.scopes),
        teams: key.teams && new Set(key.teams),
      };
    },
  };
}

/** Messages of one user message. */
export const user = (content: string) => [{ role: "user" as const, content }];
