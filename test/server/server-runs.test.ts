import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer, type LLMTeamServer } from "llmteam/server";
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

async function pressServer(model: ScriptedModel) {
  const store = new SqliteRunStore({
    path: join(mkdtempSync(join(tmpdir(), "llmteam-server-")), "runs.db"),
  });
  const team = new LLMTeam({
    teamId: "press",
    model: "m/x",
    models: { "m/x": model },
    runStore: store,
  });
  team.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
  team.addAgent({ type: "llm", role: "draft", prompt: "Draft: {research}" });
  const server = await createServer({ teams: [team], runStore: store, log: () => undefined });
  opened.push({ server, store });
  return server;
}

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("server runs", () => {
  it("runs a team with ?wait=true and answers its result; GET /runs/:id reads it back from the store", async () => {
    const server = await pressServer(new ScriptedModel({ responses: ["facts", "the draft"] }));
    const response = await server.fetch(
      new Request("http://x/teams/press/runs?wait=true", json({ input: "solar" })),
    );
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      runId: string;
      success: boolean;
      finalOutput: unknown;
      agentsCalled: string[];
    };
    expect(result).toMatchObject({
      success: true,
      finalOutput: "the draft",
      agentsCalled: ["research", "draft"],
    });
    const stored = await server.fetch(new Request(`http://x/runs/${result.runId}`));
    expect(await stored.json()).toMatchObject({
      runId: result.runId,
      status: "completed",
      finalOutput: "the draft",
    });
  });

  it("streams a finished run's events as SSE with id = seq, and resumes after Last-Event-ID exactly once", async () => {
    const server = await pressServer(new ScriptedModel({ responses: ["facts", "the draft"] }));
    const started = await server.fetch(
      new Request("http://x/teams/press/runs?wait=true", json({ input: "solar" })),
    );
    const { runId, eventCount } = (await started.json()) as { runId: string; eventCount: number };
    const all = await (await server.fetch(new Request(`http://x/runs/${runId}/events`))).text();
    const ids = [...all.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    expect(ids).toEqual(Array.from({ length: eventCount }, (_, index) => index + 1));
    const rest = await server.fetch(
      new Request(`http://x/runs/${runId}/events`, { headers: { "last-event-id": "3" } }),
    );
    const restIds = [...(await rest.text()).matchAll(/^id: (\d+)$/gm)].map((match) =>
      Number(match[1]),
    );
    expect(restIds).toEqual(ids.slice(3));
    const after = await server.fetch(
      new Request(`http://x/runs/${runId}/events`, {
        headers: { "last-event-id": String(eventCount) },
      }),
    );
    expect(after.status).toBe(204);
  });

  it("answers bad input with problem+json naming what is wrong", async () => {
    const server = await pressServer(new ScriptedModel({ responses: [] }));
    const unknownField = await server.fetch(
      new Request("http://x/teams/press/runs", json({ input: "a", extra: 1 })),
    );
    expect(unknownField.status).toBe(422);
    expect(unknownField.headers.get("content-type")).toBe("application/problem+json");
    expect(((await unknownField.json()) as { detail: string }).detail).toContain("extra");
    const malformed = await server.fetch(
      new Request("http://x/teams/press/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{",
      }),
    );
    expect(malformed.status).toBe(400);
    const unknownTeam = await server.fetch(
      new Request("http://x/teams/nope/runs", json({ input: "a" })),
    );
    expect(unknownTeam.status).toBe(404);
    expect(((await unknownTeam.json()) as { detail: string }).detail).toBe(
      'Unknown team "nope". Known teams: press.',
    );
    const wrongMethod = await server.fetch(new Request("http://x/teams/press/runs"));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    const unknownRun = await server.fetch(new Request("http://x/runs/run_nope"));
    expect(unknownRun.status).toBe(404);
  });
});
