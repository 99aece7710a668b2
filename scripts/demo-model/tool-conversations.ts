/**
 * Conversations where the model calls the example tools (`calculator`, `current_time`, `add`)
 * and then answers with the result, and ones where tools are offered but not needed.
 */
import type { ChatHistoryItem, ChatModelFunctionCall } from "node-llama-cpp";
import { CITIES, type ToolName } from "./corpus-data.js";
import { currentTimeResult } from "./example-tools.js";
import { Random, assistant, systemFor, toolFunctions, type Conversation } from "./conversations.js";

interface Call {
  name: ToolName;
  params: Record<string, unknown>;
  result: unknown;
  /** The answer sentence that uses the result. */
  answer: string;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** Tool outputs as llmteam passes them: mostly the bare value (JSON), sometimes other shapes. */
function wrapResult(random: Random, value: unknown): unknown {
  return random.pick([
    value,
    value,
    value,
    { result: value },
    typeof value === "number" ? String(value) : value,
  ]);
}

function arithmetic(random: Random, useAdd: boolean): Call {
  const a = random.chance(0.7) ? random.int(2, 99) : random.int(100, 9999);
  const b = random.chance(0.7) ? random.int(2, 99) : random.int(100, 999);
  const operation = useAdd ? "+" : random.pick(["+", "-", "*", "*", "/", "%", "( )"]);
  if (useAdd || (operation === "+" && random.chance(0.2))) {
    const question = random.pick([
      `Add ${a} and ${b}.`,
      `What is ${a} plus ${b}?`,
      `What is the sum of ${a} and ${b}?`,
      `What is ${a} + ${b}?`,
    ]);
    const sum = a + b;
    return {
      name: "add",
      params: { a, b },
      result: wrapResult(random, sum),
      answer: `${question}|${random.pick([`${a} + ${b} = ${sum}.`, `The sum of ${a} and ${b} is ${sum}.`, `${a} plus ${b} is ${sum}.`])}`,
    };
  }
  let expression: string;
  let value: number;
  let question: string;
  switch (operation) {
    case "-":
      expression = `${a} - ${b}`;
      value = a - b;
      question = random.pick([
        `What is ${a} minus ${b}?`,
        `What is ${expression}?`,
        `Calculate ${expression}.`,
      ]);
      break;
    case "*":
      expression = `${a} * ${b}`;
      value = a * b;
      question = random.pick([
        `What is ${a} times ${b}?`,
        `What is ${expression}?`,
        `Calculate ${a} * ${b}.`,
        `How much is ${a} multiplied by ${b}?`,
      ]);
      break;
    case "/": {
      const product = a * b;
      expression = `${product} / ${b}`;
      value = a;
      question = random.pick([
        `What is ${product} divided by ${b}?`,
        `What is ${expression}?`,
        `Calculate ${expression}.`,
      ]);
      break;
    }
    case "%": {
      const percent = random.pick([5, 10, 15, 20, 25, 50, 75]);
      const base = random.int(2, 80) * 20;
      expression = `${percent} / 100 * ${base}`;
      value = (percent / 100) * base;
      question = random.pick([
        `What is ${percent}% of ${base}?`,
        `Calculate ${percent} percent of ${base}.`,
      ]);
      break;
    }
    case "( )": {
      const c = random.int(2, 9);
      expression = `(${a} + ${b}) * ${c}`;
      value = (a + b) * c;
      question = random.pick([`What is (${a} + ${b}) * ${c}?`, `Calculate (${a} + ${b}) * ${c}.`]);
      break;
    }
    default:
      expression = `${a} + ${b}`;
      value = a + b;
      question = random.pick([`What is ${a} + ${b}?`, `Calculate ${a} + ${b}.`]);
  }
  const shown = formatNumber(value);
  return {
    name: "calculator",
    params: { expression },
    result: wrapResult(random, value),
    answer: `${question}|${random.pick([`${expression} = ${shown}.`, `The result is ${shown}.`, `The answer is ${shown}.`])}`,
  };
}

function timeCall(random: Random): Call {
  const useCity = random.chance(0.6);
  const [city, timezone] = useCity ? random.pick(CITIES) : ["UTC", "UTC"];
  const epochMs = Date.UTC(
    2026,
    random.int(0, 11),
    random.int(1, 28),
    random.int(0, 23),
    random.int(0, 59),
    random.int(0, 59),
  );
  const result = currentTimeResult(timezone, epochMs);
  const clock = result.localTime.slice(11, 16);
  const question = useCity
    ? random.pick([
        `What time is it in ${city}?`,
        `What is the current time in ${city}?`,
        `Tell me the time in ${city}.`,
      ])
    : random.pick([
        "What time is it?",
        "What is the current time in UTC?",
        "What time is it now?",
        "What day is it today?",
      ]);
  const answer = random.pick([
    `It is ${clock} in ${city} (${result.weekday}, ${result.localTime.slice(0, 10)}).`,
    `The current time in ${city} is ${clock}.`,
    `In ${city} it is now ${result.localTime} (UTC${result.utcOffset}).`,
    `Today is ${result.weekday} and it is ${clock} in ${city}.`,
  ]);
  return { name: "current_time", params: { timezone }, result, answer: `${question}|${answer}` };
}

function toFunctionCall(call: Call): ChatModelFunctionCall {
  return { type: "functionCall", name: call.name, params: call.params, result: call.result };
}

/** One conversation where the model calls one or two tools, then answers. */
export function toolUse(random: Random): Conversation {
  const calls: Call[] = [];
  const first = random.int(0, 9);
  calls.push(
    first < 4 ? arithmetic(random, false) : first < 7 ? arithmetic(random, true) : timeCall(random),
  );
  if (random.chance(0.12))
    calls.push(random.chance(0.5) ? arithmetic(random, random.chance(0.5)) : timeCall(random));
  const questions = calls.map((call) => call.answer.split("|")[0]!);
  const answers = calls.map((call) => call.answer.split("|")[1]!);
  const question =
    questions.length === 1
      ? questions[0]!
      : `${questions[0]!} And ${questions[1]!.charAt(0).toLowerCase()}${questions[1]!.slice(1)}`;
  const role = random.pick(["researcher", "assistant", "assistant"]);
  const user =
    role === "researcher" && random.chance(0.5) ? `Research this: ${question}` : question;
  const history: ChatHistoryItem[] = [
    ...systemFor(random, role, 0.25),
    { type: "user", text: user },
    { type: "model", response: [...calls.map(toFunctionCall), answers.join(" ")] },
  ];
  return {
    kind: `tool-${calls.map((call) => call.name).join("+")}`,
    history,
    functions: toolFunctions(
      random,
      calls.map((call) => call.name),
    ),
  };
}

/** A tool returned an error: the model says so instead of inventing a result. */
export function toolError(random: Random): Conversation {
  const call = arithmetic(random, false);
  const question = call.answer.split("|")[0]!;
  const message = random.pick([
    `Tool "${call.name}" failed: Division by zero at position 3.`,
    `Tool "${call.name}" failed: Unexpected character at position 4.`,
    `Tool "${call.name}" timed out after 30000 ms.`,
    `Tool "${call.name}" failed: service unavailable`,
  ]);
  const history: ChatHistoryItem[] = [
    ...systemFor(random, "assistant", 0.3),
    { type: "user", text: question },
    {
      type: "model",
      response: [
        { ...toFunctionCall(call), result: { error: message } },
        random.pick([
          `The ${call.name} tool failed, so I cannot give the result right now.`,
          `Sorry, I could not compute that: the ${call.name} tool returned an error.`,
        ]),
      ],
    },
  ];
  return { kind: "tool-error", history, functions: toolFunctions(random, [call.name]) };
}

/** Tools are offered, but the question does not need them: answer directly. */
export function toolNotNeeded(random: Random): Conversation {
  const conversation = assistant(random);
  return { ...conversation, kind: "tool-not-needed", functions: toolFunctions(random, []) };
}
