import { createInterface } from "node:readline";
import type { StreamEventOf } from "../events/stream-event.js";
import type { LLMTeam } from "../team/llm-team.js";
import { UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";

/** Where a human task's answer goes (`RunHandle`). */
interface Answerable {
  answer(approvalId: string, value: unknown): void;
  reject(approvalId: string, reason: string): void;
}

/** How many times a person may give an answer that does not fit the form before the run stops. */
const MAX_TRIES = 3;

/**
 * Answers the human tasks of a `llmteam run`: with `--answer <step>=<json>` when given (in order,
 * for steps that ask several times), else asked in the terminal: a JSON value answers,
 * `reject: <reason>` rejects. Answers that do not fit the form are asked again.
 */
export class HumanAnswers {
  private readonly given = new Map<string, unknown[]>();
  private read: ((prompt: string) => Promise<string | undefined>) | undefined;

  /** @throws UsageError for an `--answer` that is not `<step>=<json>`. */
  constructor(
    answers: readonly string[],
    private readonly io: CliIO,
  ) {
    for (const answer of answers) {
      const match = /^([A-Za-z][A-Za-z0-9_-]*)=([\s\S]*)$/.exec(answer);
      if (!match)
        throw new UsageError(
          `--answer ${answer}: write <step>=<json>, e.g. --answer review='{"publish":true}'.`,
        );
      let value: unknown;
      try {
        value = JSON.parse(match[2]!);
      } catch (error) {
        throw new UsageError(
          `--answer ${answer}: the value is not JSON (${(error as Error).message}).`,
        );
      }
      const list = this.given.get(match[1]!) ?? [];
      list.push(value);
      this.given.set(match[1]!, list);
    }
  }

  /** Answers the task an `approval_requested` event of kind `human` asks. */
  async answer(event: StreamEventOf<"approval_requested">, handle: Answerable): Promise<void> {
    const step = event.agentId ?? "";
    const { approvalId, prompt, form } = event.data;
    const queued = this.given.get(step);
    if (queued && queued.length > 0) {
      handle.answer(approvalId, queued.shift());
      return;
    }
    const read = this.reader(step);
    this.io.stdout(
      `\n? ${step} asks${event.data.assignee ? ` ${event.data.assignee}` : ""}: ${prompt ?? ""}\n` +
        (form
          ? `  answer as JSON matching ${JSON.stringify(form)}\n`
          : '  answer as JSON (e.g. true or "text")\n') +
        "  or reject: <reason>\n",
    );
    for (let tries = 1; ; tries++) {
      const line = (await read("> "))?.trim();
      if (line === undefined)
        throw new UsageError(
          `${step} asks a person, and the input ended. Give --answer ${step}=<json>.`,
        );
      const rejected = /^reject:\s*(.*)$/i.exec(line);
      try {
        if (rejected) handle.reject(approvalId, rejected[1] || "rejected in the terminal");
        else handle.answer(approvalId, parseAnswer(line));
        return;
      } catch (error) {
        if (tries >= MAX_TRIES) throw error;
        this.io.stdout(`  ${(error as Error).message}\n`);
      }
    }
  }

  /** The terminal, read line by line; without one (and no --answer), the task cannot be answered. */
  private reader(step: string): (prompt: string) => Promise<string | undefined> {
    if (this.read) return this.read;
    const input = this.io.stdin ?? (process.stdin.isTTY ? process.stdin : undefined);
    if (!input)
      throw new UsageError(
        `${step} asks a person, and there is no terminal to ask in. Give the answer with --answer ${step}=<json>.`,
      );
    const lines = createInterface({ input, terminal: false })[Symbol.asyncIterator]();
    this.read = async (prompt) => {
      this.io.stdout(prompt);
      const next = await lines.next();
      return next.done ? undefined : next.value;
    };
    return this.read;
  }
}

/** A line as JSON; a bare word that is not JSON is taken as a string. */
function parseAnswer(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/**
 * True when the team has human steps or escalates to a person: its runs need `team.start()`
 * and someone to answer.
 */
export function asksPeople(team: LLMTeam): boolean {
  const config = team.toConfig();
  return (
    isHumanPolicy(config.escalation) ||
    (config.agents ?? []).some((agent) => agent.type === "human" || isHumanPolicy(agent.escalation))
  );
}

function isHumanPolicy(policy: unknown): boolean {
  return policy === "human" || (typeof policy === "object" && policy !== null && "human" in policy);
}
