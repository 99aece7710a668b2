import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer, type LLMTeamServer } from "llmteam/server";
import { FakeClock, ScriptedModel, type ScriptedCall } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const stores: SqliteRunStore[] = [];
const servers: LLMTeamServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const store of stores.splice(0)) await store.close();
});

const promptOf = (call: ScriptedCall) => JSON.stringify(call.options.prompt);

/**
 * A server of two teams on one store: "press" (research → draft → edit; draft's model call
 * answers when `clock` has moved 10 s), and "gated" (a → b, b needs an approval).
 */
async function shutdownServer(path: string, clock = new FakeClock()) {
  const store = new SqliteRunStore({ path });
  stores.push(store);
  const model = new ScriptedModel({
    clock,
    responses: (call) =>
      promptOf(call).includes("Draft") ? { text: "the draft", delayMs: 10_000 } : "ok",
  });
  const teams = ["press", "gated"].map((teamId) => {
    const team = new LLMTeam({ teamId, model: "m/x", models: { "m/x": model }, runStore: store });
    return team;
  });
  teams[0]!.addAgent({ type: "llm", role: "research", prompt: "Research {query}" });
  teams[0]!.addAgent({ type: "llm", role: "draft", prompt: "Draft {research}" });
  teams[0]!.addAgent({ type: "llm", role: "edit", prompt: "Edit {draft}" });
  teams[1]!.addAgent({ type: "llm", role: "a", prompt: "A {query}" });
  teams[1]!.addAgent({ type: "llm", role: "b", prompt: "B {a}", requiresApproval: true });
  const server = await createServer({ teams, runStore: store, log: () => {} });
  servers.push(server);
  const post = async (path: string, body?: unknown) =>
    server.fetch(
      new Request(`http://x${path}`, {
        method: "POST",
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      }),
    );
  return { server, store, post, model };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("server shutdown", () => {
  it("parks running, paused and approval-waiting runs as interrupted, answers waiting requests and SSE streams, and refuses new runs", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "llmteam-shutdown-")), "runs.db");
    const clock = new FakeClock();
    const { server, store, post } = await shutdownServer(path, clock);
    const waited = post("/teams/press/runs?wait=true", { input: "tea" });
    await settle();
    const running = (await (
      await server.fetch(new Request("http://x/runs?teamId=press"))
    ).json()) as {
      runs: { runId: string }[];
    };
    const runningId = running.runs[0]!.runId;
    const gated = (await (await post("/teams/gated/runs", { input: "x" })).json()) as {
      runId: string;
    };
    const paused = (await (await post("/teams/gated/runs", { input: "y" })).json()) as {
      runId: string;
    };
    await post(`/runs/${paused.runId}/pause`);
    await settle();
    const events = await server.fetch(new Request(`http://x/runs/${runningId}/events`));
    const streamed = events.text();

    const shutdown = server.shutdown({ deadlineMs: 5_000 });
    expect((await post("/teams/press/runs", { input: "more" })).status).toBe(503);
    expect((await server.fetch(new Request("http://x/health"))).status).toBe(503);
    await clock.advance(10_000);
    const { parked, unfinished } = await shutdown;
    expect(parked.sort()).toEqual([runningId, gated.runId, paused.runId].sort());
    expect(unfinished).toEqual([]);

    const answer = await waited;
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { detail: string }).detail).toBe(
      `The server shut down before run ${runningId} ended; it is stored and the next server resumes it with POST /runs/${runningId}/resume.`,
    );
    // The SSE stream ended (its text resolves) after the draft completed.
    expect(await streamed).toMatch(/event: agent_completed[\s\S]*"the draft"/);
    expect((await store.getRun(runningId))?.status).toBe("interrupted");
    expect((await store.getRun(gated.runId))?.status).toBe("interrupted");
    expect((await store.getRun(paused.runId))?.status).toBe("interrupted");
  });

  it("lets the next server on the store finish every parked run without repeating a step", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "llmteam-shutdown-")), "runs.db");
    const clock = new FakeClock();
    const first = await shutdownServer(path, clock);
    await first.post("/teams/press/runs", { input: "tea" });
    const gated = (await (await first.post("/teams/gated/runs", { input: "x" })).json()) as {
      runId: string;
    };
    await settle();
    const shutdown = first.server.shutdown();
    await clock.advance(10_000);
    await shutdown;
    const [runId] = (await first.store.listRuns({ teamId: "press" })).map((run) => run.runId);
    const callsBefore = first.model.calls.length;
    expect(callsBefore).toBe(3); // research, draft, a
    await first.server.close();

    const second = await shutdownServer(path);
    expect((await second.post(`/runs/${runId}/resume`)).status).toBe(200);
    const approvals = (await (
      await second.server.fetch(new Request(`http://x/runs/${gated.runId}/approvals`))
    ).json()) as { approvals: { approvalId: string }[] };
    const approvalId = approvals.approvals[0]!.approvalId;
    expect((await second.post(`/runs/${gated.runId}/approvals/${approvalId}/approve`)).status).toBe(
      200,
    );
    expect((await second.post(`/runs/${gated.runId}/resume`)).status).toBe(200);
    for (const id of [runId!, gated.runId]) await second.server.context.runs.get(id)?.handle.result;
    expect((await second.store.getRun(runId!))?.status).toBe("completed");
    expect((await second.store.getRun(gated.runId))?.status).toBe("completed");
    // Only the steps that had not completed ran: edit, and the approved b.
    const prompts = second.model.calls.map(promptOf);
    expect(prompts).toHaveLength(2);
    expect(prompts.some((prompt) => prompt.includes("Edit the draft"))).toBe(true);
    expect(prompts.some((prompt) => prompt.includes("B ok"))).toBe(true);
  });
});
