import { describe, expect, it, vi } from "vitest";
import { ConfigError, LLMTeam, type HumanStepConfig, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { MemoryRunStore } from "./support/memory-run-store.js";

const FORM = {
  type: "object",
  properties: { publish: { type: "boolean" }, note: { type: "string" } },
  required: ["publish"],
};

function reviewTeam(
  human: Partial<HumanStepConfig> = {},
  options: { clock?: FakeClock; runStore?: MemoryRunStore; model?: ScriptedModel } = {},
): LLMTeam {
  return new LLMTeam({
    teamId: "desk",
    model: "m/x",
    models: { "m/x": options.model ?? new ScriptedModel({ responses: [] }) },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.runStore ? { runStore: options.runStore } : {}),
    agents: [
      { type: "transform", role: "draft", transform: { expression: '"Draft about " & query' } },
      {
        type: "human",
        role: "review",
        human: { prompt: "Publish this? {draft}", assignee: "editor", form: FORM, ...human },
      },
    ],
  });
}

/** Starts the run and collects its events; resolves at the first human task. */
async function untilAsked(team: LLMTeam, input = "tides") {
  const handle = team.start(input);
  const events: StreamEvent[] = [];
  void (async () => {
    for await (const event of handle) events.push(event);
  })();
  await vi.waitFor(() =>
    expect(events.some((event) => event.type === "approval_requested")).toBe(true),
  );
  const asked = events.find((event) => event.type === "approval_requested")!;
  if (asked.type !== "approval_requested") throw new Error("unreachable");
  return { handle, events, asked };
}

describe("human steps", () => {
  it("asks with the prompt, assignee and form; the answer is the step's output", async () => {
    const { handle, asked } = await untilAsked(reviewTeam());
    expect(asked.agentId).toBe("review");
    expect(asked.data).toMatchObject({
      kind: "human",
      prompt: "Publish this? Draft about tides",
      assignee: "editor",
      form: FORM,
    });
    expect(handle.pendingApprovals[0]).toMatchObject({ kind: "human", assignee: "editor" });
    handle.answer(asked.data.approvalId, { publish: true, note: "fine" });
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toEqual({ approved: true, value: { publish: true, note: "fine" } });
    expect(result.agentResults[1]).toMatchObject({ step: "human", answeredBy: "person" });
  });

  it("refuses an answer that does not match the form, naming the field, and keeps waiting", async () => {
    const { handle, asked } = await untilAsked(reviewTeam());
    const id = asked.data.approvalId;
    expect(() => handle.answer(id, { publish: "yes" })).toThrow(/does not match its form: publish/);
    expect(() => handle.approve(id)).toThrow(/has a form: answer it with handle.answer/);
    expect(handle.pendingApprovals).toHaveLength(1);
    handle.reject(id, "off topic");
    const result = await handle.result;
    expect(result.finalOutput).toEqual({ approved: false, reason: "off topic" });
  });

  it("on timeout uses the fallback value, on the run's clock", async () => {
    const clock = new FakeClock();
    const team = reviewTeam(
      { timeoutMs: 60_000, onTimeout: { value: { publish: false } } },
      { clock },
    );
    const { handle } = await untilAsked(team);
    await clock.advance(59_999);
    expect(handle.pendingApprovals).toHaveLength(1);
    await clock.advance(1);
    const result = await handle.result;
    expect(result.finalOutput).toEqual({ approved: true, value: { publish: false } });
    expect(result.agentResults[1]!.answeredBy).toBe("timeout");
    expect(handle.pendingApprovals).toHaveLength(0);
  });

  it("onTimeout reject outputs approved: false; fail fails the step", async () => {
    const clock = new FakeClock();
    const rejecting = await untilAsked(
      reviewTeam({ timeoutMs: 1_000, onTimeout: "reject" }, { clock }),
    );
    await clock.advance(1_000);
    expect((await rejecting.handle.result).finalOutput).toEqual({
      approved: false,
      reason: "nobody answered within 1000 ms",
    });
    const failing = await untilAsked(reviewTeam({ timeoutMs: 1_000 }, { clock }));
    await clock.advance(1_000);
    const failed = await failing.handle.result;
    expect(failed.success).toBe(false);
    expect(failed.failedAgent).toBe("review");
    expect(failed.error?.message).toMatch(/nobody answered within 1000 ms/);
  });

  it("checks the fallback value against the form when the team is built", () => {
    expect(() => reviewTeam({ onTimeout: { value: { note: "x" } } })).toThrow(
      /fallback answer does not match the form: publish/,
    );
  });

  it("cannot run through run() or stream(): nobody could answer", async () => {
    await expect(reviewTeam().run("tides")).rejects.toThrow(ConfigError);
    await expect(reviewTeam().run("tides")).rejects.toThrow(/team\.start\(input\)/);
  });

  it("keeps the answer in the run store: a resumed run does not ask again", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const model = new ScriptedModel({ clock, responses: [{ text: "never", delayMs: 1e12 }] });
    const team = new LLMTeam({
      teamId: "desk",
      model: "m/x",
      models: { "m/x": model },
      clock,
      runStore: store,
      agents: [
        { type: "human", role: "review", human: { prompt: "Go on with {query}?", form: FORM } },
        { type: "llm", role: "writer", prompt: "Write {query}; review said {review}" },
      ],
    });
    const { handle, asked } = await untilAsked(team);
    handle.answer(asked.data.approvalId, { publish: true });
    await vi.waitFor(() => expect(model.callsMade).toBe(1));
    // The process dies after the answer was kept, before the step's end was committed.
    const survived = store.copy();
    const entry = survived.runs.get(handle.runId)!;
    expect(entry.decisions).toMatchObject([{ approved: true, value: { publish: true } }]);
    entry.events = entry.events.filter((stored) => stored.seq <= asked.seq);
    entry.run.lastSeq = asked.seq;
    await handle.cancel();

    const fresh = new ScriptedModel({ responses: ["the article"] });
    const resumed = new LLMTeam({
      teamId: "desk",
      model: "m/x",
      models: { "m/x": fresh },
      clock,
      runStore: survived,
      agents: team.toConfig().agents!,
    });
    const again = await resumed.resume(handle.runId);
    const result = await again.result;
    expect(result.success).toBe(true);
    expect(result.output.review).toEqual({ approved: true, value: { publish: true } });
    const log = survived.runs.get(handle.runId)!.events.map((stored) => stored.event.type);
    expect(log.filter((type) => type === "approval_requested")).toHaveLength(1);
    expect(JSON.stringify(fresh.calls[0]!.options.prompt)).toContain("publish");
  });
});
