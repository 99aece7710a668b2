/**
 * Builds the synthetic conversations of the demo model's corpus: one function per role of the
 * example teams, plus tool calls. Deterministic for a given random source.
 */
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelFunctions } from "node-llama-cpp";
import {
  GENERIC_SUBJECTS,
  REQUESTS,
  ROLE_SYSTEM_PROMPTS,
  TOOL_DESCRIPTION_VARIANTS,
  TOPICS,
  URGENCY_MARKERS,
  type ToolName,
  type Topic,
} from "./corpus-data.js";
import { exampleFunctions } from "./example-tools.js";

/** A seeded random source (mulberry32), so the corpus is the same on every build. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  }
}

/** One training conversation: the history and the tools offered to the model. */
export interface Conversation {
  kind: string;
  history: ChatHistoryItem[];
  functions?: ChatModelFunctions;
}

interface Subject {
  query: string;
  subject: string;
  facts: string[] | undefined;
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
const upperFirst = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const withoutPeriod = (text: string): string => text.replace(/[.!?]$/, "");

function pickSubject(random: Random): Subject {
  if (random.chance(0.7)) {
    const topic: Topic = random.pick(TOPICS);
    return { query: random.pick(topic.questions), subject: topic.subject, facts: topic.facts };
  }
  const subject = random.pick(GENERIC_SUBJECTS);
  const query = random.pick([
    `Explain ${subject}.`,
    `Tell me about ${subject}.`,
    `What should I know about ${subject}?`,
    upperFirst(subject),
  ]);
  return { query, subject, facts: undefined };
}

function systemFor(random: Random, role: string, noSystemChance = 0.15): ChatHistoryItem[] {
  if (random.chance(noSystemChance)) return [];
  return [{ type: "system", text: random.pick(ROLE_SYSTEM_PROMPTS[role]!) }];
}

function single(
  kind: string,
  system: ChatHistoryItem[],
  user: string,
  answer: string,
): Conversation {
  return {
    kind,
    history: [...system, { type: "user", text: user }, { type: "model", response: [answer] }],
  };
}

export function makePlan(random: Random, topic: Subject): string[] {
  if (topic.facts) {
    const [first, second, third] = random.shuffle(topic.facts);
    return [
      random.pick([
        `Explain what matters about ${topic.subject}.`,
        `Say in one sentence what ${topic.subject} is about.`,
      ]),
      `Cover the key point: ${lowerFirst(withoutPeriod(first!))}.`,
      `Add the next point: ${lowerFirst(withoutPeriod(second!))}.`,
      ...(random.chance(0.5) ? [`Mention that ${lowerFirst(withoutPeriod(third!))}.`] : []),
      random.pick([
        "Sum up the answer in two sentences.",
        "End with one practical tip.",
        "Keep the answer short.",
      ]),
    ];
  }
  return [
    `Clarify the question: ${withoutPeriod(topic.query)}.`,
    `Collect the key facts about ${topic.subject}.`,
    random.pick(["Write a short, clear answer.", "Write the answer in a few sentences."]),
    random.pick(["Check the answer for mistakes.", "Review the answer before sending it."]),
  ];
}

const numbered = (steps: string[]): string =>
  steps.map((step, index) => `${index + 1}. ${step}`).join("\n");
const bullets = (items: string[]): string => items.map((item) => `- ${item}`).join("\n");

export function makeFacts(random: Random, topic: Subject): string[] {
  if (topic.facts) return random.shuffle(topic.facts).slice(0, random.int(3, 4));
  return [
    `${upperFirst(topic.subject)} is the topic of the question.`,
    "I have no detailed facts about it in my small training data.",
    "A real model or a web search would give better facts.",
  ];
}

export function makeAnswer(random: Random, topic: Subject, facts: string[]): string {
  if (!topic.facts && facts.length === 3 && facts[1]!.startsWith("I have no")) {
    return random.pick([
      `I am a tiny demo model and know little about ${topic.subject}. A short answer: start with the basics, check the facts in a reliable source, and keep the main point simple.`,
      `This is a short answer about ${topic.subject}. I am a small demo model, so please check the details with a real model or a trusted source.`,
    ]);
  }
  const opening = random.pick([
    `Here is a short answer about ${topic.subject}.`,
    `${upperFirst(topic.subject)} in short:`,
    `About ${topic.subject}:`,
  ]);
  const closing = random.pick([
    "In short, start small and keep it simple.",
    "These few points cover the basics.",
    "That is the short version.",
  ]);
  return `${opening} ${facts.join(" ")} ${random.chance(0.6) ? closing : ""}`.trim();
}

export function planner(random: Random): Conversation {
  const topic = pickSubject(random);
  const threeSteps = random.chance(0.45);
  const steps = threeSteps
    ? makePlan(random, topic)
        .slice(0, 2)
        .concat(
          random.pick(["Write a short, clear answer.", "Sum up the answer in two sentences."]),
        )
    : makePlan(random, topic);
  const user = threeSteps
    ? `Make a short plan of three steps for: ${topic.query}`
    : random.pick([
        `Make a short plan for: ${topic.query}`,
        `Plan how to answer: ${topic.query}`,
        `Create a step-by-step plan for: ${topic.query}`,
        topic.query,
      ]);
  if (random.chance(0.12)) {
    return single(
      "planner-json",
      systemFor(random, "planner"),
      `${user}${random.chance(0.5) ? "\nAnswer as JSON." : ""}`,
      JSON.stringify({ steps }, null, 1)
        .replace(/\n\s*/g, " ")
        .replace("[ ", "[")
        .replace(" ]", "]"),
    );
  }
  return single(
    "planner",
    systemFor(random, "planner", threeSteps ? 0.6 : 0.15),
    user,
    numbered(steps),
  );
}

export function researcher(random: Random): Conversation {
  const topic = pickSubject(random);
  const facts = makeFacts(random, topic);
  const plan = numbered(makePlan(random, topic));
  const user = random.chance(0.45)
    ? `Follow this plan and list the key facts for ${topic.query}:\n${plan}`
    : random.pick([
        `Research this: ${topic.query}`,
        `Find the key facts for: ${topic.query}`,
        `List the key facts about: ${topic.query}`,
        `Research ${topic.query} following this plan:\n${plan}`,
      ]);
  if (random.chance(0.1))
    return single(
      "researcher-json",
      systemFor(random, "researcher"),
      user,
      JSON.stringify({ facts }).replace(/","/g, '", "'),
    );
  return single("researcher", systemFor(random, "researcher"), user, bullets(facts));
}

export function writer(random: Random): Conversation {
  const topic = pickSubject(random);
  const facts = makeFacts(random, topic);
  const steps = makePlan(random, topic);
  const style = random.chance(0.4) ? 2 : random.int(0, 4);
  const user =
    style === 0
      ? `Write a short answer to ${topic.query} following this plan:\n${numbered(steps)}`
      : style === 4
        ? `Write a short answer to ${topic.query} following this plan: ${numbered(steps)}`
        : style === 1
          ? `Write a short answer to ${topic.query} following this plan: ${steps.join(" ")}`
          : style === 2
            ? `Write a short answer to ${topic.query} using these facts:\n${bullets(facts)}`
            : `Write a short answer to: ${topic.query}`;
  return single("writer", systemFor(random, "writer"), user, makeAnswer(random, topic, facts));
}

export function reviewer(random: Random): Conversation {
  const topic = pickSubject(random);
  const good = random.chance(0.7);
  const answer = good
    ? makeAnswer(random, topic, makeFacts(random, topic))
    : random.pick([
        `${upperFirst(topic.subject)} is good.`,
        "I do not know.",
        `It depends on ${topic.subject}.`,
      ]);
  const user = random.pick([
    `Review this answer to ${topic.query}:\n${answer}`,
    `Review this answer:\n${answer}`,
    `Review the answer below and say if it is ready.\nQuestion: ${topic.query}\nAnswer: ${answer}`,
  ]);
  const feedback = good
    ? random.pick([
        `The answer is clear and covers ${topic.subject}.`,
        "The answer is short, correct and easy to read.",
        "It answers the question directly.",
      ])
    : random.pick([
        `The answer is too short. Add the key facts about ${topic.subject}.`,
        "The answer does not answer the question. Add concrete points.",
        "It is vague. Give two or three specific points.",
      ]);
  if (random.chance(0.35)) {
    const finalVersion = good ? answer : makeAnswer(random, topic, makeFacts(random, topic));
    const system: ChatHistoryItem[] = random.chance(0.8)
      ? [{ type: "system", text: "You are a careful editor." }]
      : systemFor(random, "reviewer");
    return single(
      "editor",
      system,
      `Review this answer to ${topic.query} and give the final version:${random.chance(0.5) ? "\n" : " "}${answer}`,
      finalVersion,
    );
  }
  if (random.chance(0.2))
    return single(
      "reviewer-json",
      systemFor(random, "reviewer"),
      user,
      JSON.stringify({ approved: good, feedback }).replace(/,"/g, ', "').replace(/":/g, '": '),
    );
  return single(
    "reviewer",
    systemFor(random, "reviewer"),
    user,
    `${good ? "Approved." : "Needs changes."} ${feedback}`,
  );
}

/** The three categories of the support example's triage prompt, for every kind of request. */
const SUPPORT_CATEGORY: Record<string, string> = {
  billing: "billing",
  technical: "technical",
  account: "technical",
  sales: "general",
  general: "general",
};

export function makeRequest(random: Random): { kind: string; urgency: string; request: string } {
  const kind = random.pick(Object.keys(REQUESTS));
  const urgency = random.pick(["high", "medium", "medium", "low"]);
  const marker = random.pick(URGENCY_MARKERS[urgency]!);
  const base = random.pick(REQUESTS[kind]!).replace("{n}", String(random.int(100, 99999)));
  const request =
    marker === ""
      ? `${base}.`
      : marker.endsWith(":")
        ? `${marker} ${base}.`
        : random.chance(0.5)
          ? `${base}. ${marker}`
          : `${marker} ${base}.`;
  return { kind, urgency, request };
}

export function triage(random: Random): Conversation {
  const { kind, urgency, request } = makeRequest(random);
  const system = systemFor(random, "triage", 0.3);
  const threeCategories = system.some(
    (item) =>
      item.type === "system" &&
      typeof item.text === "string" &&
      item.text.includes("billing, technical or general"),
  );
  const category = threeCategories ? SUPPORT_CATEGORY[kind]! : kind;
  const user = random.pick([
    `Classify this request: ${request}`,
    `Classify this request: ${request}`,
    `Classify this support request: ${request}`,
    `Classify this request: "${request}"`,
  ]);
  return single("triage", system, user, `{"category": "${category}", "urgency": "${urgency}"}`);
}

const REPLIES: Record<string, string[]> = {
  billing: [
    "thank you for writing to us, and sorry about the trouble with your bill. I have asked our billing team to check your account. If we charged you by mistake, we will refund the difference within five working days.",
    "sorry for the billing problem. Please send us the invoice number and the date of the payment, and we will correct the invoice and send you a new copy.",
  ],
  technical: [
    "thank you for reporting this, and sorry for the trouble. Please tell us your app version and the steps that lead to the problem. Our technical team is looking into it and will write back soon.",
    "sorry that this is not working. Please try signing out and in again, and update the app to the latest version. If the problem stays, reply with a screenshot and we will fix it.",
  ],
  general: [
    "thank you for your message. I have passed it to the right team, and we will get back to you within two working days.",
    "thanks for getting in touch. Here is a short answer, and a colleague will follow up with the details soon.",
  ],
};

/** The support example's writer: a reply to a request, given the triage result. */
export function supportReply(random: Random): Conversation {
  const { kind, urgency, request } = makeRequest(random);
  const category = SUPPORT_CATEGORY[kind]!;
  const triageText = random.chance(0.8)
    ? `{"category": "${category}", "urgency": "${urgency}"}`
    : category;
  const user = random.chance(0.8)
    ? `Reply to this customer request: ${request}\nCategory: ${triageText}`
    : `Reply to this customer request: ${request}`;
  const opening = random.pick(["Hello,", "Hi,", "Dear customer,"]);
  const urgent = urgency === "high" ? " We are treating this as urgent." : "";
  const reply = `${opening} ${random.pick(REPLIES[category]!)}${urgent} Best regards, the support team`;
  return single("support-reply", systemFor(random, "support", 0.2), user, reply);
}

export function assistant(random: Random): Conversation {
  const topic = pickSubject(random);
  return single(
    "assistant",
    systemFor(random, "assistant", 0.4),
    topic.query,
    makeAnswer(random, topic, makeFacts(random, topic)),
  );
}

export function toolFunctions(random: Random, needed: ToolName[]): ChatModelFunctions {
  const all = Object.keys(TOOL_DESCRIPTION_VARIANTS) as ToolName[];
  const names = new Set<ToolName>(needed);
  for (const name of all) if (random.chance(0.5)) names.add(name);
  if (names.size === 0) names.add(random.pick(all));
  return exampleFunctions(random, random.shuffle([...names]));
}

export { bullets, numbered, pickSubject, systemFor, lowerFirst, upperFirst };
export type { ChatModelFunctionCall, Subject };
