import { describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  EscalationError,
  LLMGroup,
  LLMTeam,
  loadTeam,
  parseTeamText,
  type AgentConfig,
  type RunResult,
  type StreamEvent,
  type TeamConfig,
} from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { MemoryRunStore } from "./support/memory-run-store.js";
import { cli, tempFile } from "./support/run-cli.js";

const HANG = Symbol("hang");
type Answer = ScriptedResponse | typeof HANG | (() => ScriptedResponse);

/** A model that answers each agent by the first word of its prompt (`Write:` → `Write`). */
function byPrompt(answers: Record<string, Answer>, clock?: FakeClock): ScriptedModel {
  return new ScriptedModel({
    ...(clock ? { clock } : {}),
    responses: (call) => {
      const prompt = JSON.stringify(call.options.prompt);
      for (const [key, answer] of Object.entries(answers)) {
        if (!prompt.includes(`${key}:`)) continue;
        if (answer === HANG) return { text: "never", delayMs: 1e12 };
        return typeof answer === "function" ? answer() : answer;
      }
      throw new Error(`no answer for ${prompt}`);
    },
  });
}

const FAIL: ScriptedResponse = { error: new Error("the writer broke") };

/** Fails the first `times` calls, then answers `text`. */
function failing(times: number, text: string): () => ScriptedResponse {
  let calls = 0;
  return () => (calls++ < times ? FAIL : { text });
}

function team(
  model: ScriptedModel,
  agents: AgentConfig[],
  settings: Partial<Omit<TeamConfig, "runStore">> & {
    clock?: FakeClock;
    runStore?: MemoryRunStore;
  } = {},
): LLMTeam {
  return new LLMTeam({
    teamId: "desk",
    model: "m/x",
    models: { "m/x": model },
    retryPolicy: false,
    ...settings,
    agents,
  });
}

const WRITER: AgentConfig = { type: "llm", role: "writer", prompt: "Write: {query}" };
const SENIOR: AgentConfig = { type: "llm", role: "senior", prompt: "Senior: {query}" };
const EDITOR: AgentConfig = { type: "llm", role: "editor", prompt: "Edit: {writer}" };

function escalations(result: RunResult) {
  return result.report.escalations.map(({ agentId, trigger, action, depth, to, exhausted }) => ({
    agentId,
    trigger,
    action,
    depth,
    ...(to === undefined ? {} : { to }),
    ...(exhausted ? { exhausted } : {}),
  }));
}

function promptsOf(model: ScriptedModel): string[] {
  return model.calls.map((call) => JSON.stringify(call.options.prompt));
}

describe("escalation policies", () => {
  it("retry runs a failed step again; the event and report entry say so", async () => {
    const model = byPrompt({ Write: failing(1, "a draft"), Edit: "edited" });
    const result = await team(model, [{ ...WRITER, escalation: "retry" }, EDITOR]).run("tides");
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ writer: "a draft", editor: "edited" });
    expect(escalations(result)).toEqual([
      { agentId: "writer", trigger: "failure", action: "retry", depth: 1 },
    ]);
    expect(result.report.escalations[0]!.reason).toMatch(/the writer broke/);
    expect(result.report.toMarkdown()).toContain("## Escalations");
  });

  it("retry is bounded: { retry: 2 } runs the step at most 3 times, then aborts", async () => {
    const model = byPrompt({ Write: FAIL });
    const result = await team(model, [{ ...WRITER, escalation: { retry: 2 } }]).run("tides");
    expect(result.success).toBe(false);
    expect(result.failedAgent).toBe("writer");
    expect(result.error?.message).toMatch(/the writer broke/);
    expect(model.callsMade).toBe(3);
    expect(escalations(result).map((entry) => entry.action)).toEqual(["retry", "retry", "abort"]);
    expect(escalations(result)[2]).toMatchObject({ depth: 3, exhausted: true });
  });

  it("skip goes on with output null, which later prompts read", async () => {
    const model = byPrompt({ Write: FAIL, Edit: "edited anyway" });
    const result = await team(model, [WRITER, EDITOR], { escalation: "skip" }).run("tides");
    expect(result.success).toBe(true);
    expect(result.output).toEqual({ writer: null, editor: "edited anyway" });
    expect(promptsOf(model)[1]).toContain("Edit: null");
    const skipped = result.agentResults.filter((agent) => agent.agentId === "writer");
    expect(skipped.map((agent) => agent.success)).toEqual([false, true]);
    expect(skipped[1]!.escalation).toEqual({ action: "skip", depth: 1 });
  });

  it("reroute runs another agent; its output takes the step's output key", async () => {
    const model = byPrompt({ Write: FAIL, Senior: "the senior's draft", Edit: "edited" });
    const result = await team(
      model,
      [{ ...WRITER, escalation: { reroute: "senior" } }, SENIOR, EDITOR],
      { flow: "writer -> editor" },
    ).run("tides");
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ writer: "the senior's draft", editor: "edited" });
    expect(promptsOf(model)[2]).toContain("Edit: the senior's draft");
    expect(result.agentsCalled).toEqual(["writer", "senior", "editor"]);
    expect(escalations(result)).toEqual([
      { agentId: "writer", trigger: "failure", action: "reroute", depth: 1, to: "senior" },
    ]);
  });

  it("escalates when the structured answer says escalate: true (with its reason)", async () => {
    const schema = {
      type: "object",
      properties: {
        answer: { type: "string" },
        escalate: { type: "boolean" },
        escalationReason: { type: "string" },
      },
      required: ["answer"],
    };
    const model = byPrompt({
      Write: { object: { answer: "?", escalate: true, escalationReason: "out of my depth" } },
      Senior: "the senior's draft",
    });
    const result = await team(
      model,
      [{ ...WRITER, outputSchema: schema, escalation: { reroute: "senior" } }, SENIOR],
      { flow: "writer" },
    ).run("tides");
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("the senior's draft");
    expect(result.report.escalations[0]).toMatchObject({
      agentId: "writer",
      trigger: "output",
      action: "reroute",
      reason: "out of my depth",
    });
  });

  it("an answer asking to escalate under the default policy (abort) fails the run", async () => {
    const model = byPrompt({ Write: { object: { answer: "?", escalate: true } }, Senior: "x" });
    const schema = { type: "object", properties: { answer: { type: "string" } } };
    const result = await team(
      model,
      [
        { ...WRITER, outputSchema: schema },
        { ...SENIOR, escalation: "skip" },
      ],
      { flow: "writer -> senior" },
    ).run("tides");
    expect(result.success).toBe(false);
    expect(EscalationError.isInstance(result.error)).toBe(true);
    expect(result.error).toMatchObject({ reason: "aborted", agentId: "writer" });
    expect(result.error?.message).toMatch(/escalation policy aborts the run/);
  });

  it("without any policy a failure fails the run as before, with no escalation", async () => {
    const model = byPrompt({ Write: FAIL });
    const events: StreamEvent[] = [];
    for await (const event of team(model, [WRITER]).stream("tides")) events.push(event);
    expect(events.some((event) => event.type === "escalation")).toBe(false);
    expect(events.at(-1)!.type).toBe("run_failed");
  });

  it("does not escalate a cancelled run", async () => {
    const clock = new FakeClock();
    const model = byPrompt({ Write: HANG }, clock);
    const controller = new AbortController();
    const running = team(model, [WRITER], { escalation: "retry", clock }).run("tides", {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(model.callsMade).toBe(1));
    controller.abort();
    const result = await running;
    expect(result.status).toBe("cancelled");
    expect(result.report.escalations).toEqual([]);
  });

  it("escalates an open circuit breaker (shouldEscalate) as breaker_open", async () => {
    const model = byPrompt({ Write: { httpError: { status: 503 } }, Senior: "covered" });
    const desk = team(
      model,
      [
        { ...WRITER, circuitBreaker: { failureThreshold: 1 }, escalation: { reroute: "senior" } },
        SENIOR,
      ],
      { flow: "writer" },
    );
    const first = await desk.run("one");
    expect(first.finalOutput).toBe("covered");
    expect(first.report.escalations[0]!.error?.name).not.toBe("CircuitOpenError");
    const second = await desk.run("two");
    expect(second.success).toBe(true);
    expect(model.callsMade).toBe(3); // the open breaker let no call of the writer through
    expect(second.finalOutput).toBe("covered");
    expect(escalations(second)[0]).toMatchObject({ trigger: "breaker_open", to: "senior" });
    expect(second.report.escalations[0]!.error?.name).toBe("CircuitOpenError");
  });

  it("maxEscalationDepth bounds a chain of reroutes", async () => {
    const model = byPrompt({ Write: FAIL, Senior: FAIL, Chief: FAIL });
    const chief: AgentConfig = { type: "llm", role: "chief", prompt: "Chief: {query}" };
    const result = await team(
      model,
      [
        { ...WRITER, escalation: { reroute: "senior" } },
        { ...SENIOR, escalation: { reroute: "chief" } },
        { ...chief, escalation: { reroute: "writer" } },
      ],
      { flow: "writer", maxEscalationDepth: 2 },
    ).run("tides");
    expect(result.success).toBe(false);
    expect(escalations(result)).toEqual([
      { agentId: "writer", trigger: "failure", action: "reroute", depth: 1, to: "senior" },
      { agentId: "senior", trigger: "failure", action: "reroute", depth: 2, to: "chief" },
      { agentId: "chief", trigger: "failure", action: "abort", depth: 3, exhausted: true },
    ]);
    expect(result.failedAgent).toBe("chief");
  });

  it("works in a parallel branch of a graph: the other branches go on", async () => {
    const model = byPrompt({ Write: FAIL, Senior: "covered", Edit: "edited" });
    const parallel = await team(
      model,
      [{ ...WRITER, escalation: "skip" }, SENIOR, { ...EDITOR, prompt: "Edit: {query}" }],
      { flow: "writer, senior, editor" },
    ).run("tides");
    expect(parallel.success).toBe(true);
    expect(parallel.output).toMatchObject({ writer: null, senior: "covered", editor: "edited" });
  });
});

describe("escalation in router mode", () => {
  it("a routed agent that fails is rerouted; the router goes on with its output", async () => {
    const worker = byPrompt({ Write: FAIL, Senior: "the senior's draft" });
    let decisions = 0;
    const router = new ScriptedModel({
      responses: () =>
        decisions++ === 0
          ? { text: '{"nextAgent":"writer","reason":"draft it","done":false}' }
          : { text: '{"nextAgent":"","reason":"drafted","done":true}' },
    });
    const result = await new LLMTeam({
      teamId: "routed",
      model: "m/x",
      models: { "m/x": worker, "m/router": router },
      retryPolicy: false,
      orchestration: true,
      orchestrator: { model: "m/router" },
      agents: [{ ...WRITER, escalation: { reroute: "senior" } }, SENIOR],
    }).run("tides");
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ writer: "the senior's draft" });
    expect(escalations(result)).toEqual([
      { agentId: "writer", trigger: "failure", action: "reroute", depth: 1, to: "senior" },
    ]);
  });
});

describe("estimates with escalation policies", () => {
  it("count retries and a reroute target outside the flow in the most a run may cost", async () => {
    const desk = team(
      byPrompt({}),
      [
        { ...WRITER, escalation: { retry: 2 } },
        { ...EDITOR, escalation: { reroute: "senior" } },
        SENIOR,
      ],
      { flow: "writer -> editor" },
    );
    const estimate = await desk.estimate("tides");
    const runs = Object.fromEntries(estimate.agents.map((agent) => [agent.agentId, agent.runs]));
    expect(runs).toEqual({
      writer: { min: 1, max: 3 },
      editor: { min: 1, max: 1 },
      senior: { min: 0, max: 1 },
    });
    expect(estimate.assumptions.some((text) => text.startsWith("Escalations:"))).toBe(true);
  });
});

describe("escalation to a person", () => {
  async function untilAsked(desk: LLMTeam) {
    const handle = desk.start("tides");
    const events: StreamEvent[] = [];
    void (async () => {
      for await (const event of handle) events.push(event);
    })();
    await vi.waitFor(() =>
      expect(events.some((event) => event.type === "approval_requested")).toBe(true),
    );
    const asked = events.find((event) => event.type === "approval_requested")!;
    if (asked.type !== "approval_requested") throw new Error("unreachable");
    return { handle, asked };
  }

  it("asks with the failure as the prompt; the answer becomes the step's output", async () => {
    const model = byPrompt({ Write: FAIL, Edit: "edited" });
    const desk = team(model, [
      { ...WRITER, escalation: { human: { assignee: "editor-in-chief" } } },
      EDITOR,
    ]);
    const { handle, asked } = await untilAsked(desk);
    expect(asked.agentId).toBe("writer");
    expect(asked.data).toMatchObject({ kind: "human", assignee: "editor-in-chief" });
    expect(asked.data.prompt).toMatch(/Agent "writer" \(writer\) escalated: .*the writer broke/);
    handle.answer(asked.data.approvalId, "a draft by hand");
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ writer: "a draft by hand", editor: "edited" });
    expect(promptsOf(model)[1]).toContain("Edit: a draft by hand");
    expect(escalations(result)[0]).toMatchObject({ action: "human", trigger: "failure" });
  });

  it("fails the run when nobody answers within timeoutMs, on the run's clock", async () => {
    const clock = new FakeClock();
    const model = byPrompt({ Write: FAIL }, clock);
    const desk = team(model, [{ ...WRITER, escalation: { human: { timeoutMs: 60_000 } } }], {
      clock,
    });
    const { handle } = await untilAsked(desk);
    await clock.advance(59_999);
    expect(handle.pendingApprovals).toHaveLength(1);
    await clock.advance(1);
    const result = await handle.result;
    expect(result.success).toBe(false);
    expect(result.error).toMatchObject({ reason: "human_timeout", agentId: "writer" });
    expect(result.error?.message).toMatch(/within 60000 ms/);
  });

  it("fails the run when the person rejects", async () => {
    const model = byPrompt({ Write: FAIL });
    const { handle, asked } = await untilAsked(team(model, [WRITER], { escalation: "human" }));
    handle.reject(asked.data.approvalId, "not worth it");
    const result = await handle.result;
    expect(result.success).toBe(false);
    expect(result.error).toMatchObject({ reason: "human_rejected" });
    expect(result.error?.message).toMatch(/not worth it/);
  });

  it("refuses run() and stream() for a team that escalates to a person", async () => {
    const desk = team(byPrompt({}), [WRITER], { escalation: "human" });
    await expect(desk.run("tides")).rejects.toThrow(ConfigError);
    await expect(desk.run("tides")).rejects.toThrow(
      /escalates to a person, and run\(\) and stream\(\) have nobody to ask.*team\.start/,
    );
  });
});

describe("escalation configuration", () => {
  it("names an unknown reroute target and the known agents", () => {
    expect(() =>
      team(byPrompt({}), [{ ...WRITER, escalation: { reroute: "seniour" } }, SENIOR]),
    ).toThrow(
      /agents\.0\.escalation\.reroute: escalation reroutes to unknown agent "seniour". Known agents: writer, senior/,
    );
  });

  it("reports an unknown reroute target with the flow's problems, at once", () => {
    const { errors } = LLMTeam.checkConfig({
      teamId: "desk",
      model: "m/x",
      models: { "m/x": byPrompt({}) },
      flow: "writer",
      agents: [{ ...WRITER, escalation: { reroute: "seniour" } }, SENIOR],
    });
    expect(errors.map((issue) => issue.path.join(".")).sort()).toEqual([
      "agents.0.escalation.reroute",
      "agents.1",
    ]);
  });

  it("refuses a reroute to the agent itself", () => {
    expect(() => team(byPrompt({}), [{ ...WRITER, escalation: { reroute: "writer" } }])).toThrow(
      /reroutes its escalation to itself/,
    );
  });

  it("lists the valid policies for a bad one, and the valid keys of human", () => {
    expect(() => team(byPrompt({}), [WRITER], { escalation: "ignore" as never })).toThrow(
      /Unknown escalation policy "ignore". Valid policies: "retry", "skip", "human", "abort"/,
    );
    expect(() =>
      team(byPrompt({}), [WRITER], { escalation: { human: { who: "x" } } as never }),
    ).toThrow(/Unknown key "who" in escalation human. Valid keys: assignee, timeoutMs/);
    expect(() => team(byPrompt({}), [WRITER], { escalation: { retry: 0 } })).toThrow(
      /retry must be a whole number of retries from 1 to 10/,
    );
    expect(() => team(byPrompt({}), [WRITER], { maxEscalationDepth: 0 })).toThrow(
      /maxEscalationDepth must be a whole number from 1 to 10/,
    );
  });

  it("loads policies from a team file's YAML", async () => {
    const config = parseTeamText(
      [
        "teamId: desk",
        "model: m/x",
        "retryPolicy: false",
        "escalation: skip",
        "maxEscalationDepth: 2",
        "flow: writer -> editor",
        "agents:",
        "  - { type: llm, role: writer, prompt: 'Write: {query}', escalation: { reroute: senior } }",
        "  - { type: llm, role: senior, prompt: 'Senior: {query}' }",
        "  - { type: llm, role: editor, prompt: 'Edit: {writer}' }",
      ].join("\n"),
      "desk.yaml",
    );
    const desk = LLMTeam.fromConfig(config, {
      models: { "m/x": byPrompt({ Write: FAIL, Senior: FAIL, Edit: "edited" }) },
    });
    const result = await desk.run("tides");
    expect(result.success).toBe(true);
    // writer reroutes to senior, whose failure the team's policy skips.
    expect(escalations(result).map((entry) => `${entry.agentId}:${entry.action}`)).toEqual([
      "writer:reroute",
      "senior:skip",
    ]);
    expect(result.output).toMatchObject({ writer: null, editor: "edited" });
  });
});

describe("escalation in durable runs", () => {
  const makeTeam = (model: ScriptedModel, store: MemoryRunStore, clock: FakeClock) =>
    team(model, [{ ...WRITER, escalation: { reroute: "senior" } }, SENIOR, EDITOR], {
      flow: "writer -> editor",
      clock,
      runStore: store,
    });

  it("a resumed run replays the escalated step from the store, calling no model for it", async () => {
    const clock = new FakeClock();
    const answers = { Write: FAIL, Senior: "the senior's draft", Edit: "edited" };
    const reference = await makeTeam(byPrompt(answers, clock), new MemoryRunStore(), clock).run(
      "tides",
    );
    expect(reference.success).toBe(true);

    const store = new MemoryRunStore();
    const controller = new AbortController();
    const crashing = byPrompt({ ...answers, Edit: HANG }, clock);
    void makeTeam(crashing, store, clock).run("tides", { signal: controller.signal });
    let runId = "";
    await vi.waitFor(() => {
      const entry = [...store.runs.values()].at(-1)!;
      runId = entry.run.runId;
      const resolved = entry.events.some(
        (stored) =>
          stored.event.type === "agent_completed" &&
          stored.event.agentId === "writer" &&
          "details" in stored.event.data &&
          stored.event.data.details?.escalation !== undefined,
      );
      expect(resolved).toBe(true);
    });
    const survived = store.copy();
    controller.abort();

    const model = byPrompt(answers, clock);
    const result = await (await makeTeam(model, survived, clock).resume(runId)).result;
    expect(result.success).toBe(true);
    expect(result.output).toEqual(reference.output);
    expect(model.callsMade).toBe(1); // only the editor
    expect(promptsOf(model)[0]).toContain("Edit: the senior's draft");
    expect(escalations(result)).toEqual(escalations(reference));
    const events = survived.runs.get(runId)!.events;
    expect(events.map((stored) => stored.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((stored) => stored.event.type === "escalation")).toHaveLength(1);
  });

  it("a run resumed while a person was asked asks again and takes the answer", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const desk = (model: ScriptedModel, runStore: MemoryRunStore) =>
      team(model, [{ ...WRITER, escalation: "human" }, EDITOR], { clock, runStore });
    const first = desk(byPrompt({ Write: FAIL, Edit: "edited" }, clock), store).start("tides");
    await vi.waitFor(() => expect(first.pendingApprovals).toHaveLength(1));
    const survived = store.copy();
    await first.cancel();

    const model = byPrompt({ Edit: "edited" }, clock);
    const handle = await desk(model, survived).resume(first.runId);
    await vi.waitFor(() => expect(handle.pendingApprovals).toHaveLength(1));
    handle.answer(handle.pendingApprovals[0]!.approvalId, "by hand");
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({ writer: "by hand", editor: "edited" });
    expect(model.callsMade).toBe(1); // the writer's failure is replayed, not run again
  });
});

describe("llmteam run with escalations", () => {
  const TEAM = `teamId: desk
escalation: { human: { assignee: editor } }
flow: "draft -> publish"
agents:
  - type: transform
    role: draft
    transform: { expression: '$error("the draft step broke")' }
  - type: transform
    role: publish
    transform: { expression: '"published " & draft' }
`;

  it("shows the escalation and takes the person's answer from --answer", async () => {
    const file = await tempFile(TEAM);
    const { code, stdout } = await cli([
      "run",
      file,
      "--query",
      "tides",
      "--answer",
      'draft="a draft by hand"',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /⤴ draft escalated \(failure, depth 1\): human — .*the draft step broke/,
    );
    expect(stdout).toContain("published a draft by hand");
  });
});

describe("examples/escalation.yaml", () => {
  it("reroutes the refused forecast to the estimating agent, and the writer reads its output", async () => {
    const model = byPrompt({ estimate: "mild, 18 °C", writer: "A mild week in Lisbon." });
    const weather = await loadTeam(
      new URL("../examples/escalation.yaml", import.meta.url).pathname,
      {
        models: { "openai/gpt-4o-mini": model },
      },
    );
    const result = await weather.run("Lisbon");
    expect(result.success).toBe(true);
    expect(result.output).toMatchObject({
      forecast: "mild, 18 °C",
      writer: "A mild week in Lisbon.",
    });
    expect(escalations(result)).toEqual([
      { agentId: "forecast", trigger: "failure", action: "reroute", depth: 1, to: "estimate" },
    ]);
    expect(promptsOf(model)[1]).toContain("from this forecast:\\nmild, 18 °C");
  });
});

describe("escalation in groups", () => {
  function groupOf(
    model: ScriptedModel,
    teams: [string, "leader" | "member" | "specialist" | "fallback", AgentConfig?][],
    escalation?: "abort" | { reroute?: string; allowRequests?: boolean },
  ): LLMGroup {
    return new LLMGroup({
      groupId: "launch",
      role: "coordinator",
      ...(escalation === undefined ? {} : { escalation }),
      teams: teams.map(([id, role, agent]) => ({
        role,
        team: new LLMTeam({
          teamId: id,
          model: "m/x",
          models: { "m/x": model },
          retryPolicy: false,
          agents: [agent ?? { type: "llm", role: "worker", prompt: `${id}: {query} {previous?}` }],
        }),
      })),
    });
  }

  it("a failed leader escalates to the group, which reroutes to another team", async () => {
    const model = byPrompt({ plan: FAIL, backup: "backup plan", write: "written" });
    const result = await groupOf(
      model,
      [
        ["plan", "leader"],
        ["write", "member"],
        ["backup", "fallback"],
      ],
      { reroute: "backup" },
    ).run("launch");
    expect(result.success).toBe(true);
    expect(result.output).toBe("written");
    expect(promptsOf(model).at(-1)).toContain("backup plan");
    expect(result.report.escalations).toMatchObject([
      { agentId: "plan", trigger: "failure", action: "reroute", to: "backup", depth: 1 },
    ]);
    // The warning of a plain fallback is not there: the group's policy took the team's place.
    expect(result.report.warnings.filter((text) => text.includes("fallback team"))).toEqual([]);
  });

  it("a specialist's output asking to escalate aborts the group under the default policy", async () => {
    const schema = { type: "object", properties: { escalate: { type: "boolean" } } };
    const specialist: AgentConfig = {
      type: "llm",
      role: "worker",
      prompt: "legal: {query}",
      outputSchema: schema,
    };
    const model = byPrompt({
      plan: "a plan",
      legal: { object: { escalate: true, escalationReason: "needs counsel" } },
    });
    const result = await groupOf(
      model,
      [
        ["plan", "leader"],
        ["legal", "specialist", specialist],
      ],
      "abort",
    ).run("launch");
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(
      /Team "legal" escalated to the group \(needs counsel\), and the group's escalation policy aborts/,
    );
    expect(result.report.escalations).toMatchObject([
      { agentId: "legal", trigger: "output", action: "abort" },
    ]);
  });

  it("members do not escalate to the group (leaders and specialists only)", async () => {
    const model = byPrompt({ plan: "a plan", write: FAIL, backup: "never" });
    const result = await groupOf(
      model,
      [
        ["plan", "leader"],
        ["write", "member"],
        ["backup", "member"],
      ],
      { reroute: "backup" },
    ).run("launch");
    expect(result.success).toBe(false);
    expect(result.report.escalations).toEqual([]);
  });

  it("names an unknown reroute team and the group's teams", () => {
    const group = groupOf(byPrompt({}), [["plan", "leader"]], { reroute: "legl" });
    expect(() => group.validate()).toThrow(
      /escalation\.reroute: The group's escalation reroutes to unknown team "legl". Teams: plan/,
    );
    expect(() =>
      LLMGroup.fromConfig({
        groupId: "g",
        escalation: { reroute: "legl" },
        teams: [{ team: { teamId: "plan", agents: [] } }],
      }),
    ).toThrow(/unknown team "legl"/);
    expect(() => groupOf(byPrompt({}), [["plan", "leader"]], "retry" as never)).toThrow(
      /A group's escalation must be "abort" or \{ reroute: "<teamId>", allowRequests: true\|false \}/,
    );
  });

  it("runs the team a specialist asks for when the group allows requests, else aborts", async () => {
    const schema = {
      type: "object",
      properties: { escalate: { type: "boolean" }, requestTeam: { type: "string" } },
    };
    const asking: AgentConfig = {
      type: "llm",
      role: "worker",
      prompt: "legal: {query}",
      outputSchema: schema,
    };
    const teams = (): [string, "leader" | "specialist" | "fallback", AgentConfig?][] => [
      ["plan", "leader"],
      ["legal", "specialist", asking],
      ["counsel", "fallback"],
    ];
    const answers = (requestTeam: string) =>
      byPrompt({
        plan: "a plan",
        legal: { object: { escalate: true, escalationReason: "needs counsel", requestTeam } },
        counsel: "counsel's opinion",
      });
    const allowed = await groupOf(answers("counsel"), teams(), {
      allowRequests: true,
    }).run("launch");
    expect(allowed.success).toBe(true);
    expect(allowed.report.escalations).toMatchObject([
      { agentId: "legal", trigger: "output", action: "reroute", to: "counsel" },
    ]);
    // A request for a team the group does not have falls back to the policy: here, abort.
    const unknown = await groupOf(answers("nobody"), teams(), {
      allowRequests: true,
    }).run("launch");
    expect(unknown.success).toBe(false);
    expect(unknown.report.escalations).toMatchObject([{ agentId: "legal", action: "abort" }]);
    // Without allowRequests the request is not honoured: the policy's own reroute runs.
    const ignored = await groupOf(answers("counsel"), teams(), { reroute: "plan" }).run("launch");
    expect(ignored.report.escalations).toMatchObject([{ agentId: "legal", to: "plan" }]);
  });
});
