import { afterEach, describe, expect, it } from "vitest";
import { LLMGroup, LLMTeam } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { body, closeOpened, get, post, serverWith } from "./support/server-fixtures.js";

afterEach(closeOpened);

function team(teamId: string, model: ScriptedModel): LLMTeam {
  return new LLMTeam({
    teamId,
    model: "m/x",
    models: { "m/x": model },
    agents: [{ type: "llm", role: "writer", prompt: `${teamId}: {query}` }],
  });
}

/** A report_collector group of two teams, each answering with its scripted model. */
function desk(research: ScriptedModel, legal: ScriptedModel): LLMGroup {
  return new LLMGroup({
    groupId: "desk",
    role: "report_collector",
    teams: [team("research", research), team("legal", legal)],
  });
}

const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));

describe("server groups", () => {
  it("lists groups and runs one with ?wait=true: output by team, team results, cost", async () => {
    const group = desk(
      new ScriptedModel({ responses: ["findings"] }),
      new ScriptedModel({ responses: ["no issues"] }),
    );
    const server = await serverWith(new ScriptedModel({ responses: [] }), () => [group]);
    expect(await body(await server.fetch(get("/groups")))).toEqual({
      groups: [
        {
          groupId: "desk",
          role: "report_collector",
          teams: [
            { teamId: "research", role: "member" },
            { teamId: "legal", role: "member" },
          ],
          links: { self: "/groups/desk", runs: "/groups/desk/runs" },
        },
      ],
    });
    const response = await server.fetch(post("/groups/desk/runs?wait=true", { input: "a merger" }));
    expect(response.status).toBe(200);
    const run = await body(response);
    expect(run).toMatchObject({
      groupId: "desk",
      status: "completed",
      success: true,
      live: false,
      output: { research: "findings", legal: "no issues" },
    });
    expect(run.teamResults.map((each: { teamId: string }) => each.teamId).sort()).toEqual([
      "legal",
      "research",
    ]);
    expect(run.cost.usage.totalTokens).toBeGreaterThan(0);
    expect(response.headers.get("location")).toBe(`/group-runs/${run.runId}`);
    expect(await body(await server.fetch(get(`/group-runs/${run.runId}`)))).toMatchObject({
      runId: run.runId,
      output: { research: "findings", legal: "no issues" },
    });
    const unknown = await server.fetch(post("/groups/nope/runs", { input: "x" }));
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).detail).toBe('Unknown group "nope". Known groups: desk.');
  });

  it("streams a live group run as SSE (id = seq), resumes after Last-Event-ID exactly once, 204 at the end", async () => {
    const group = desk(
      new ScriptedModel({ responses: [{ text: "findings", delayMs: 150 }] }),
      new ScriptedModel({ responses: [{ text: "no issues", delayMs: 300 }] }),
    );
    const server = await serverWith(new ScriptedModel({ responses: [] }), () => [group]);
    const started = await server.fetch(post("/groups/desk/runs", { input: "a merger" }));
    expect(started.status).toBe(202);
    const { runId, status } = await body(started);
    expect(status).toBe("running");

    // Read the live stream until the first agent's events are in, then drop the connection.
    const first = await server.fetch(get(`/group-runs/${runId}/events`));
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    const reader = first.body!.getReader();
    let text = "";
    while (!text.includes("event: agent_started")) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const seen = ids(text);
    const rest = await server.fetch(
      get(`/group-runs/${runId}/events`, { "last-event-id": String(seen.at(-1)) }),
    );
    const later = ids(await rest.text());
    expect(later.length).toBeGreaterThan(0);
    const all = [...seen, ...later];
    expect(all).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));

    const ended = await body(await server.fetch(get(`/group-runs/${runId}`)));
    expect(ended).toMatchObject({ status: "completed", eventCount: all.length });
    const none = await server.fetch(
      get(`/group-runs/${runId}/events`, { "last-event-id": String(all.length) }),
    );
    expect(none.status).toBe(204);
    const json = await body(
      await server.fetch(
        get(`/group-runs/${runId}/events?since=2`, { accept: "application/json" }),
      ),
    );
    expect(json.events.map((event: { seq: number }) => event.seq)).toEqual(all.slice(2));
    expect(json.events.at(-1).type).toBe("run_completed");
  });

  it("cancels a live group run once; a second cancel is a 409", async () => {
    const group = desk(
      new ScriptedModel({ responses: [{ text: "slow", delayMs: 10_000 }] }),
      new ScriptedModel({ responses: [{ text: "slow", delayMs: 10_000 }] }),
    );
    const server = await serverWith(new ScriptedModel({ responses: [] }), () => [group]);
    const { runId } = await body(await server.fetch(post("/groups/desk/runs", { input: "x" })));
    const cancelled = await server.fetch(post(`/group-runs/${runId}/cancel`));
    expect(cancelled.status).toBe(200);
    expect(await body(cancelled)).toMatchObject({ status: "cancelled", success: false });
    const again = await server.fetch(post(`/group-runs/${runId}/cancel`));
    expect(again.status).toBe(409);
    expect((await body(again)).detail).toBe(
      `Group run ${runId} has ended (cancelled); an ended run cannot be cancelled.`,
    );
  });

  it("keeps the last keptGroupRuns ended group runs and says so for a forgotten one", async () => {
    const group = desk(
      new ScriptedModel({ responses: ["a", "b", "c"] }),
      new ScriptedModel({ responses: ["a", "b", "c"] }),
    );
    const server = await serverWith(new ScriptedModel({ responses: [] }), () => [group], {
      keptGroupRuns: 2,
    });
    const runIds: string[] = [];
    for (const input of ["one", "two", "three"]) {
      const run = await body(await server.fetch(post("/groups/desk/runs?wait=true", { input })));
      runIds.push(run.runId as string);
    }
    const listed = await body(await server.fetch(get("/group-runs")));
    expect(listed.groupRuns.map((run: { runId: string }) => run.runId)).toEqual([
      runIds[2],
      runIds[1],
    ]);
    const forgotten = await server.fetch(get(`/group-runs/${runIds[0]}/events`));
    expect(forgotten.status).toBe(404);
    expect((await body(forgotten)).detail).toContain(
      "This server keeps its live group runs and the last 2 ended ones, in memory",
    );
  });

  it("refuses input the group's teams cannot run before starting anything", async () => {
    const group = desk(new ScriptedModel({ responses: [] }), new ScriptedModel({ responses: [] }));
    const server = await serverWith(new ScriptedModel({ responses: [] }), () => [group]);
    const missing = await server.fetch(post("/groups/desk/runs", { input: { topic: "x" } }));
    expect(missing.status).toBe(400);
    expect((await body(missing)).detail).toContain("query");
    expect((await body(await server.fetch(get("/group-runs")))).groupRuns).toEqual([]);
  });
});
