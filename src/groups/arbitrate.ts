import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import {
  callOrchestrator,
  describeInput,
  ORCHESTRATOR_ID,
  parseJsonObject,
  preview,
  quoteAnswer,
  type RouteSettings,
} from "../router/route-decision.js";
import type { RunExecution } from "../run/run-execution.js";
import { AgentFailure } from "../run/run-failure.js";

/** The arbiter's pick when it writes its own answer. */
export const SYNTHESIS = "synthesis";

/**
 * The arbiter: shows the task and every team's output to the orchestrator model, which picks
 * the best (`{ choice: <team id>, reason }`) or writes a synthesis (`{ choice: "synthesis",
 * reason, output }`), with structured output. An invalid answer is sent back once; a second
 * invalid one falls back to the first team (in declared order) that succeeded, with a warning.
 * The decision is an `agent_selected` event.
 */
export async function arbitrate(
  execution: RunExecution,
  settings: RouteSettings,
  outputs: Record<string, unknown>,
): Promise<unknown> {
  const ids = Object.keys(outputs);
  let prompt = arbiterPrompt(execution, settings, outputs);
  const usage = emptyUsage();
  let problem = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const text = await askArbiter(execution, settings, prompt, ids, usage);
    const verdict = judge(text, ids, outputs);
    if ("problem" in verdict) problem = verdict.problem;
    else {
      await execution.emit(
        "agent_selected",
        { nextAgent: verdict.choice, reason: verdict.reason, iteration: 1, done: true, usage },
        ORCHESTRATOR_ID,
      );
      return verdict.output;
    }
    prompt = retryPrompt(prompt, text, problem);
  }
  return fallBack(execution, outputs, problem, usage);
}

/** One call to the orchestrator model; its usage is added to `usage`. Returns the answer's text. */
async function askArbiter(
  execution: RunExecution,
  settings: RouteSettings,
  prompt: LanguageModelV4Prompt,
  ids: string[],
  usage: Usage,
): Promise<string> {
  try {
    const response = await callOrchestrator(
      execution,
      settings,
      prompt,
      arbiterSchema(ids),
      "arbiter_decision",
    );
    addUsage(usage, response.usage);
    return response.text;
  } catch (error) {
    throw new AgentFailure(ORCHESTRATOR_ID, error);
  }
}

/** The arbiter's answer checked: the pick and its output, or what is wrong with it. */
function judge(
  text: string,
  ids: string[],
  outputs: Record<string, unknown>,
): { choice: string; reason: string; output: unknown } | { problem: string } {
  const parsed = parseJsonObject(text);
  if (typeof parsed === "string") return { problem: parsed };
  const { choice, reason, output } = parsed;
  const why = typeof reason === "string" ? reason : "";
  if (choice === SYNTHESIS && typeof output === "string" && output.trim().length > 0)
    return { choice: SYNTHESIS, reason: why, output };
  if (typeof choice === "string" && ids.includes(choice))
    return { choice, reason: why, output: outputs[choice] };
  return {
    problem:
      choice === SYNTHESIS
        ? 'choice "synthesis" needs the synthesised answer in "output".'
        : `choice ${JSON.stringify(choice)} is not one of ${[...ids, SYNTHESIS].join(", ")}.`,
  };
}

/**
 * The prompt with the invalid answer and the problem appended. A new array: the call just made
 * keeps the prompt it was given.
 */
function retryPrompt(
  prompt: LanguageModelV4Prompt,
  text: string,
  problem: string,
): LanguageModelV4Prompt {
  return [
    ...prompt,
    { role: "assistant", content: [{ type: "text", text: quoteAnswer(text) }] },
    {
      role: "user",
      content: [
        { type: "text", text: `That answer is invalid: ${problem} Answer again with JSON only.` },
      ],
    },
  ];
}

/** After two invalid answers: the first team that succeeded, with a warning. */
async function fallBack(
  execution: RunExecution,
  outputs: Record<string, unknown>,
  problem: string,
  usage: Usage,
): Promise<unknown> {
  const chosen = Object.keys(outputs)[0]!;
  await execution.emit("warning", {
    message: `The arbiter's answer was invalid twice (${problem}); the first team that succeeded, "${chosen}", is taken.`,
    code: "invalid_router_decision",
  });
  await execution.emit(
    "agent_selected",
    {
      nextAgent: chosen,
      reason: `Fallback: the arbiter's answer was invalid twice (${problem}); the first team that succeeded is taken.`,
      iteration: 1,
      done: true,
      fallback: true,
      usage,
    },
    ORCHESTRATOR_ID,
  );
  return outputs[chosen];
}

function arbiterPrompt(
  execution: RunExecution,
  settings: RouteSettings,
  outputs: Record<string, unknown>,
): LanguageModelV4Prompt {
  const system = [
    `You are the arbiter of the group "${execution.plan.teamId}". Several teams answered the same task. Pick the best answer, or write a better one that combines them.`,
    `Answer with JSON only: {"choice": "<team id>", "reason": "<why>", "output": ""} to pick a team's answer, or {"choice": "${SYNTHESIS}", "reason": "<why>", "output": "<your combined answer>"}.`,
    settings.prompt ? `Instructions:\n${settings.prompt}` : "",
  ].filter(Boolean);
  const answers = Object.entries(outputs)
    .map(([id, output]) => `### ${id}\n${preview(output)}`)
    .join("\n\n");
  return [
    { role: "system", content: system.join("\n\n") },
    {
      role: "user",
      content: [
        {
          type: "text",
          text: `Task:\n${describeInput(execution.plan.input)}\n\nAnswers:\n\n${answers}`,
        },
      ],
    },
  ];
}

function arbiterSchema(ids: string[]): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      choice: { type: "string", enum: [...ids, SYNTHESIS] },
      reason: { type: "string" },
      output: {
        type: "string",
        description: `The combined answer when choice is "${SYNTHESIS}"; empty otherwise.`,
      },
    },
    required: ["choice", "reason", "output"],
    additionalProperties: false,
  };
}
