import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { LifecycleError, parseRunSnapshot, type RunHandle } from "llmteam";

const STEP_MS = 1_000;

function threeSteps(options: { enforceLifecycle?: boolean; delayMs?: number } = {}) {
  const clock = new FakeClock();
  const model = new ScriptedModel({
    responses: ["a", "b", "c"],
    delayMs: options.delayMs ?? STEP_MS,
    clock,
  });
  const team = new LLMTeam({
    teamId: "pipeline",
    enforceLifecycle: options.enforceLifecycle ?? false,
    model: "m/x",
    models: { "m/x": model },
    clock,
  });
  team.addAgent({ type: "llm", role: "one", prompt: "{query}" });
  team.addAgent({ type: "llm", role: "two", prompt: "{one}" });
  team.addAgent({ type: "llm", role: "three", prompt: "{two}" });
  return { clock, model, team };
}

function lifecycleChanges(events: readonly StreamEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === "lifecycle_changed" ? [`${event.data.from}>${event.data.to}`] : [],
  );
}

async function collect(handle: RunHandle): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of handle) events.push(event);
  return events;
}

describe("pause and resume", () => {
  it("pauses at the next step boundary, never mid-call, starts no model call while paused, and resumes the same run", async () => {
    const { clock, model, team } = threeSteps();
    const handle = team.start({ query: "go" });
    await clock.advance(STEP_MS / 2);
    expect(model.callsMade).toBe(1);

    let paused = false;
    const pausing = handle.pause().then(() => (paused = true));
    await clock.advance(STEP_MS / 4);
    expect(paused).toBe(false);
    expect(handle.state).toBe("running");
    expect(model.calls[0]!.options.abortSignal?.aborted).toBe(false);

    await clock.advance(STEP_MS / 4);
    await pausing;
    expect(handle.state).toBe("paused");
    await clock.advance(60 * STEP_MS);
    expect(model.callsMade).toBe(1);
    expect(clock.pendingSleeps).toBe(0);

    handle.resume();
    await clock.advance(STEP_MS);
    await clock.advance(STEP_MS);
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.runId).toBe(handle.runId);
    expect(result.output).toEqual({ one: "a", two: "b", three: "c" });
    const events = await collect(handle);
    expect(new Set(events.map((event) => event.runId))).toEqual(new Set([handle.runId]));
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(lifecycleChanges(events)).toEqual(["running>paused", "paused>running"]);
    const pausedAt = events.findIndex((event) => event.type === "lifecycle_changed");
    expect(events[pausedAt - 1]).toMatchObject({ type: "progress", data: { completed: 1 } });
    expect(events[pausedAt + 2]).toMatchObject({ type: "agent_started", agentId: "two" });
  });

  it("moves an enforced team RUNNING → PAUSED → RUNNING → COMPLETED", async () => {
    const { clock, team } = threeSteps({ enforceLifecycle: true });
    team.markConfiguring().markReady();
    const handle = team.start("go");
    await clock.advance(STEP_MS / 2);
    const pausing = handle.pause();
    await clock.advance(STEP_MS / 2);
    await pausing;
    expect(team.state).toBe("paused");
    handle.resume();
    expect(team.state).toBe("paused");
    await clock.advance(STEP_MS);
    expect(team.state).toBe("running");
    await clock.advance(STEP_MS);
    await handle.result;
    expect(team.state).toBe("completed");
    expect(team.lifecycle.history.map((entry) => entry.to)).toEqual([
      "configuring",
      "ready",
      "running",
      "paused",
      "running",
      "completed",
    ]);
    expect(lifecycleChanges(await collect(handle))).toEqual([
      "ready>running",
      "running>paused",
      "paused>running",
      "running>completed",
    ]);
  });

  it("pauses before the first agent when paused right after start()", async () => {
    const { clock, model, team } = threeSteps();
    const handle = team.start("go");
    await handle.pause();
    await clock.advance(10 * STEP_MS);
    expect(model.callsMade).toBe(0);
    expect(handle.snapshot()).toMatchObject({
      state: "paused",
      completedAgents: [],
      variables: { query: "go" },
    });
    handle.resume();
    await clock.advance(3 * STEP_MS);
    expect((await handle.result).success).toBe(true);
  });

  it("withdraws a pause not reached yet when resumed first", async () => {
    const { clock, model, team } = threeSteps();
    const handle = team.start("go");
    await clock.advance(STEP_MS / 2);
    const pausing = handle.pause();
    handle.resume();
    await pausing;
    await clock.advance(STEP_MS);
    expect(model.callsMade).toBe(2);
    await clock.advance(2 * STEP_MS);
    expect(lifecycleChanges(await collect(handle))).toEqual([]);
  });

  it("refuses resume() on a running run and pause()/resume() on an ended one", async () => {
    const { clock, team } = threeSteps();
    const handle = team.start("go");
    expect(() => handle.resume()).toThrow(/is not paused; there is nothing to resume/);
    await clock.advance(3 * STEP_MS);
    await handle.result;
    expect(handle.state).toBe("completed");
    expect(() => handle.pause()).toThrow(LifecycleError);
    expect(() => handle.resume()).toThrow(/has completed; it cannot resume/);
  });
});

describe("cancel", () => {
  it("aborts the model call in flight and ends the run cancelled", async () => {
    const { clock, model, team } = threeSteps({ delayMs: 60_000 });
    const handle = team.start("go");
    await clock.advance(10);
    expect(model.callsMade).toBe(1);
    const result = await handle.cancel("user pressed stop");
    expect(result.status).toBe("cancelled");
    expect(result.error?.message).toBe("user pressed stop");
    expect(model.calls[0]!.options.abortSignal?.aborted).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
    expect(model.callsMade).toBe(1);
    expect(handle.state).toBe("failed");
  });

  it("cancels a paused run: PAUSED → FAILED, status cancelled", async () => {
    const { clock, team } = threeSteps({ enforceLifecycle: true });
    team.markConfiguring().markReady();
    const handle = team.start("go");
    await clock.advance(STEP_MS / 2);
    const pausing = handle.pause();
    await clock.advance(STEP_MS / 2);
    await pausing;
    const result = await handle.cancel();
    expect(result.status).toBe("cancelled");
    expect(result.output).toEqual({ one: "a" });
    expect(team.state).toBe("failed");
    const events = await collect(handle);
    expect(lifecycleChanges(events)).toEqual(["ready>running", "running>paused", "paused>failed"]);
    expect(events.at(-1)!.type).toBe("run_cancelled");
  });
});

describe("snapshot", () => {
  it("is plain, versioned JSON with the run id, input, variables, completed agents and events", async () => {
    const { clock, team } = threeSteps();
    const handle = team.start({ query: "go", lang: "en" });
    await clock.advance(STEP_MS / 2);
    const pausing = handle.pause();
    await clock.advance(STEP_MS / 2);
    await pausing;
    const snapshot = handle.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot).toMatchObject({
      version: 1,
      runId: handle.runId,
      teamId: "pipeline",
      configVersion: 1,
      state: "paused",
      input: { query: "go", lang: "en" },
      variables: { query: "go", lang: "en", one: "a" },
      completedAgents: ["one"],
      pendingApprovals: [],
      takenAt: clock.now(),
    });
    expect(snapshot.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      snapshot.events
        .map((event) => event.type)
        .filter((type) => type !== "cost_update" && type !== "warning"),
    ).toEqual([
      "run_started",
      "agent_started",
      "token",
      "agent_completed",
      "progress",
      "lifecycle_changed",
    ]);
    expect(parseRunSnapshot(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    handle.resume();
    await clock.advance(2 * STEP_MS);
    expect(handle.snapshot()).toMatchObject({
      state: "completed",
      completedAgents: ["one", "two", "three"],
    });
  });

  it("changes its configHash with the configuration, and rejects another version clearly", () => {
    const { team } = threeSteps();
    const first = team.start("q").snapshot();
    const other = threeSteps().team;
    other.addAgent({ type: "llm", role: "four", prompt: "{three}" });
    expect(other.start("q").snapshot().configHash).not.toBe(first.configHash);
    expect(threeSteps().team.start("q").snapshot().configHash).toBe(first.configHash);
    expect(() => parseRunSnapshot({ ...first, version: 2 })).toThrow(
      /Unsupported run snapshot version 2: this llmteam reads version 1/,
    );
    expect(() => parseRunSnapshot({ ...first, runId: 5 })).toThrow(ConfigError);
  });
});

describe("start() errors", () => {
  it("rejects result (and the event iterator) when the run cannot start", async () => {
    const team = new LLMTeam({
      teamId: "empty",
      model: "m/x",
      models: { "m/x": new ScriptedModel({ responses: [] }) },
    });
    const handle = team.start("q");
    await expect(handle.result).rejects.toThrow(/has no agents/);
    await expect(collect(handle)).rejects.toBeInstanceOf(ConfigError);
  });

  it("refuses to start an enforced team that is not ready", async () => {
    const { team } = threeSteps({ enforceLifecycle: true });
    await expect(team.start("q").result).rejects.toMatchObject({
      from: "unconfigured",
      to: "running",
    });
  });
});
