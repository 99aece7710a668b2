import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam } from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { LLMGroup, type GroupRole, type TeamRole } from "./index.js";
import { byPrompt, lastUserText, settle } from "../../test/support/orchestration-helpers.js";
import { withoutEventCount } from "../../test/support/same-run.js";
import { collect } from "../../test/support/collect-events.js";

interface Fixture {
  clock: FakeClock;
  worker: ScriptedModel;
  boss: ScriptedModel;
  team: (
    id: string,
    prompt?: string,
    outputSchema?: Record<string, unknown>,
    inputs?: Record<string, string>,
  ) => LLMTeam;
}

function fixture(
  answers: Record<string, ScriptedResponse | ScriptedResponse[]>,
  decisions: ScriptedResponse[] = [],
): Fixture {
  const clock = new FakeClock();
  const worker = new ScriptedModel({ responses: byPrompt(answers), clock });
  const boss = new ScriptedModel({ responses: decisions, clock });
  const team = (
    id: string,
    prompt = `${id}: {query} {previous?}`,
    outputSchema?: Record<string, unknown>,
    inputs?: Record<string, string>,
  ) =>
    new LLMTeam({
      teamId: id,
      ...(inputs ? { inputs } : {}),
      description: `the ${id} team`,
      model: "test/worker",
      models: { "test/worker": worker },
      clock,
      agents: [{ type: "llm", role: "worker", prompt, ...(outputSchema ? { outputSchema } : {}) }],
    });
  return { clock, worker, boss, team };
}

function group(
  f: Fixture,
  role: GroupRole,
  teams: [string, TeamRole][],
  extra: Partial<ConstructorParameters<typeof LLMGroup>[0]> = {},
): LLMGroup {
  return new LLMGroup({
    groupId: "g",
    role,
    teams: teams.map(([id, teamRole]) => ({ team: f.team(id), role: teamRole })),
    models: { "test/boss": f.boss },
    clock: f.clock,
    ...(role === "router" || role === "arbiter" ? { model: "test/boss" } : {}),
    ...extra,
  });
}

const callsTo = (model: ScriptedModel, id: string) =>
  model.calls.filter((call) => lastUserText(call.options).startsWith(`${id}:`)).length;
const pick = (nextAgent: string, reason = `pick ${nextAgent}`): ScriptedResponse => ({
  object: { nextAgent, reason, done: nextAgent === "" },
});

describe("report_collector", () => {
  it("runs every team once on the input and collects the outputs by team", async () => {
    const f = fixture({ sales: "sales up", support: "tickets down", ops: "all green" });
    const stream = group(f, "report_collector", [
      ["sales", "member"],
      ["support", "member"],
      ["ops", "specialist"],
    ]).stream("weekly status");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(result.output).toEqual({ sales: "sales up", support: "tickets down", ops: "all green" });
    expect(result.teamResults.map((team) => team.teamId)).toEqual(["sales", "support", "ops"]);
    expect(f.worker.callsMade).toBe(3);
    expect(events.find((event) => event.type === "token")?.agentPath).toBe("g/sales/worker");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(result.run.agentsCalled).toEqual(["sales", "support", "ops"]);
    const markdown = result.report.toMarkdown();
    expect(markdown).toContain("# Run report: g");
    expect(markdown).toContain("## Team sales");
    expect(markdown).toContain("### Run report: sales");
  });

  it("keeps the other teams' outputs when one fails, and says which failed", async () => {
    const f = fixture({
      sales: "sales up",
      support: { httpError: { status: 400, message: "down" } },
      ops: "ok",
    });
    const result = await group(f, "report_collector", [
      ["sales", "member"],
      ["support", "member"],
      ["ops", "member"],
    ]).run("q");
    expect(result.success).toBe(false);
    expect(result.error?.name).toBe("GroupTeamFailedError");
    expect(result.output).toEqual({ sales: "sales up", ops: "ok" });
    expect(result.errors).toEqual([
      { teamId: "support", error: expect.objectContaining({ status: 400 }) as unknown },
    ]);
  });
});

describe("coordinator", () => {
  it("runs the leader once, then members, then specialists, each output feeding the next", async () => {
    const f = fixture({ lead: "plan", dev: "code", qa: "tested", docs: "written" });
    const result = await group(f, "coordinator", [
      ["qa", "specialist"],
      ["dev", "member"],
      ["lead", "leader"],
      ["docs", "member"],
    ]).run("ship it");
    expect(result.run.agentsCalled).toEqual(["lead", "dev", "docs", "qa"]);
    expect(callsTo(f.worker, "lead")).toBe(1);
    expect(lastUserText(f.worker.calls[0]!.options)).toBe("lead: ship it ");
    expect(lastUserText(f.worker.calls[1]!.options)).toBe("dev: ship it plan");
    expect(lastUserText(f.worker.calls[3]!.options)).toBe("qa: ship it written");
    expect(result.output).toBe("tested");
  });

  it("lets later teams read earlier teams' outputs by team id, checked before the run", async () => {
    const f = fixture({ lead: "plan", dev: "code" });
    const ok = new LLMGroup({
      groupId: "g",
      role: "coordinator",
      clock: f.clock,
      teams: [
        { team: f.team("lead"), role: "leader" },
        f.team("dev", "dev: {lead} then {query}", undefined, { query: "string", lead: "string" }),
      ],
    });
    expect((await ok.run("q")).output).toBe("code");
    const bad = new LLMGroup({
      groupId: "g",
      role: "coordinator",
      clock: f.clock,
      teams: [
        {
          team: f.team("lead", "lead: {dev}", undefined, { query: "string", dev: "string" }),
          role: "leader",
        },
        f.team("dev"),
      ],
    });
    await expect(bad.run("q")).rejects.toThrow(
      /teams\.0\.team\.agents\.0\.prompt: Agent "worker" reads \{dev\}/,
    );
  });

  it("stops at a team that fails with no fallback", async () => {
    const f = fixture({ lead: "plan", dev: { error: new Error("compiler crashed") }, docs: "x" });
    const result = await group(f, "coordinator", [
      ["lead", "leader"],
      ["dev", "member"],
      ["docs", "member"],
    ]).run("q");
    expect(result.status).toBe("failed");
    expect(result.run.agentsCalled).toEqual(["lead", "dev"]);
    expect(result.error?.message).toContain("compiler crashed");
  });
});

describe("fallback teams", () => {
  it("run in place of a team that failed, with a warning", async () => {
    const f = fixture({
      primary: { httpError: { status: 400, message: "bad request" } },
      backup: "backup answer",
      other: "other",
    });
    const stream = group(f, "report_collector", [
      ["primary", "member"],
      ["backup", "fallback"],
      ["other", "member"],
    ]).stream("q");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(result.output).toEqual({ primary: "backup answer", other: "other" });
    expect(result.errors.map((error) => error.teamId)).toEqual(["primary"]);
    expect(
      events.some((event) => event.type === "warning" && event.data.code === "team_fallback"),
    ).toBe(true);
    expect(callsTo(f.worker, "backup")).toBe(1);
  });

  it("never run on their own", async () => {
    const f = fixture({ a: "A", backup: "B" });
    const result = await group(f, "aggregator", [
      ["a", "member"],
      ["backup", "fallback"],
    ]).run("q");
    expect(result.output).toBe("## a\n\nA");
    expect(callsTo(f.worker, "backup")).toBe(0);
  });
});

describe("router", () => {
  it("lets the orchestrator pick teams until done", async () => {
    const f = fixture({ lead: "plan", dev: "code" }, [
      pick("lead", "plan first"),
      pick("dev", "then build"),
      pick("", "done"),
    ]);
    const result = await group(f, "router", [
      ["lead", "leader"],
      ["dev", "member"],
    ]).run("ship it");
    expect(result.success).toBe(true);
    expect(result.run.agentsCalled).toEqual(["lead", "dev"]);
    expect(result.output).toBe("code");
    expect(result.report.decisions.map((decision) => decision.reason)).toEqual([
      "plan first",
      "then build",
      "done",
    ]);
    expect(lastUserText(f.boss.calls[0]!.options)).toContain("at most 10 teams run in all");
    expect(f.boss.calls[0]!.options.prompt[0]!.content).toContain("- lead (leader): the lead team");
  });

  it("terminates: a leader picked every time runs exactly maxIterations times", async () => {
    const f = fixture(
      { lead: "again" },
      Array.from({ length: 20 }, () => pick("lead")),
    );
    const result = await group(
      f,
      "router",
      [
        ["lead", "leader"],
        ["dev", "member"],
      ],
      { orchestrator: { maxIterations: 3 } },
    ).run("q");
    expect(result.success).toBe(true);
    expect(callsTo(f.worker, "lead")).toBe(3);
    expect(f.boss.callsMade).toBe(3);
  });

  it("counts the orchestrator's tokens in the group's cost", async () => {
    const f = fixture({ lead: { text: "p", usage: { inputTokens: 10, outputTokens: 2 } } }, [
      {
        object: { nextAgent: "lead", reason: "r", done: false },
        usage: { inputTokens: 100, outputTokens: 5 },
      },
      {
        object: { nextAgent: "", reason: "r", done: true },
        usage: { inputTokens: 120, outputTokens: 5 },
      },
    ]);
    const result = await group(f, "router", [["lead", "leader"]]).run("q");
    expect(result.cost.usage.totalTokens).toBe(12 + 105 + 125);
    expect(result.teamResults[0]!.usage.totalTokens).toBe(12);
  });

  it("needs a model to decide", async () => {
    const f = fixture({});
    const router = new LLMGroup({ groupId: "g", role: "router", teams: [f.team("a")] });
    await expect(router.run("q")).rejects.toThrow(/needs a model to decide/);
  });
});

describe("aggregator", () => {
  it("runs the teams in parallel and merges their outputs", async () => {
    const f = fixture({
      a: { object: { price: 10 }, delayMs: 2_000 },
      b: { object: { stock: 3 }, delayMs: 2_000 },
    });
    const structured = { type: "object" };
    const aggregator = new LLMGroup({
      groupId: "g",
      role: "aggregator",
      clock: f.clock,
      teams: [f.team("a", "a: {query}", structured), f.team("b", "b: {query}", structured)],
    });
    const result = await settle(aggregator.run("q"), f.clock);
    expect(result.output).toEqual({ price: 10, stock: 3 });
    // Two 2 s teams side by side take 2 s.
    expect(result.durationMs).toBe(2_000);
  });

  it("joins text outputs under a heading per team", async () => {
    const f = fixture({ a: "1", b: "2" });
    expect(
      (
        await group(f, "aggregator", [
          ["a", "member"],
          ["b", "member"],
        ]).run("q")
      ).output,
    ).toBe("## a\n\n1\n\n## b\n\n2");
  });

  it("uses a custom merge", async () => {
    const f = fixture({ a: "1", b: "2" });
    const result = await group(
      f,
      "aggregator",
      [
        ["a", "member"],
        ["b", "member"],
      ],
      { aggregate: (outputs) => Object.values(outputs).join("+") },
    ).run("q");
    expect(result.output).toBe("1+2");
  });
});

describe("arbiter", () => {
  it("runs the teams in parallel, then the model picks the best output", async () => {
    const f = fixture({ a: "short answer", b: "thorough answer" }, [
      { object: { choice: "b", reason: "more complete", output: "" } },
    ]);
    const result = await group(f, "arbiter", [
      ["a", "member"],
      ["b", "member"],
    ]).run("q");
    expect(result.output).toBe("thorough answer");
    expect(result.report.decisions).toEqual([
      { iteration: 1, nextAgent: "b", reason: "more complete", done: true, fallback: false },
    ]);
    expect(lastUserText(f.boss.calls[0]!.options)).toContain("### a\nshort answer");
  });

  it("can write a synthesis", async () => {
    const f = fixture({ a: "x", b: "y" }, [
      { object: { choice: "synthesis", reason: "both partial", output: "x and y" } },
    ]);
    expect(
      (
        await group(f, "arbiter", [
          ["a", "member"],
          ["b", "member"],
        ]).run("q")
      ).output,
    ).toBe("x and y");
  });

  it("falls back to the first team after two invalid answers, with a warning", async () => {
    const f = fixture({ a: "x", b: "y" }, [{ object: { choice: "c" } }, { text: "b is best" }]);
    const result = await group(f, "arbiter", [
      ["a", "member"],
      ["b", "member"],
    ]).run("q");
    expect(result.output).toBe("x");
    expect(result.report.decisions[0]).toMatchObject({ nextAgent: "a", fallback: true });
    expect(result.report.warnings.some((warning) => warning.includes("invalid twice"))).toBe(true);
    expect(lastUserText(f.boss.calls[1]!.options)).toContain(
      'choice "c" is not one of a, b, synthesis',
    );
  });
});

describe("group configuration", () => {
  it("rejects two leaders, a duplicate team and an orchestrator the role does not use", () => {
    const f = fixture({});
    expect(
      () =>
        new LLMGroup({
          groupId: "g",
          teams: [
            { team: f.team("a"), role: "leader" },
            { team: f.team("b"), role: "leader" },
          ],
        }),
    ).toThrow(/at most one leader; "a" is the leader already/);
    expect(() => new LLMGroup({ groupId: "g", teams: [f.team("a"), f.team("a")] })).toThrow(
      /Duplicate teamId "a"/,
    );
    expect(
      () => new LLMGroup({ groupId: "g", role: "coordinator", orchestrator: { maxIterations: 2 } }),
    ).toThrow(ConfigError);
    expect(() => new LLMGroup({ groupId: "g", role: "boss" as GroupRole })).toThrow(
      /Unknown group role "boss". Valid roles: report_collector, coordinator, router, aggregator, arbiter/,
    );
  });

  it("gives the same result from run() and stream()", async () => {
    const make = () => {
      const f = fixture({ lead: "plan", dev: "code" }, [pick("lead"), pick("dev"), pick("")]);
      return group(f, "router", [
        ["lead", "leader"],
        ["dev", "member"],
      ]);
    };
    const ran = await make().run("q", { runId: "r" });
    const stream = make().stream("q", { runId: "r" });
    await collect(stream);
    const streamed = await stream.result;
    expect({ ...withoutEventCount(streamed), report: streamed.report.toJSON() }).toEqual({
      ...withoutEventCount(ran),
      report: ran.report.toJSON(),
    });
  });
});
