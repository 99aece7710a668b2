import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { LLMTeam } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { timeAsync, type BenchRow } from "./harness.js";

const AGENTS = 5;

function model(): ScriptedModel {
  return new ScriptedModel({
    responses: () => ({ text: "ok", usage: { inputTokens: 10, outputTokens: 1 } }),
    recordCalls: false,
  });
}

function team(stream: boolean): LLMTeam {
  const team = new LLMTeam({
    teamId: "bench",
    model: "openai/gpt-4o-mini",
    stream,
    models: { "openai/gpt-4o-mini": model() },
  });
  for (let index = 0; index < AGENTS; index++) {
    team.addAgent({
      type: "llm",
      role: `agent${index}`,
      prompt: index === 0 ? "Do {query}" : `Continue from {agent${index - 1}}`,
    });
  }
  return team;
}

/** A 5-agent sequential team on a zero-latency model vs a hand-written loop making the same calls. */
export async function benchAgentStep(): Promise<BenchRow[]> {
  const iterations = 2_000;
  const raw = model();
  const handLoop = async (): Promise<void> => {
    let previous = "task";
    for (let index = 0; index < AGENTS; index++) {
      const options: LanguageModelV4CallOptions = {
        prompt: [{ role: "user", content: [{ type: "text", text: `Continue from ${previous}` }] }],
      };
      const result = await raw.doGenerate(options);
      const part = result.content[0];
      previous = part?.type === "text" ? part.text : "";
    }
  };
  const handNs = (await timeAsync(handLoop, iterations)) / AGENTS;
  const generateTeam = team(false);
  const teamNs = (await timeAsync(() => generateTeam.run({ query: "task" }), iterations)) / AGENTS;
  const streamTeam = team(true);
  const streamNs = (await timeAsync(() => streamTeam.run({ query: "task" }), iterations)) / AGENTS;
  return [
    {
      scenario: "5-agent sequential run",
      measure: "hand-written loop, per step",
      value: handNs / 1000,
      unit: "µs",
    },
    {
      scenario: "5-agent sequential run",
      measure: "team.run(), doGenerate, per step",
      value: teamNs / 1000,
      unit: "µs",
      note: `${(teamNs / handNs).toFixed(1)}× hand loop; framework cost ${((teamNs - handNs) / 1000).toFixed(2)} µs`,
    },
    {
      scenario: "5-agent sequential run",
      measure: "team.run(), doStream, per step",
      value: streamNs / 1000,
      unit: "µs",
      note: `${(streamNs / handNs).toFixed(1)}× hand loop`,
    },
  ];
}
