import { afterEach, describe, expect, it, vi } from "vitest";
import type { SqliteRunStore } from "llmteam";
import type { LLMTeamServer } from "llmteam/server";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { body, closeOpened, get, post, pressTeam, serverWith } from "./support/server-fixtures.js";

afterEach(closeOpened);

const APPROVED_DRAFT = {
  agents: [
    { type: "llm" as const, role: "research", prompt: "Research: {query}" },
    { type: "llm" as const, role: "draft", prompt: "Draft: {research}", requiresApproval: true },
  ],
};

async function pendingApproval(server: LLMTeamServer, runId: string): Promise<string> {
  let approvalId = "";
  await vi.waitFor(async () => {
    const { approvals } = await body(await server.fetch(get(`/runs/${runId}/approvals`)));
    expect(approvals).toHaveLength(1);
    approvalId = approvals[0].approvalId as string;
  });
  return approvalId;
}

async function conflict(response: Response, detail: string | RegExp): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(409);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = JSON.parse(text) as { detail: string };
  if (typeof detail === "string") expect(problem.detail).toBe(detail);
  else expect(problem.detail).toMatch(detail);
}

describe("server conflicts: 409 with a reason", () => {
  it("approve twice, then cancel, pause, resume and decide on the finished run", async () => {
    const model = new ScriptedModel({ responses: ["facts", "draft"] });
    const server = await serverWith(model, (store) => [pressTeam(store, model, APPROVED_DRAFT)]);
    const { runId } = await body(await server.fetch(post("/teams/press/runs", { input: "x" })));
    const approvalId = await pendingApproval(server, runId);
    const approve = `/runs/${runId}/approvals/${approvalId}/approve`;
    expect((await server.fetch(post(approve))).status).toBe(200);
    // Decided: the live run no longer waits for it, or has ended and the store says so.
    await conflict(
      await server.fetch(post(approve)),
      /is not pending \(decided already, or never asked\)|was decided already|has completed/,
    );
    await vi.waitFor(async () =>
      expect((await body(await server.fetch(get(`/runs/${runId}`)))).status).toBe("completed"),
    );
    await conflict(await server.fetch(post(`/runs/${runId}/cancel`)), /completed/);
    await conflict(
      await server.fetch(post(`/runs/${runId}/pause`)),
      `Run ${runId} is completed and not running in this server; only a live run can be paused.`,
    );
    await conflict(
      await server.fetch(post(`/runs/${runId}/resume`)),
      `Run ${runId} has completed; an ended run cannot be resumed.`,
    );
    await conflict(
      await server.fetch(post(`/runs/${runId}/approvals/${approvalId}/reject`, { reason: "no" })),
      /completed|ended/,
    );
  });

  it("resume of a live run that runs, or waits for an approval, is a 409 saying what to do", async () => {
    const model = new ScriptedModel({
      responses: (call) => (call.index === 0 ? { text: "facts", delayMs: 5_000 } : "text"),
    });
    const server = await serverWith(model, (store) => [pressTeam(store, model, APPROVED_DRAFT)]);
    const { runId } = await body(await server.fetch(post("/teams/press/runs", { input: "x" })));
    await vi.waitFor(() => expect(model.calls).toHaveLength(1)); // in its first model call
    await conflict(
      await server.fetch(post(`/runs/${runId}/resume`)),
      `Run ${runId} is running, not paused; there is nothing to resume.`,
    );
    expect(await body(await server.fetch(post(`/runs/${runId}/cancel`)))).toMatchObject({
      status: "cancelled",
    });

    const waiting = await body(await server.fetch(post("/teams/press/runs", { input: "y" })));
    const approvalId = await pendingApproval(server, waiting.runId);
    await conflict(
      await server.fetch(post(`/runs/${waiting.runId}/resume`)),
      `Run "${waiting.runId}" waits for approval ${approvalId}, not for resume(). Call POST /runs/${waiting.runId}/approvals/{approvalId}/approve or …/reject with {"reason": "..."}.`,
    );
    const cancelled = await server.fetch(post(`/runs/${waiting.runId}/cancel`));
    expect(await body(cancelled)).toMatchObject({ status: "cancelled" });
  });

  it("a stored run another process may run: decided once (then 409), resumed only with ?force=true", async () => {
    const model = new ScriptedModel({ responses: () => "text" });
    let shared: SqliteRunStore | undefined;
    const server = await serverWith(model, (store) => {
      shared = store;
      return [pressTeam(store, model, APPROVED_DRAFT)];
    });
    // Another process's run of the same team: its clock never moves, so it never reads the
    // decision from the store (as if that process had died).
    const elsewhere = pressTeam(shared!, model, { ...APPROVED_DRAFT, clock: new FakeClock() });
    const handle = elsewhere.start("tides");
    await vi.waitFor(async () =>
      expect((await body(await server.fetch(get(`/runs/${handle.runId}`)))).status).toBe(
        "waiting_approval",
      ),
    );
    const approvalId = await pendingApproval(server, handle.runId);
    const approve = `/runs/${handle.runId}/approvals/${approvalId}/approve`;
    expect(await body(await server.fetch(post(approve)))).toMatchObject({ decided: "approve" });
    await conflict(await server.fetch(post(approve)), /decided already/);

    await conflict(
      await server.fetch(post(`/runs/${handle.runId}/resume`)),
      `Run ${handle.runId} is waiting_approval in the run store and not live in this server: another process may be running it (resume it there). If that process died, resume it here with POST /runs/${handle.runId}/resume?force=true.`,
    );
    const forced = await server.fetch(post(`/runs/${handle.runId}/resume?force=true`));
    expect(forced.status).toBe(200);
    await vi.waitFor(async () =>
      expect((await body(await server.fetch(get(`/runs/${handle.runId}`)))).status).toBe(
        "completed",
      ),
    );
  });
});
