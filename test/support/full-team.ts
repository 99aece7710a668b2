import { LLMTeam, type RunStore } from "../../src/index.js";
import { ScriptedModel } from "../../src/testing/index.js";

/** The team of the disk-full test: 40 agents each answering 4,000 characters. */
export function fullTeam(runStore: RunStore): LLMTeam {
  const team = new LLMTeam({
    teamId: "full",
    model: "m/x",
    models: { "m/x": new ScriptedModel({ responses: () => ({ text: "x".repeat(4_000) }) }) },
    runStore,
  });
  for (let index = 0; index < 40; index++)
    team.addAgent({ type: "llm", role: `step${index}`, prompt: "Step: {query}" });
  return team;
}
