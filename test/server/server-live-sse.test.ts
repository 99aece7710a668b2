import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFrames } from "../support/sse-reader.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server on a real port over a team whose `publish` step waits for an approval. */
async function approvalServer(path = join(mkdtempSync(join(tmpdir(), "llmteam-sse-")), "runs.db")) {
  const store = new SqliteRunStore({ path });
  const model = new ScriptedModel({
    responses: [
      { chunks: ["solar ", "facts ", "here"] },
      { chunks: ["the ", "press ", "release"] },
    ],
  });
  const team = new LLMTeam({
    teamId: "press",
    model: "m/x",
    models: { "m/x": model },
    runStore: store,
  });
  team.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
  team.addAgent({
    type: "llm",
    role: "publish",
    prompt: "Publish: {research}",
    requiresApproval: true,
  });
  const server = await createServer({ teams: [team], runStore: store, log: () => undefined });
  const listening = await server.listen({ port: 0 });
  cleanups.push(async () => {
    await listening.close();
    await server.close();
    await store.close();
  });
  return { server, url: listening.url, model, path };
}

async function post(url: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}

describe("server SSE on a live run", () => {
  it("streams tokens live, survives a disconnect, and resumes after Last-Event-ID with every event once", async () => {
    const { url } = await approvalServer();
    const started = await post(`${url}/teams/press/runs`, { input: "solar" });
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };

    const first = await readFrames(
      await fetch(`${url}/runs/${runId}/events`),
      (frame) => frame.event === "approval_requested",
    );
    expect(
      first
        .filter((frame) => frame.event === "token")
        .map((frame) => (frame.data as { data: { token: string } }).data.token),
    ).toEqual(["solar ", "facts ", "here"]);
    // The client went away; the run waits for its approval, still live.
    const run = (await (await fetch(`${url}/runs/${runId}`)).json()) as {
      live: boolean;
      status: string;
    };
    expect(run.live).toBe(true);
    const { approvals } = (await (await fetch(`${url}/runs/${runId}/approvals`)).json()) as {
      approvals: { approvalId: string }[];
    };
    expect(approvals).toHaveLength(1);

    const lastId = first.at(-1)!.id;
    const rest = fetch(`${url}/runs/${runId}/events`, {
      headers: { "last-event-id": String(lastId) },
    });
    expect(
      (await post(`${url}/runs/${runId}/approvals/${approvals[0]!.approvalId}/approve`)).status,
    ).toBe(200);
    const second = await readFrames(await rest, (frame) => frame.event === "run_completed");
    expect(second[0]!.id).toBe(lastId + 1);

    const ids = [...first, ...second].map((frame) => frame.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
    const stored = (await (
      await fetch(`${url}/runs/${runId}/events`, { headers: { accept: "application/json" } })
    ).json()) as { events: { seq: number; type: string }[] };
    expect(stored.events.map((event) => event.seq)).toEqual(ids);
    expect(stored.events.at(-1)!.type).toBe("run_completed");

    const twice = await post(`${url}/runs/${runId}/approvals/${approvals[0]!.approvalId}/approve`);
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { detail: string }).detail).toContain("has completed");
  });

  it("returns the same run for a repeated Idempotency-Key, and refuses the key with other input", async () => {
    const { url } = await approvalServer();
    const send = (input: string) =>
      fetch(`${url}/teams/press/runs`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "order-42" },
        body: JSON.stringify({ input }),
      });
    const [a, b] = await Promise.all([send("solar"), send("solar")]);
    const bodies = (await Promise.all([a.json(), b.json()])) as {
      runId: string;
      created: boolean;
    }[];
    expect(bodies[0]!.runId).toBe(bodies[1]!.runId);
    expect(bodies.map((body) => body.created).sort()).toEqual([false, true]);
    const other = await send("wind");
    expect(other.status).toBe(409);
    await post(`${url}/runs/${bodies[0]!.runId}/cancel`);
  });

  it("streams a run resumed by another server: the stored events first, then the live ones, each once", async () => {
    const first = await approvalServer();
    const { runId } = (await (
      await post(`${first.url}/teams/press/runs`, { input: "solar" })
    ).json()) as { runId: string };
    const before = await readFrames(
      await fetch(`${first.url}/runs/${runId}/events`),
      (frame) => frame.event === "approval_requested",
    );
    const shutdown = await first.server.shutdown({ deadlineMs: 5_000 });
    expect(shutdown.parked).toEqual([runId]);

    const second = await approvalServer(first.path);
    const stored = (await (await fetch(`${second.url}/runs/${runId}`)).json()) as {
      status: string;
      live: boolean;
    };
    expect(stored).toMatchObject({ status: "interrupted", live: false });
    expect((await post(`${second.url}/runs/${runId}/resume`)).status).toBe(200);
    const { approvals } = (await (await fetch(`${second.url}/runs/${runId}/approvals`)).json()) as {
      approvals: { approvalId: string }[];
    };
    await post(`${second.url}/runs/${runId}/approvals/${approvals[0]!.approvalId}/approve`);
    const all = await readFrames(
      await fetch(`${second.url}/runs/${runId}/events`),
      (frame) => frame.event === "run_completed",
    );
    const ids = all.map((frame) => frame.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
    expect(all.slice(0, before.length).map((frame) => frame.event)).toEqual(
      before.map((frame) => frame.event),
    );
    expect(all.map((frame) => frame.event)).toContain("run_resumed");
    expect(second.model.calls).toHaveLength(1); // only the publish step ran again
  });
});
