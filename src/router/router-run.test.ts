import { describe, expect, it } from "vitest";
import { LLMTeam, type AgentConfig, type ModelCallMiddleware, type TeamConfig } from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import {
  agentCalled,
  maxIterations,
  textMention,
  terminateAfterMs,
  type TerminationCondition,
  type TerminationConfig,
} from "llmteam";
import { byPrompt, lastUserText, settle } from "../../test/support/orchestration-helpers.js";
import { withoutEventCount } from "../../test/support/same-run.js";
import { collect } from "../../test/support/collect-events.js";

const agents: AgentConfig[] = [
  { type: "llm", role: "research", description: "Finds facts", prompt: "research: {query}" },
  {
    type: "llm",
    role: "writer",
    description: "Writes the answer",
    prompt: "writer: {query} {research?}",
  },
];

const decide = (
  nextAgent: string,
  reason = `pick ${nextAgent}`,
  usage = { inputTokens: 50, outputTokens: 10 },
): ScriptedResponse => ({
  object:
    nextAgent === "" ? { nextAgent: "", reason, done: true } : { nextAgent, reason, done: false },
  usage,
});

function routerTeam(
  decisions: ScriptedResponse[],
  options: {
    answers?: Record<string, ScriptedResponse | ScriptedResponse[]>;
    orchestrator?: TeamConfig["orchestrator"];
    clock?: FakeClock;
    middleware?: ModelCallMiddleware[];
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const boss = new ScriptedModel({ responses: decisions, clock });
  const worker = new ScriptedModel({
    responses: byPrompt(
      options.answers ?? {
        research: { text: "facts", usage: { inputTokens: 5, outputTokens: 5 } },
        writer: { text: "answer", usage: { inputTokens: 7, outputTokens: 3 } },
      },
    ),
    clock,
  });
  const team = new LLMTeam({
    teamId: "desk",
    model: "test/worker",
    models: { "test/worker": worker, "test/boss": boss },
    clock,
    orchestration: true,
    orchestrator: { model: "test/boss", ...options.orchestrator },
    agents,
    ...(options.middleware ? { middleware: options.middleware } : {}),
  });
  return { team, boss, worker, clock };
}

describe("router mode", () => {
  it("keeps routing until the orchestrator says done, not at the first success", async () => {
    const { team, boss } = routerTeam([
      decide("research", "need facts"),
      decide("writer", "facts found"),
      decide("", "answer complete"),
    ]);
    const stream = team.stream("Why is the sky blue?");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(result.agentsCalled).toEqual(["research", "writer"]);
    expect(result.finalOutput).toBe("answer");
    const selected = events
      .filter((event) => event.type === "agent_selected")
      .map(
        (event) =>
          event.type === "agent_selected" && [
            event.data.nextAgent,
            event.data.reason,
            event.data.iteration,
            event.data.done,
          ],
      );
    expect(selected).toEqual([
      ["research", "need facts", 1, false],
      ["writer", "facts found", 2, false],
      ["", "answer complete", 3, true],
    ]);
    expect(events.find((event) => event.type === "run_started")).toMatchObject({
      data: { mode: "router" },
    });
    expect(boss.callsMade).toBe(3);
  });

  it("shows the orchestrator the task, the agents' descriptions and the outputs so far, asking for structured output", async () => {
    const { team, boss } = routerTeam([decide("research"), decide("writer"), decide("")]);
    await team.run("Why is the sky blue?");
    const options = boss.calls[1]!.options;
    const system = options.prompt[0]!;
    expect(system.role).toBe("system");
    expect(system.content).toContain("- research: Finds facts");
    expect(system.content).toContain("- writer: Writes the answer");
    const user = lastUserText(options);
    expect(user).toContain("Task:\nWhy is the sky blue?");
    expect(user).toContain("1. research:\nfacts");
    expect(options.responseFormat).toMatchObject({
      type: "json",
      schema: { properties: { nextAgent: { enum: ["research", "writer", ""] } } },
    });
  });

  it("counts the orchestrator's tokens in the run's usage and sends its calls through the middleware", async () => {
    const seen: string[] = [];
    const spy: ModelCallMiddleware = (next) => async (request, context) => {
      seen.push(context.agentId);
      return next(request, context);
    };
    const { team } = routerTeam([decide("research"), decide("writer"), decide("")], {
      middleware: [spy],
    });
    const result = await team.run("q");
    // agents: 10 + 10 tokens; orchestrator: 3 decisions × 60 tokens.
    expect(result.usage.totalTokens).toBe(20 + 180);
    expect(result.agentResults.reduce((sum, agent) => sum + agent.usage.totalTokens, 0)).toBe(20);
    expect(seen).toEqual(["_orchestrator", "research", "_orchestrator", "writer", "_orchestrator"]);
    expect(result.report.decisions.map((decision) => decision.nextAgent)).toEqual([
      "research",
      "writer",
      "",
    ]);
  });

  it("fails the run naming the orchestrator when its model fails", async () => {
    const { team } = routerTeam([{ httpError: { status: 401, message: "bad key" } }]);
    const result = await team.run("q");
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("_orchestrator");
    expect(result.error?.message).toContain("bad key");
  });

  it("gives the same result from run() and stream()", async () => {
    const script = () => [decide("research"), decide("writer"), decide("")];
    const ran = await routerTeam(script()).team.run("q", { runId: "r" });
    const stream = routerTeam(script()).team.stream("q", { runId: "r" });
    await collect(stream);
    const streamed = await stream.result;
    expect(withoutEventCount(streamed)).toEqual(withoutEventCount(ran));
    expect(streamed.report.toJSON()).toEqual(ran.report.toJSON());
  });
});

describe("invalid decisions", () => {
  it("sends an invalid answer back once with what was wrong, and uses the corrected one", async () => {
    const { team, boss } = routerTeam([decide("editr"), decide("writer"), decide("")]);
    const result = await team.run("q");
    expect(result.agentsCalled).toEqual(["writer"]);
    const feedback = lastUserText(boss.calls[1]!.options);
    expect(feedback).toContain(
      'nextAgent "editr" is not an agent of this team. Valid: research, writer.',
    );
    expect(boss.calls[1]!.options.prompt.at(-2)).toMatchObject({ role: "assistant" });
    expect(result.report.decisions[0]).toMatchObject({ nextAgent: "writer", fallback: false });
    // Both calls of the first decision count.
    expect(result.usage.totalTokens).toBe(10 + 3 * 60);
  });

  it("falls back to the first agent not run yet after two invalid answers, with a warning", async () => {
    const { team } = routerTeam([
      { text: "research please" },
      { text: "{nope" },
      decide("writer"),
      decide(""),
    ]);
    const stream = team.stream("q");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.agentsCalled).toEqual(["research", "writer"]);
    expect(result.report.decisions[0]).toMatchObject({ nextAgent: "research", fallback: true });
    expect(result.report.decisions[0]!.reason).toContain(
      'rule "next_unvisited" picks the first agent that has not run',
    );
    expect(
      events.some(
        (event) => event.type === "warning" && event.data.code === "invalid_router_decision",
      ),
    ).toBe(true);
  });

  it('stops under the "stop" rule and fails under the "fail" rule', async () => {
    const bad = () => [decide("x"), decide("y")];
    const stopped = await routerTeam(bad(), {
      orchestrator: { onInvalidDecision: "stop" },
    }).team.run("q");
    // Stopping before any agent ran leaves no output: the run fails and says why.
    expect(stopped.status).toBe("failed");
    expect(stopped.agentsCalled).toEqual([]);
    expect(stopped.error?.message).toContain("ended the run before any agent ran");
    expect(stopped.report.decisions[0]).toMatchObject({ done: true, fallback: true });
    const failed = await routerTeam(bad(), {
      orchestrator: { onInvalidDecision: "fail" },
    }).team.run("q");
    expect(failed.status).toBe("failed");
    expect(failed.error?.name).toBe("RouterDecisionError");
  });
});

describe("an orchestrator that says done before any agent ran", () => {
  it("is told so once, and its corrected pick runs", async () => {
    const { team, boss } = routerTeam([decide(""), decide("writer"), decide("")]);
    const result = await team.run("q");
    expect(result.success).toBe(true);
    expect(result.agentsCalled).toEqual(["writer"]);
    expect(lastUserText(boss.calls[1]!.options)).toContain(
      '"done" before any agent has run: there is no output yet.',
    );
  });

  it("fails the run with a RouterDecisionError when it insists and the rule is stop", async () => {
    const { team } = routerTeam([decide("", "nothing to do"), decide("", "still nothing")], {
      orchestrator: { onInvalidDecision: "stop" },
    });
    const result = await team.run("q");
    expect(result.success).toBe(false);
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("_orchestrator");
    expect(result.error?.name).toBe("RouterDecisionError");
    expect(result.error?.message).toMatch(
      /The orchestrator ended the run before any agent ran, so the run has no output/,
    );
  });

  it("runs the first agent under next_unvisited when it insists", async () => {
    const { team } = routerTeam([decide(""), decide(""), decide("")]);
    const result = await team.run("q");
    expect(result.success).toBe(true);
    expect(result.agentsCalled).toEqual(["research"]);
    expect(result.finalOutput).toBe("facts");
  });

  it("fails when a termination condition fires before any agent ran", async () => {
    const { team } = routerTeam([decide("writer")], {
      orchestrator: { terminateWhen: terminateAfterMs(0) },
    });
    const result = await team.run("q");
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("termination condition");
  });
});

describe("termination conditions", () => {
  const always = (agent: string) => Array.from({ length: 20 }, () => decide(agent));

  it("stops at maxIterations without asking the orchestrator again", async () => {
    const { team, boss } = routerTeam(always("writer"), { orchestrator: { maxIterations: 3 } });
    const result = await team.run("q");
    expect(result.agentsCalled).toEqual(["writer", "writer", "writer"]);
    expect(boss.callsMade).toBe(3);
    expect(result.report.decisions.at(-1)).toMatchObject({
      done: true,
      reason: "Stopped by termination condition maxIterations(3).",
    });
  });

  it("stops when an output mentions a text", async () => {
    const { team } = routerTeam(always("writer"), {
      orchestrator: { terminateWhen: { textMention: "TERMINATE" } },
      answers: { writer: ["draft", "final TERMINATE"] },
    });
    const result = await team.run("q");
    expect(result.agentsCalled).toEqual(["writer", "writer"]);
    expect(result.report.decisions.at(-1)!.reason).toContain('textMention("TERMINATE")');
  });

  it("stops once an agent was called", async () => {
    const { team } = routerTeam([decide("research"), decide("writer"), decide("research")], {
      orchestrator: { terminateWhen: { agentCalled: "writer" } },
    });
    expect((await team.run("q")).agentsCalled).toEqual(["research", "writer"]);
  });

  // `timeoutMs` and `maxCostUsd` are the older file keys, still read.
  it.each(["terminateAfterMs", "timeoutMs"])(
    "stops after a time limit (%s), on the run's clock",
    async (key) => {
      const clock = new FakeClock();
      const { team } = routerTeam(always("writer"), {
        clock,
        orchestrator: { terminateWhen: { [key]: 2_500 } as TerminationConfig },
        answers: { writer: { text: "w", delayMs: 1_000 } },
      });
      const result = await settle(team.run("q"), clock);
      expect(result.agentsCalled).toEqual(["writer", "writer", "writer"]);
      expect(result.report.decisions.at(-1)!.reason).toContain("terminateAfterMs(2500)");
    },
  );

  it.each(["terminateAtCostUsd", "maxCostUsd"])(
    "stops at a cost limit (%s), reading cost_update events",
    async (key) => {
      const pricing: ModelCallMiddleware = (next) => {
        let totalUsd = 0;
        return async (request, context) => {
          const response = await next(request, context);
          totalUsd += 0.01;
          await context.events.emit("cost_update", {
            model: response.model,
            deltaUsd: 0.01,
            totalUsd,
            tokens: response.usage,
          });
          return response;
        };
      };
      const { team } = routerTeam(always("writer"), {
        middleware: [pricing],
        orchestrator: { terminateWhen: { [key]: 0.05 } as TerminationConfig },
      });
      const result = await team.run("q");
      // decision+agent = $0.02 per turn: after 3 turns $0.06 >= $0.05.
      expect(result.agentsCalled).toEqual(["writer", "writer", "writer"]);
      expect(result.report.costUsd).toBeCloseTo(0.06);
      expect(result.report.decisions.at(-1)!.reason).toContain("terminateAtCostUsd(0.05)");
    },
  );

  it("composes with and/or", async () => {
    const condition: TerminationCondition = agentCalled("research")
      .and(textMention("DONE"))
      .or(maxIterations(5));
    const { team } = routerTeam(
      [decide("writer"), decide("research"), decide("writer"), decide("writer")],
      {
        orchestrator: { terminateWhen: condition },
        answers: { research: "facts", writer: ["w1", "w2 DONE", "w3"] },
      },
    );
    const result = await team.run("q");
    expect(result.agentsCalled).toEqual(["writer", "research", "writer"]);
    const fromData = routerTeam(
      [decide("writer"), decide("research"), decide("writer"), decide("writer")],
      {
        orchestrator: {
          terminateWhen: {
            any: [
              { all: [{ agentCalled: "research" }, { textMention: "DONE" }] },
              { maxIterations: 5 },
            ],
          },
        },
        answers: { research: "facts", writer: ["w1", "w2 DONE", "w3"] },
      },
    );
    expect((await fromData.team.run("q")).agentsCalled).toEqual(["writer", "research", "writer"]);
  });
});
