import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { LifecycleError } from "llmteam";
import { TeamLifecycle, TeamState, VALID_TRANSITIONS } from "./index.js";

const STATES = Object.values(TeamState);
const LEGAL: [TeamState, TeamState][] = [
  ["unconfigured", "configuring"],
  ["configuring", "ready"],
  ["configuring", "unconfigured"],
  ["ready", "running"],
  ["ready", "configuring"],
  ["running", "completed"],
  ["running", "failed"],
  ["running", "paused"],
  ["paused", "running"],
  ["paused", "failed"],
  ["completed", "ready"],
  ["completed", "configuring"],
  ["failed", "ready"],
  ["failed", "configuring"],
];
const isLegal = (from: TeamState, to: TeamState) => LEGAL.some(([a, b]) => a === from && b === to);
const ILLEGAL = STATES.flatMap((from) =>
  STATES.filter((to) => !isLegal(from, to)).map((to) => [from, to] as [TeamState, TeamState]),
);

/** A lifecycle brought to `state` through legal moves. */
function lifecycleIn(state: TeamState): TeamLifecycle {
  const paths: Record<TeamState, TeamState[]> = {
    unconfigured: [],
    configuring: ["configuring"],
    ready: ["configuring", "ready"],
    running: ["configuring", "ready", "running"],
    paused: ["configuring", "ready", "running", "paused"],
    completed: ["configuring", "ready", "running", "completed"],
    failed: ["configuring", "ready", "running", "failed"],
  };
  const lifecycle = new TeamLifecycle({ enforced: true, clock: new FakeClock() });
  for (const step of paths[state]) lifecycle.transition(step);
  expect(lifecycle.state).toBe(state);
  return lifecycle;
}

function team(model: ScriptedModel, enforceLifecycle = true): LLMTeam {
  const built = new LLMTeam({
    teamId: "prod",
    enforceLifecycle,
    model: "m/x",
    models: { "m/x": model },
    clock: new FakeClock(),
  });
  built.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
  return built;
}

describe("TeamLifecycle transitions", () => {
  it("has exactly the seed's table", () => {
    expect(
      Object.entries(VALID_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => [from, to])),
    ).toEqual(LEGAL);
    expect(LEGAL.length + ILLEGAL.length).toBe(49);
  });

  it.each(LEGAL)("allows %s → %s and records it", (from, to) => {
    const lifecycle = lifecycleIn(from);
    const before = lifecycle.history.length;
    lifecycle.transition(to, "because");
    expect(lifecycle.state).toBe(to);
    expect(lifecycle.history.at(-1)).toEqual({
      from,
      to,
      at: Date.UTC(2026, 0, 1),
      reason: "because",
    });
    expect(lifecycle.history).toHaveLength(before + 1);
  });

  it.each(ILLEGAL)("refuses %s → %s with LifecycleError { from, to }", (from, to) => {
    const lifecycle = lifecycleIn(from);
    let thrown: unknown;
    try {
      lifecycle.transition(to);
    } catch (error) {
      thrown = error;
    }
    expect(LifecycleError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ from, to, code: "lifecycle_error" });
    expect((thrown as Error).message).toContain(
      `From "${from}" it can go to: ${VALID_TRANSITIONS[from].join(", ")}`,
    );
    expect(lifecycle.state).toBe(from);
  });

  it("tells listeners about each transition until they unsubscribe", () => {
    const lifecycle = new TeamLifecycle({ enforced: true });
    const seen: string[] = [];
    const stop = lifecycle.onTransition((transition) =>
      seen.push(`${transition.from}>${transition.to}`),
    );
    lifecycle.transition("configuring");
    stop();
    lifecycle.transition("ready");
    expect(seen).toEqual(["unconfigured>configuring"]);
  });
});

describe("an enforced team", () => {
  it("runs only when ready, says which call is missing, and can run again after markReady()", async () => {
    const model = new ScriptedModel({ responses: ["one", "two"] });
    const prod = team(model);
    expect(prod.state).toBe("unconfigured");
    await expect(prod.run("q")).rejects.toThrow(/markConfiguring\(\) and then team\.markReady\(\)/);
    prod.markConfiguring();
    await expect(prod.run("q")).rejects.toThrow(/Call team\.markReady\(\) before running it/);
    prod.markReady();
    expect((await prod.run("q")).output).toEqual({ writer: "one" });
    expect(prod.state).toBe("completed");
    await expect(prod.run("q")).rejects.toThrow(/markReady\(\) to run it again/);
    prod.markReady();
    expect((await prod.run("q")).output).toEqual({ writer: "two" });
    expect(prod.lifecycle.history.map((entry) => entry.to)).toEqual([
      "configuring",
      "ready",
      "running",
      "completed",
      "ready",
      "running",
      "completed",
    ]);
    expect(model.callsMade).toBe(2);
  });

  it("refuses stream() outside READY through the iterator and result, without calling the model", async () => {
    const model = new ScriptedModel({ responses: [] });
    const stream = team(model).stream("q");
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(LifecycleError);
    await expect(stream.result).rejects.toMatchObject({ from: "unconfigured", to: "running" });
    expect(model.callsMade).toBe(0);
  });

  it("puts lifecycle_changed events in the run's stream", async () => {
    const prod = team(new ScriptedModel({ responses: ["done"] }))
      .markConfiguring()
      .markReady();
    const events: StreamEvent[] = [];
    for await (const event of prod.stream("q")) events.push(event);
    expect(
      events
        .map((event) => event.type)
        .filter((type) => type !== "cost_update" && type !== "warning"),
    ).toEqual([
      "run_started",
      "lifecycle_changed",
      "agent_started",
      "token",
      "agent_completed",
      "progress",
      "lifecycle_changed",
      "run_completed",
    ]);
    const changes = events.flatMap((event) =>
      event.type === "lifecycle_changed" ? [[event.data.from, event.data.to]] : [],
    );
    expect(changes).toEqual([
      ["ready", "running"],
      ["running", "completed"],
    ]);
  });

  it("ends FAILED when the run fails, and can be made ready again", async () => {
    const prod = team(new ScriptedModel({ responses: [{ error: new Error("boom") }, "ok"] }))
      .markConfiguring()
      .markReady();
    expect((await prod.run("q")).status).toBe("failed");
    expect(prod.state).toBe("failed");
    expect(prod.lifecycle.history.at(-1)?.reason).toContain("boom");
    prod.markReady();
    expect((await prod.run("q")).success).toBe(true);
  });

  it("lets only one of two concurrent runs start; the second fails clearly", async () => {
    const clock = new FakeClock();
    const model = new ScriptedModel({ responses: ["first", "second"], delayMs: 1_000, clock });
    const prod = new LLMTeam({
      teamId: "prod",
      enforceLifecycle: true,
      model: "m/x",
      models: { "m/x": model },
      clock,
    });
    prod.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
    prod.markConfiguring().markReady();
    const first = prod.run("a");
    const second = prod.run("b");
    await expect(second).rejects.toThrow(
      /is in progress: a team with enforceLifecycle runs one run at a time/,
    );
    await clock.advance(1_000);
    expect((await first).output).toEqual({ writer: "first" });
    expect(model.callsMade).toBe(1);
  });

  it("allows config changes only while unconfigured or configuring", () => {
    const prod = team(new ScriptedModel({ responses: [] }));
    prod.markConfiguring().markReady();
    expect(() => prod.addAgent({ type: "llm", role: "editor", prompt: "{writer}" })).toThrow(
      /Cannot add an agent: team "prod" is ready\. Call team\.markConfiguring\(\) first/,
    );
    prod.markConfiguring();
    prod.addAgent({ type: "llm", role: "editor", prompt: "{writer}" });
    expect(prod.agents).toHaveLength(2);
  });

  it("keeps a team that failed to plan READY (nothing ran)", async () => {
    const prod = team(new ScriptedModel({ responses: [] }))
      .markConfiguring()
      .markReady();
    await expect(prod.run({ other: 1 })).rejects.toBeInstanceOf(ConfigError);
    expect(prod.state).toBe("ready");
  });

  it("refuses markReady() from UNCONFIGURED, naming markConfiguring()", () => {
    expect(() => team(new ScriptedModel({ responses: [] })).markReady()).toThrow(
      /Call team\.markConfiguring\(\) first/,
    );
  });
});

describe("a team without enforcement (the default)", () => {
  it("runs as before, concurrently, with no state and no lifecycle events", async () => {
    const free = team(new ScriptedModel({ responses: ["a", "b"] }), false);
    expect(free.state).toBeUndefined();
    const [one, two] = await Promise.all([free.run("1"), free.run("2")]);
    expect([one.success, two.success]).toEqual([true, true]);
    const events: string[] = [];
    const again = team(new ScriptedModel({ responses: ["c"] }), false);
    for await (const event of again.stream("q")) events.push(event.type);
    expect(events).not.toContain("lifecycle_changed");
  });

  it("raises a clear error from markConfiguring() and markReady()", () => {
    const free = team(new ScriptedModel({ responses: [] }), false);
    expect(() => free.markConfiguring()).toThrow(
      /does not enforce a lifecycle, so markConfiguring\(\) has nothing to do.*enforceLifecycle: true/,
    );
    expect(() => free.markReady()).toThrow(ConfigError);
  });
});
