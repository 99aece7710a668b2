import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import type { FakeClock, ScriptedResponse } from "llmteam/testing";

/** The text of the last user message of a model call. */
export function lastUserText(options: LanguageModelV4CallOptions): string {
  const message = [...options.prompt].reverse().find((entry) => entry.role === "user");
  if (!message || typeof message.content === "string") return "";
  return message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/** A script that answers by the first word of the prompt (`"writer: ..."` → `answers.writer`). */
export function byPrompt(answers: Record<string, ScriptedResponse | ScriptedResponse[]>) {
  const turns = new Map<string, number>();
  return ({ options }: { options: LanguageModelV4CallOptions }): ScriptedResponse => {
    const text = lastUserText(options);
    const name = /^([A-Za-z_-]+):/.exec(text)?.[1];
    const answer = name === undefined ? undefined : answers[name];
    if (answer === undefined)
      throw new Error(`No scripted answer for prompt ${JSON.stringify(text.slice(0, 80))}`);
    if (!Array.isArray(answer)) return answer;
    const turn = turns.get(name!) ?? 0;
    turns.set(name!, turn + 1);
    const pick = answer[Math.min(turn, answer.length - 1)];
    if (pick === undefined) throw new Error(`No scripted answer for ${name}`);
    return pick;
  };
}

/** Advances a fake clock in steps until `promise` settles; returns its value. */
export async function settle<T>(
  promise: Promise<T>,
  clock: FakeClock,
  stepMs = 100,
  maxSteps = 10_000,
): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  for (let step = 0; step < maxSteps && !done; step++) await clock.advance(stepMs);
  return tracked;
}
