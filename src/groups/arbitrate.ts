import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { addUsage, emptyUsage } from "../events/usage.js";
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
    let text: string;
    try {
      const response = await callOrchestrator(
        execution,
        settings,
        prompt,
        arbiterSchema(ids),
        "arbiter_decision",
      );
      addUsage(usage, response.usage);
      text = response.text;
    } catch (error) {
      throw new AgentFailure(ORCHESTRATOR_ID, error);
    }
    const parsed = parseJsonObject(text);
    if (typeof parsed === "string") problem = parsed;
    else {
      const { choice, reason, output } = parsed;
      const why = typeof reason === "string" ? reason : "";
      if (choice === SYNTHESIS && typeof output === "string" && output.trim().length > 0) {
        await execution.emit(
          "agent_selected",
          { nextAgent: SYNTHESIS, reason: why, iteration: 1, done: true, usage },
          ORCHESTRATOR_ID,
        );
        return output;
      }
      if (typeof choice === "string" && ids.includes(choice)) {
        await execution.emit(
          "agent_selected",
          { nextAgent: choice, reason: why, iteration: 1, done: true, usage },
          ORCHESTRATOR_ID,
        );
        return outputs[choice];
      }
      problem =
        choice === SYNTHESIS
          ? 'choice "synthesis" needs the synthesised answer in "output".'
          : `choice ${JSON.stringify(choice)} is not one of ${[...ids, SYNTHESIS].join(", ")}.`;
    }
    // A new array: the call just made keeps the prompt it was given.
    prompt = [
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
  const chosen = ids[0]!;
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
