import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { ApprovalRejectedError, LifecycleError, type RunHandle } from "llmteam";

function publishing(options: { enforceLifecycle?: boolean; delayMs?: number } = {}) {
  const clock = new FakeClock();
  const model = new ScriptedModel({
    responses: ["draft text", "published"],
    delayMs: options.delayMs ?? 0,
    clock,
  });
  const team = new LLMTeam({
    teamId: "press",
    enforceLifecycle: options.enforceLifecycle ?? false,
    model: "m/x",
    models: { "m/x": model },
    clock,
  });
  team.addAgent({ type: "llm", role: "draft", prompt: "Draft: {query}" });
  team.addAgent({
    type: "llm",
    role: "publish",
    prompt: "Publish: {draft}",
    requiresApproval: true,
  });
  return { clock, model, team };
}

/** Reads the handle's events until one of `type` arrives. */
async function next<T extends StreamEvent["type"]>(
  handle: RunHandle,
  type: T,
): Promise<Extract<StreamEvent, { type: T }>> {
  for await (const event of handle)
    if (event.type === type) return event as Extract<StreamEvent, { type: T }>;
  throw new Error(`no ${type} event`);
}

describe("agents that require approval", () => {
  it("pause the run with approval_requested; nothing runs until approve(id)", async () => {
    const { clock, model, team } = publishing();
    const handle = team.start("launch");
    const request = await next(handle, "approval_requested");
    expect(request).toMatchObject({
      agentId: "publish",
      data: { approvalId: "approval-1", kind: "agent" },
    });
    expect(handle.state).toBe("paused");
    expect(handle.pendingApprovals).toEqual([
      { approvalId: "approval-1", kind: "agent", agentId: "publish", requestedAt: clock.now() },
    ]);
    expect(handle.snapshot().pendingApprovals).toHaveLength(1);
    await clock.advance(3_600_000);
    expect(model.callsMade).toBe(1);

    handle.approve("approval-1");
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.output).toEqual({ draft: "draft text", publish: "published" });
    const types: string[] = [];
    for await (const event of handle)
      if (event.type !== "cost_update" && event.type !== "warning")
        types.push(
          event.type === "lifecycle_changed" ? `${event.data.from}>${event.data.to}` : event.type,
        );
    expect(types.slice(types.indexOf("approval_requested"))).toEqual([
      "approval_requested",
      "running>paused",
      "paused>running",
      "agent_started",
      "token",
      "agent_completed",
      "progress",
      "run_completed",
    ]);
  });

  it("fail the agent with ApprovalRejectedError on reject(id, reason), ending the run", async () => {
    const { model, team } = publishing();
    const handle = team.start("launch");
    const request = await next(handle, "approval_requested");
    handle.reject(request.data.approvalId, "legal has not signed off");
    const result = await handle.result;
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("publish");
    expect(ApprovalRejectedError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({
      code: "approval_rejected",
      reason: "legal has not signed off",
      approvalId: "approval-1",
      kind: "agent",
    });
    expect(result.agentsCalled).toEqual(["draft"]);
    expect(result.agentResults[1]).toMatchObject({
      agentId: "publish",
      role: "publish",
      success: false,
      error: { code: "approval_rejected" },
    });
    // The refused agent never started: the report places it after the agents that did.
    expect(
      result.report.toJSON().agents.map((agent) => [agent.order, agent.agentId, agent.success]),
    ).toEqual([
      [1, "draft", true],
      [2, "publish", false],
    ]);
    expect(model.callsMade).toBe(1);
  });

  it("report a refused agent under its role, though it never started", async () => {
    const model = new ScriptedModel({ responses: ["draft text"] });
    const team = new LLMTeam({ teamId: "press", model: "m/x", models: { "m/x": model } });
    team.addAgent({ type: "llm", id: "writer", role: "draft", prompt: "Draft: {query}" });
    team.addAgent({
      type: "llm",
      id: "gate",
      role: "publish",
      prompt: "Publish: {writer}",
      requiresApproval: true,
    });
    const handle = team.start("launch");
    const request = await next(handle, "approval_requested");
    handle.reject(request.data.approvalId, "no");
    const result = await handle.result;
    expect(result.agentResults.map((agent) => [agent.agentId, agent.role, agent.success])).toEqual([
      ["writer", "draft", true],
      ["gate", "publish", false],
    ]);
    expect(
      result.report.toJSON().agents.map((agent) => [agent.order, agent.agentId, agent.role]),
    ).toEqual([
      [1, "writer", "draft"],
      [2, "gate", "publish"],
    ]);
  });

  it("cannot run through run() or stream(), which have nobody to ask", async () => {
    const { team } = publishing();
    await expect(team.run("x")).rejects.toThrow(
      /Agent "publish" requires approval, and run\(\) and stream\(\) have nobody to ask\. Start the run with team\.start\(input\)/,
    );
    await expect(team.stream("x").result).rejects.toBeInstanceOf(ConfigError);
  });

  it("stays paused after approval when pause() was asked meanwhile, until resume()", async () => {
    const { clock, model, team } = publishing({ enforceLifecycle: true });
    team.markConfiguring().markReady();
    const handle = team.start("launch");
    await next(handle, "approval_requested");
    await handle.pause();
    expect(() => handle.resume()).not.toThrow();
    await handle.pause();
    handle.approve("approval-1");
    await clock.advance(60_000);
    expect(model.callsMade).toBe(1);
    expect(team.state).toBe("paused");
    handle.resume();
    expect((await handle.result).success).toBe(true);
    expect(team.lifecycle.history.map((entry) => entry.to)).toEqual([
      "configuring",
      "ready",
      "running",
      "paused",
      "running",
      "completed",
    ]);
  });

  it("explains resume() while only an approval is awaited, and unknown approval ids", async () => {
    const { team } = publishing();
    const handle = team.start("launch");
    await next(handle, "approval_requested");
    expect(() => handle.resume()).toThrow(
      /waits for approval approval-1, not for resume\(\)\. Call handle\.approve\(id\) or handle\.reject\(id, reason\)/,
    );
    expect(() => handle.approve("approval-9")).toThrow(
      'No pending approval "approval-9". Pending: approval-1.',
    );
    expect(LifecycleError.isInstance(capture(() => handle.resume()))).toBe(true);
    await handle.cancel();
  });

  it("cancel() while waiting ends the run cancelled without running the agent", async () => {
    const { model, team } = publishing();
    const handle = team.start("launch");
    await next(handle, "approval_requested");
    const result = await handle.cancel("changed our minds");
    expect(result.status).toBe("cancelled");
    expect(result.agentResults.map((agent) => agent.agentId)).toEqual(["draft"]);
    expect(handle.pendingApprovals).toEqual([]);
    expect(model.callsMade).toBe(1);
  });
});

describe("the tool approval function", () => {
  it("emits approval_requested for the tool call, pauses, and answers approve/reject with the reason", async () => {
    const clock = new FakeClock();
    const model = new ScriptedModel({ responses: ["done"], delayMs: 1_000, clock });
    const team = new LLMTeam({ teamId: "mail", model: "m/x", models: { "m/x": model }, clock });
    team.addAgent({ type: "llm", role: "assistant", prompt: "{query}" });
    const handle = team.start("email the customer");
    expect(() => handle.toolApprover("assistant")).toThrow(LifecycleError);
    await next(handle, "agent_started");
    const approve = handle.toolApprover("assistant");

    const first = approve({
      toolName: "send_email",
      arguments: { to: "a@example.com" },
      callId: "call-1",
      signal: undefined,
    });
    const request = await next(handle, "approval_requested");
    expect(request).toMatchObject({
      agentId: "assistant",
      data: {
        approvalId: "call-1",
        kind: "tool",
        toolName: "send_email",
        arguments: { to: "a@example.com" },
        callId: "call-1",
      },
    });
    expect(handle.state).toBe("paused");
    handle.reject("call-1", "not to this address");
    await expect(first).resolves.toEqual({ approved: false, reason: "not to this address" });
    expect(handle.state).toBe("running");

    const second = approve({
      toolName: "send_email",
      arguments: { to: "b@example.com" },
      callId: "call-2",
      signal: undefined,
    });
    await Promise.resolve();
    handle.approve(handle.pendingApprovals[0]!.approvalId);
    await expect(second).resolves.toEqual({ approved: true });
    await clock.advance(1_000);
    expect((await handle.result).success).toBe(true);
  });

  it("with announce: false (as agents' tool loops get it) waits without emitting a second approval_requested", async () => {
    const clock = new FakeClock();
    const model = new ScriptedModel({ responses: ["done"], delayMs: 1_000, clock });
    const team = new LLMTeam({ teamId: "mail", model: "m/x", models: { "m/x": model }, clock });
    team.addAgent({ type: "llm", role: "assistant", prompt: "{query}" });
    const handle = team.start("refund");
    await next(handle, "agent_started");
    const decision = handle.toolApprover("assistant", { announce: false })({
      toolName: "refund",
      arguments: { orderId: "A1" },
      callId: "call-7",
      signal: undefined,
    });
    await Promise.resolve();
    expect(handle.state).toBe("paused");
    expect(handle.pendingApprovals).toMatchObject([
      { approvalId: "call-7", kind: "tool", toolName: "refund", callId: "call-7" },
    ]);
    handle.approve("call-7");
    await expect(decision).resolves.toEqual({ approved: true });
    await clock.advance(1_000);
    const events = [];
    for await (const event of handle) events.push(event.type);
    expect(events).not.toContain("approval_requested");
    expect(events.filter((type) => type === "lifecycle_changed")).toHaveLength(2);
  });
});

function capture(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
