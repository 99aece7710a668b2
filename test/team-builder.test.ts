import { describe, expect, it } from "vitest";
import { buildTeam, LLMTeam, TeamBuildError } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const SUPPORT = {
  teamId: "billing_desk",
  description: "Answers billing questions.",
  agents: [
    { role: "triage", prompt: "Classify this billing question: {query}", maxTokens: 100 },
    {
      role: "writer",
      prompt: "Answer {query} politely. Category: {triage}. Work out amounts exactly.",
      tools: ["calculator"],
      maxTokens: 400,
    },
  ],
};
const answer = (team: unknown, questions: string[] = []) => ({ object: { questions, team } });

function designer(responses: ConstructorParameters<typeof ScriptedModel>[0]["responses"]) {
  return new ScriptedModel({ responses });
}
const prompt = (model: ScriptedModel, call: number) =>
  JSON.stringify(model.calls[call]!.options.prompt);

describe("buildTeam", () => {
  it("turns a task into a checked team through structured output, and the team runs", async () => {
    const model = designer([answer(SUPPORT)]);
    const worker = new ScriptedModel({
      responses: [{ text: "refund" }, { text: "Sorry! Refunded." }],
    });
    const built = await buildTeam("Answer billing questions", {
      model: "m/designer",
      teamModel: "m/worker",
      models: { "m/designer": model, "m/worker": worker },
    });
    expect(model.calls[0]!.options.responseFormat).toMatchObject({
      type: "json",
      name: "team_blueprint",
    });
    // The designer is told which tools exist and that it cannot ask (no `ask`).
    expect(prompt(model, 0)).toContain("- calculator: ");
    expect(prompt(model, 0)).toContain("You cannot ask questions");
    expect(built.config).toEqual({
      teamId: "billing_desk",
      description: "Answers billing questions.",
      model: "m/worker",
      agents: SUPPORT.agents.map((agent) => ({ type: "llm", ...agent })),
    });
    expect(LLMTeam.checkConfig({ ...built.config, models: { "m/worker": worker } }).errors).toEqual(
      [],
    );
    expect(built.answers).toBe(1);
    expect(built.usage.totalTokens).toBeGreaterThan(0);
    const result = await built.team.run("I was charged twice");
    expect([result.success, result.finalOutput]).toEqual([true, "Sorry! Refunded."]);
  });

  it("asks clarifying questions once when given a way to, and designs with the answers", async () => {
    const model = designer([answer(null, ["Which product?", "Which languages?"]), answer(SUPPORT)]);
    const asked: string[][] = [];
    const built = await buildTeam("Help customers", {
      model: "m/designer",
      models: { "m/designer": model },
      ask: async (questions) => {
        asked.push(questions);
        return ["Our SaaS billing", ""];
      },
    });
    expect(asked).toEqual([["Which product?", "Which languages?"]]);
    expect(built.questions).toEqual([
      { question: "Which product?", answer: "Our SaaS billing" },
      { question: "Which languages?", answer: "(no answer)" },
    ]);
    expect(prompt(model, 0)).toContain("ask up to 3 short questions");
    expect(prompt(model, 1)).toContain("Which product? Our SaaS billing");
    expect(prompt(model, 1)).toContain("You cannot ask questions"); // only once
  });

  it("sends an invalid design back with every problem, then accepts the repaired one", async () => {
    const invalid = {
      ...SUPPORT,
      agents: [
        { role: "triage", prompt: "Classify {question}", tools: ["web_search"] },
        { role: "triage", prompt: "Answer {query} from {research}" },
      ],
    };
    const problems: string[][] = [];
    const model = designer([{ text: "Sure! Here is a team: {" }, answer(invalid), answer(SUPPORT)]);
    const built = await buildTeam("Answer billing questions", {
      model: "m/designer",
      models: { "m/designer": model },
      onInvalidAnswer: ({ issues }) => problems.push(issues.map((issue) => issue.message)),
    });
    expect(built.answers).toBe(3);
    expect(problems[0]!.join()).toMatch(/Not valid JSON/);
    const second = problems[1]!.join("\n");
    expect(second).toMatch(/Duplicate role "triage"/);
    expect(prompt(model, 2)).toContain("Your answer was invalid");
    // The prompt stays bounded: only the last refused answer is quoted back.
    expect(prompt(model, 2)).not.toContain("Sure! Here is a team");
  });

  it("reports unknown tools and prompt variables for repair", async () => {
    const invalid = {
      ...SUPPORT,
      agents: [
        { role: "triage", prompt: "Classify {query}", tools: ["web_search"] },
        { role: "writer", prompt: "Answer {query} from {research}" },
      ],
    };
    const model = designer([answer(invalid), answer(SUPPORT)]);
    const problems: string[] = [];
    await buildTeam("Answer billing questions", {
      model: "m/designer",
      models: { "m/designer": model },
      onInvalidAnswer: ({ issues }) => problems.push(...issues.map((issue) => issue.message)),
    });
    expect(problems.join("\n")).toMatch(/Unknown tool "web_search"\. Known tools: .*calculator/);
    expect(problems.join("\n")).toMatch(/\{research\}/);
    expect(prompt(model, 1)).toMatch(/team\.agents\.0\.tools\.0/);
  });

  it("gives up after maxRepairs corrections with what was still wrong, building nothing", async () => {
    const seven = {
      ...SUPPORT,
      agents: Array.from({ length: 7 }, (_, index) => ({ role: `a${index}`, prompt: "{query}" })),
    };
    const model = designer([answer(seven), answer(seven)]);
    const failure = await buildTeam("Do everything", {
      model: "m/designer",
      models: { "m/designer": model },
      maxRepairs: 1,
    }).catch((error: unknown) => error);
    expect(TeamBuildError.isInstance(failure)).toBe(true);
    const error = failure as TeamBuildError;
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(/did not design a valid team in 2 answers/);
    expect(error.issues.map((issue) => issue.message).join()).toMatch(/at most 6 agents/);
    expect(model.calls).toHaveLength(2);
  });

  it("refuses a team that ignores the run input, and an empty task", async () => {
    const deaf = { ...SUPPORT, agents: [{ role: "poet", prompt: "Write a poem." }] };
    const model = designer([answer(deaf)]);
    const failure = await buildTeam("Write poems about the input", {
      model: "m/designer",
      models: { "m/designer": model },
      maxRepairs: 0,
    }).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/No agent reads \{query\}/);
    await expect(buildTeam("  ", { model: "m/designer" })).rejects.toThrow(/needs a task/);
  });
});
