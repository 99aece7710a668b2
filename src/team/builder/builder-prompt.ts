import { BLUEPRINT_LIMITS } from "./team-blueprint.js";

/** A tool the designed team may use. */
export interface AvailableTool {
  name: string;
  description: string;
}

/** The team builder's system prompt: its job, the answer's shape, the rules and the tools. */
export function builderInstructions(options: {
  tools: readonly AvailableTool[];
  canAsk: boolean;
  extra: string | undefined;
}): string {
  const tools =
    options.tools.length === 0
      ? "(none: agents have no tools)"
      : options.tools.map((tool) => `- ${tool.name}: ${tool.description}`).join("\n");
  return [
    "You design a team of LLM agents (llmteam) for the user's task. Agents run in order by default; each one's output is read by later agents.",
    "",
    "Answer with ONE JSON object and nothing else:",
    '{"questions": [], "team": {"teamId": "<short-id>", "description": "<what the team does>", "agents": [{"role": "<id>", "description": "<what it does>", "prompt": "<its message>", "tools": ["<tool>"], "maxTokens": 600}], "flow": "sequential"}}',
    "",
    "Rules:",
    `- 1 to ${BLUEPRINT_LIMITS.maxAgents} agents, each with a unique role: letters, digits, "_" or "-", starting with a letter (e.g. researcher, writer).`,
    "- A prompt is a template. {query} is the run's input (the task the team is given at run time). {<role>} is the output of an EARLIER agent. No other {names}: write {{ and }} for literal braces.",
    "- The first agent's prompt must contain {query}; later agents read {query} and earlier roles as they need.",
    `- tools: only names from the list below, and only when the agent needs them. maxTokens: ${16} to ${BLUEPRINT_LIMITS.maxTokens}; maxToolRounds: 0 to ${BLUEPRINT_LIMITS.maxToolRounds}.`,
    '- flow: leave it out (sequential), or a chain such as "researcher -> writer, critic -> editor" (writer and critic run at the same time after researcher).',
    "- Keep the team as small as the task allows.",
    options.canAsk
      ? `- If the task is too ambiguous to design well, ask up to ${BLUEPRINT_LIMITS.maxQuestions} short questions in "questions" with "team": null. Otherwise "questions": [] and the team.`
      : '- You cannot ask questions: "questions": [] and the team; make reasonable assumptions and state them in the description.',
    "",
    "Tools that exist:",
    tools,
    ...(options.extra ? ["", options.extra] : []),
  ].join("\n");
}
