import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import { RouterDecisionError } from "../errors/router-decision-error.js";
import type { ModelRequest, ModelResponse, ResolvedModel } from "../providers/model-call.js";
import type { RunExecution } from "../run/run-execution.js";
import type { INVALID_DECISION_RULES } from "./orchestrator-config.js";

/** The agent id under which the orchestrator's model calls and decisions appear in events. */
export const ORCHESTRATOR_ID = "_orchestrator";

/** Something the orchestrator can pick: an agent of a team, or a team of a group. */
export interface RouteCandidate {
  id: string;
  role?: string;
  description?: string;
}

/** What a candidate produced, as the orchestrator sees it. */
export interface RouteHistoryEntry {
  id: string;
  output: unknown;
}

/** How the orchestrator decides. */
export interface RouteSettings {
  model: ResolvedModel;
  prompt: string | undefined;
  maxIterations: number;
  onInvalidDecision: (typeof INVALID_DECISION_RULES)[number];
  temperature: number | undefined;
  /** Most output tokens of one orchestrator call (see `orchestratorMaxTokens`). */
  maxTokens: number;
  /** "agent" in a team, "team" in a group (wording of the prompt). */
  noun: "agent" | "team";
}

/** One decision. */
export interface RouteDecision {
  nextAgent: string;
  reason: string;
  done: boolean;
  /** True when the answer was invalid twice and the fallback rule decided. */
  fallback: boolean;
  /** Tokens of the orchestrator's model calls for this decision. */
  usage: Usage;
}

const OUTPUT_PREVIEW_CHARS = 2_000;

/** Most characters of an invalid answer that a repair prompt quotes back to the model. */
export const REPAIR_QUOTE_CHARS = 1_000;

/** An invalid answer as a repair prompt quotes it: at most {@link REPAIR_QUOTE_CHARS} characters. */
export function quoteAnswer(text: string): string {
  return text.length > REPAIR_QUOTE_CHARS
    ? `${text.slice(0, REPAIR_QUOTE_CHARS)}… (${text.length - REPAIR_QUOTE_CHARS} more characters not shown)`
    : text;
}

/**
 * Asks the orchestrator model which candidate goes next, with structured output
 * `{ nextAgent, reason, done }`. An invalid answer (not JSON, unknown id, done before anything
 * ran) is sent back once
 * with what was wrong; a second invalid answer is settled by `settings.onInvalidDecision`,
 * with a `warning` event. Model calls go through the run's model-call pipeline.
 * @throws the model call's error; RouterDecisionError under the `fail` rule.
 */
export async function decideNext(
  execution: RunExecution,
  settings: RouteSettings,
  candidates: RouteCandidate[],
  history: RouteHistoryEntry[],
  iteration: number,
): Promise<RouteDecision> {
  const ids = candidates.map((candidate) => candidate.id);
  let prompt = buildPrompt(execution, settings, candidates, history, iteration);
  const usage = emptyUsage();
  let problem = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    const response = await callOrchestrator(
      execution,
      settings,
      prompt,
      decisionSchema(ids),
      "routing_decision",
    );
    addUsage(usage, response.usage);
    const checked = checkDecision(response.text, ids, settings.noun, history.length);
    if ("decision" in checked) return { ...checked.decision, fallback: false, usage };
    problem = checked.problem;
    // A new array: the call just made keeps the prompt it was given.
    prompt = [
      ...prompt,
      { role: "assistant", content: [{ type: "text", text: quoteAnswer(response.text) }] },
      {
        role: "user",
        content: [
          {
            type: "text",
            text: `That answer is invalid: ${problem} Answer again with JSON only: {"nextAgent": one of ${ids.map((id) => JSON.stringify(id)).join(", ")}, "reason": "...", "done": false}, or {"nextAgent": "", "reason": "...", "done": true}.`,
          },
        ],
      },
    ];
  }
  const rule = settings.onInvalidDecision;
  await execution.emit("warning", {
    message: `The orchestrator's answer was invalid twice (${problem}); rule "${rule}" decides.`,
    code: "invalid_router_decision",
  });
  if (rule === "fail")
    throw new RouterDecisionError(`The orchestrator's answer was invalid twice: ${problem}`);
  const unvisited =
    rule === "next_unvisited"
      ? ids.find((id) => !history.some((entry) => entry.id === id))
      : undefined;
  const because = `the orchestrator's answer was invalid twice (${problem})`;
  if (unvisited === undefined) {
    const why =
      rule === "stop" ? 'rule "stop"' : `rule "next_unvisited": every ${settings.noun} has run`;
    return {
      nextAgent: "",
      reason: `Fallback: ${because}; ${why}.`,
      done: true,
      fallback: true,
      usage,
    };
  }
  return {
    nextAgent: unvisited,
    reason: `Fallback: ${because}; rule "next_unvisited" picks the first ${settings.noun} that has not run.`,
    done: false,
    fallback: true,
    usage,
  };
}

function checkDecision(
  text: string,
  ids: string[],
  noun: string,
  stepsRun: number,
): { decision: Omit<RouteDecision, "fallback" | "usage"> } | { problem: string } {
  const parsed = parseJsonObject(text);
  if (typeof parsed === "string") return { problem: parsed };
  const { nextAgent, reason, done } = parsed;
  if (done !== undefined && typeof done !== "boolean")
    return { problem: '"done" must be true or false.' };
  if (reason !== undefined && typeof reason !== "string")
    return { problem: '"reason" must be a string.' };
  if (done === true && stepsRun === 0)
    return {
      problem: `"done" before any ${noun} has run: there is no output yet. Pick the first ${noun} to run.`,
    };
  if (done === true) return { decision: { nextAgent: "", reason: reason ?? "", done: true } };
  if (typeof nextAgent !== "string" || !ids.includes(nextAgent)) {
    const what = noun === "team" ? "a team of this group" : "an agent of this team";
    return {
      problem: `nextAgent ${JSON.stringify(nextAgent)} is not ${what}. Valid: ${ids.join(", ")}.`,
    };
  }
  return { decision: { nextAgent, reason: reason ?? "", done: false } };
}

/** Parses a model's JSON object answer (a Markdown fence around it is fine); a string says what is wrong. */
export function parseJsonObject(text: string): Record<string, unknown> | string {
  const trimmed = text.trim();
  const fenced = /^```[A-Za-z]*\s*\n([\s\S]*?)\n?```$/.exec(trimmed);
  let value: unknown;
  try {
    value = JSON.parse(fenced ? fenced[1]! : trimmed);
  } catch {
    return `it is not JSON (${JSON.stringify(trimmed.slice(0, 120))}).`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "it is not a JSON object.";
  return value as Record<string, unknown>;
}

function decisionSchema(ids: string[]): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      nextAgent: {
        type: "string",
        enum: [...ids, ""],
        description: "The id to run next; empty when done.",
      },
      reason: { type: "string", description: "Why, in one sentence." },
      done: { type: "boolean", description: "True when the outputs so far complete the task." },
    },
    required: ["nextAgent", "reason", "done"],
    additionalProperties: false,
  };
}

function buildPrompt(
  execution: RunExecution,
  settings: RouteSettings,
  candidates: RouteCandidate[],
  history: RouteHistoryEntry[],
  iteration: number,
): LanguageModelV4Prompt {
  const { noun } = settings;
  const owner = noun === "team" ? "group" : "team";
  const list = candidates
    .map(
      (candidate) =>
        `- ${candidate.id}${candidate.role && candidate.role !== candidate.id ? ` (${candidate.role})` : ""}${candidate.description ? `: ${candidate.description}` : ""}`,
    )
    .join("\n");
  const system = [
    `You are the orchestrator of the ${owner} "${execution.plan.teamId}". You decide which ${noun} works next, one at a time, until the task is done.`,
    `${noun === "team" ? "Teams" : "Agents"}:\n${list}`,
    `Answer with JSON only: {"nextAgent": "<id>", "reason": "<why>", "done": false} to run a ${noun}, or {"nextAgent": "", "reason": "<why the task is complete>", "done": true} when the outputs so far complete the task.`,
    settings.prompt ? `Instructions:\n${settings.prompt}` : "",
  ].filter(Boolean);
  const outputs =
    history.length === 0
      ? "(none yet)"
      : history
          .map((entry, index) => `${index + 1}. ${entry.id}:\n${preview(entry.output)}`)
          .join("\n\n");
  const user = `Task:\n${describeInput(execution.plan.input)}\n\nOutputs so far:\n${outputs}\n\nDecision ${iteration}; at most ${settings.maxIterations} ${noun}s run in all.`;
  return [
    { role: "system", content: system.join("\n\n") },
    { role: "user", content: [{ type: "text", text: user }] },
  ];
}

/** The run input as the orchestrator reads it: the query alone, or the input as JSON. */
export function describeInput(input: Record<string, unknown>): string {
  const keys = Object.keys(input);
  if (keys.length === 1 && typeof input.query === "string") return input.query;
  return JSON.stringify(input, null, 2);
}

/** An output as the orchestrator reads it, cut to a readable length. */
export function preview(output: unknown): string {
  const text = typeof output === "string" ? output : JSON.stringify(output);
  return text.length > OUTPUT_PREVIEW_CHARS
    ? `${text.slice(0, OUTPUT_PREVIEW_CHARS)}… (${text.length - OUTPUT_PREVIEW_CHARS} more characters)`
    : text;
}

/**
 * One structured call of the orchestrator's model (a routing decision, an arbiter's verdict)
 * through the run's model-call pipeline, as agent `_orchestrator`.
 */
export function callOrchestrator(
  execution: RunExecution,
  settings: RouteSettings,
  prompt: ModelRequest["prompt"],
  schema: Record<string, unknown>,
  name: string,
): Promise<ModelResponse> {
  return execution.plan.call(
    {
      model: settings.model,
      prompt,
      stream: false,
      maxOutputTokens: settings.maxTokens,
      responseFormat: { type: "json", schema, name },
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    },
    {
      signal: execution.signal,
      clock: execution.plan.clock,
      events: execution.sinkFor(ORCHESTRATOR_ID),
      runId: execution.plan.runId,
      agentId: ORCHESTRATOR_ID,
    },
  );
}
