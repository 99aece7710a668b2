import { describe, expect, it } from "vitest";
import { LLMGroup, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { collect } from "../../test/support/collect-events.js";

/** A two-agent team whose answers never stream, so every entry point logs the same events. */
function pairTeam(clock = new FakeClock(), delayMs = 0) {
  const model = new ScriptedModel({
    responses: [{ text: "outline" }, { text: "draft" }],
    clock,
    delayMs,
  });
  const team = new LLMTeam({
    teamId: "pair",
    model: "test/model",
    models: { "test/model": model },
    clock,
    stream: false,
    agents: [
      { type: "llm", role: "planner", prompt: "plan {query}" },
      { type: "llm", role: "writer", prompt: "write {planner}" },
    ],
  });
  return { team, clock };
}

const shape = (events: StreamEvent[]) =>
  events.map((event) => [event.seq, event.type, event.agentPath ?? ""]);

describe("one run engine behind every entry point", () => {
  it("logs the same events, in the same order, for run(), stream() and start()", async () => {
    const ran = await pairTeam().team.run("a post");
    const streamed = await collect(pairTeam().team.stream("a post", { runId: "r" }));
    const handle = pairTeam().team.start("a post", { runId: "r" });
    const started = await collect(handle);

    expect(shape(streamed)).toEqual(shape(started));
    expect(shape(streamed).map(([, type]) => type)).toEqual([
      "run_started",
      "agent_started",
      "cost_update",
      "warning", // test/model has no price (once per run)
      "agent_completed",
      "progress",
      "agent_started",
      "cost_update",
      "agent_completed",
      "progress",
      "run_completed",
    ]);
    expect(ran.eventCount).toBe(streamed.length);
    expect((await handle.result).finalOutput).toBe("draft");
  });

  it("stops a group at its timeoutMs with status timeout, and ends its stream", async () => {
    const clock = new FakeClock();
    const { team } = pairTeam(clock, 5_000);
    const group = new LLMGroup({ groupId: "desk", timeoutMs: 1_000, clock, teams: [team] });
    const stream = group.stream("a post");
    const events = collect(stream);
    await clock.advance(1_000);
    const result = await stream.result;

    expect(result.success).toBe(false);
    expect(result.status).toBe("timeout");
    const last = (await events).at(-1)!;
    expect(last.type).toBe("run_failed");
    expect(last.data).toMatchObject({ status: "timeout" });
  });
});
