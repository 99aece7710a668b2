import { parseArgs } from "node:util";
import { LLMTeamError } from "../errors/llmteam-error.js";

/** Bad command-line usage: exit code 2, one line on stderr. */
export class UsageError extends LLMTeamError {
  override readonly code = "usage_error";
}

/** The options a command takes, as `node:util` `parseArgs` describes them. */
export type CommandOptions = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/**
 * Parses a command's arguments strictly.
 * @throws UsageError in one line: an unknown option (with the closest known one), a missing
 * value, a value given to a flag.
 */
export function parseCommand<T extends CommandOptions>(
  command: string,
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(explainParseError(command, (error as Error).message, options));
  }
}

function explainParseError(command: string, message: string, options: CommandOptions): string {
  const see = `See llmteam ${command} --help.`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const given = unknown[1]!;
    const names = Object.keys(options).map((name) => `--${name}`);
    const closest = closestName(given.replace(/=.*$/, ""), names);
    return `unknown option ${given} for ${command}.${closest ? ` Did you mean ${closest}?` : ""} ${see}`;
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value. ${see}`;
  const flag = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (flag) return `${flag[1]} takes no value. ${see}`;
  return `${message.split("\n")[0]} ${see}`;
}

/** The name closest to `given` (edit distance at most a third of its length), if any. */
export function closestName(given: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const distance = editDistance(given, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  const prefix = names.find((name) => given.length > 3 && name.startsWith(given));
  if (prefix) return prefix;
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The one file argument of a command. @throws UsageError when there is not exactly one. */
export function onePositional(positionals: string[], command: string, what = "team file"): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command} takes one ${what} (got ${positionals.length}). See llmteam ${command} --help.`,
    );
  }
  return positionals[0]!;
}

/** `1 agent`, `3 agents`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The queue's name of a fleet command (`worker`, `queue`, `schedules`): `--queue-name`, or
 * `--queue` as these commands first called it. A URL there is a mix-up with `llmteam serve
 * --queue <url>`: the Redis URL goes in `--redis`.
 */
export function queueNameOption(
  values: { queue?: string | undefined; "queue-name"?: string | undefined },
  command: string,
): string | undefined {
  const name = values["queue-name"] ?? values.queue;
  if (name !== undefined && name.includes("://"))
    throw new UsageError(
      `llmteam ${command} takes the queue's Redis URL as --redis <url>; --queue-name names the queue (default llmteam-runs), got "${name}".`,
    );
  return name;
}
