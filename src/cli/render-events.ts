import type { StreamEvent } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";
import { plural } from "./cli-options.js";

/** What a buffered agent has written so far. */
interface Block {
  text: string;
  atLineStart: boolean;
  finished: boolean;
}

/**
 * Writes a run's events for a person: which agent works, its tokens as they come, tool calls,
 * router decisions, retries and fallbacks with their reasons.
 *
 * Agents running at the same time never mix their text: one agent (and the teams and agents
 * inside it) writes live; the others write into a block each, shown whole once the live agent
 * has finished — finished blocks first, then the oldest agent still running, which goes live.
 */
export class EventRenderer {
  private atLineStart = true;
  /** `agentPath` of the agent writing live. */
  private live: string | undefined;
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly write: (text: string) => void) {}

  render(event: StreamEvent): void {
    const text = describeEvent(event);
    const path = event.agentPath ?? event.agentId;
    if (path === undefined || event.agentId === "_orchestrator") {
      if (isRunEnd(event) && path === undefined) this.flushAll();
      if (text !== undefined) this.emit(text, event.type === "token");
      return;
    }
    const owner = this.blockOf(path, event.type === "agent_started");
    if (text !== undefined) {
      if (owner === undefined) this.emit(text, event.type === "token");
      else this.append(owner, text, event.type === "token");
    }
    const ended =
      (event.type === "agent_completed" || event.type === "agent_failed") &&
      path === (owner ?? this.live);
    if (!ended) return;
    if (owner === undefined) {
      this.live = undefined;
      this.handOver();
    } else this.blocks.get(owner)!.finished = true;
  }

  /** The key of the block an event of `path` goes to; undefined when it is written live. */
  private blockOf(path: string, starting: boolean): string | undefined {
    if (this.live !== undefined && within(path, this.live)) return undefined;
    for (const key of this.blocks.keys()) if (within(path, key)) return key;
    if (!starting) return undefined;
    if (this.live === undefined) {
      this.live = path;
      return undefined;
    }
    this.blocks.set(path, { text: "", atLineStart: true, finished: false });
    return path;
  }

  /** The live agent finished: finished blocks are shown, then the oldest running one goes live. */
  private handOver(): void {
    for (const [key, block] of this.blocks) {
      if (!block.finished) continue;
      this.emit(block.text, true);
      this.blocks.delete(key);
    }
    const next = this.blocks.entries().next();
    if (next.done) return;
    const [key, block] = next.value;
    this.blocks.delete(key);
    this.emit(block.text, true);
    this.live = key;
  }

  private flushAll(): void {
    for (const block of this.blocks.values()) this.emit(block.text, true);
    this.blocks.clear();
    this.live = undefined;
  }

  private append(key: string, text: string, raw: boolean): void {
    const block = this.blocks.get(key)!;
    block.text += raw ? text : `${block.atLineStart ? "" : "\n"}${text}\n`;
    block.atLineStart = raw ? text.endsWith("\n") : true;
  }

  /** Writes `text` now: raw (tokens, blocks) as is, else as a line of its own. */
  private emit(text: string, raw: boolean): void {
    if (text === "") return;
    if (raw) {
      this.write(text);
      this.atLineStart = text.endsWith("\n");
      return;
    }
    this.write(`${this.atLineStart ? "" : "\n"}${text}\n`);
    this.atLineStart = true;
  }
}

function within(path: string, key: string): boolean {
  return path === key || path.startsWith(`${key}/`);
}

function isRunEnd(event: StreamEvent): boolean {
  return (
    event.type === "run_completed" || event.type === "run_failed" || event.type === "run_cancelled"
  );
}

/** The text of an event: a line, a token (raw), or undefined for events not shown. */
export function describeEvent(event: StreamEvent): string | undefined {
  switch (event.type) {
    case "run_started":
      return `▶ ${event.data.teamId}: ${plural(event.data.agents.length, "agent")} (${event.data.mode})`;
    case "run_resumed":
      return `▶ resumed after event ${event.data.afterSeq} (${plural(event.data.replayedSteps, "step")} restored from the run store)`;
    case "agent_started":
      return `\n● ${event.agentId} [${event.data.model ?? "no model"}]`;
    case "token":
      return event.data.token;
    case "agent_selected": {
      const { nextAgent, reason, done, fallback, iteration } = event.data;
      const what = done ? "done" : `→ ${nextAgent}`;
      return `\n◆ router ${iteration}: ${what}${fallback ? " (fallback rule)" : ""} — ${reason || "no reason given"}`;
    }
    case "retrieval": {
      const sources = event.data.citations.map(
        (citation, index) => `[${index + 1}] ${citation.document} (chunk ${citation.chunk})`,
      );
      const facts = event.data.facts ? `, ${plural(event.data.facts.length, "fact")}` : "";
      return `  ⌕ ${plural(sources.length, "passage")}${facts} from "${event.data.knowledgeBase}" (${event.data.mode})${sources.length > 0 ? `: ${sources.join(", ")}` : ""}`;
    }
    case "tool_call":
      return `  ↳ ${event.data.toolName}(${JSON.stringify(event.data.arguments)}) [round ${event.data.round}]`;
    case "tool_result":
      return `  ${event.data.success ? "✓" : "✗"} ${event.data.toolName} → ${preview(event.data.success ? event.data.output : event.data.error)} (${event.data.durationMs} ms)`;
    case "retry": {
      const discarded = event.data.discardedTokens
        ? ` (the ${plural(event.data.discardedTokens, "token")} above are discarded)`
        : "";
      return `  ↻ ${event.data.model} attempt ${event.data.attempt} failed: ${event.data.error.message}; retry in ${event.data.delayMs} ms${discarded}`;
    }
    case "fallback":
      return `  ⇢ fallback ${event.data.fromModel} → ${event.data.toModel}: ${event.data.reason.message}`;
    case "circuit_state_changed":
      return `  ⚡ circuit ${event.data.key}: ${event.data.from} → ${event.data.to}`;
    case "budget_alert":
      return `  ! budget ${event.data.period}: $${event.data.currentUsd.toFixed(4)} of $${event.data.maxUsd.toFixed(4)}, $${event.data.remainingUsd.toFixed(4)} left`;
    case "budget_exceeded":
      return `  ✗ budget ${event.data.period}: a call of up to $${event.data.requestedUsd.toFixed(6)} does not fit ($${event.data.currentUsd.toFixed(6)} of $${event.data.maxUsd.toFixed(6)} spent); not made`;
    case "warning":
      return `  ! ${event.data.message}`;
    case "escalation": {
      const { action, to, depth, trigger, reason, exhausted } = event.data;
      const what = action === "reroute" ? `reroute → ${to}` : action;
      return `  ⤴ ${event.agentId} escalated (${trigger}, depth ${depth}): ${what}${exhausted ? " (bounds used up)" : ""} — ${reason}`;
    }
    case "agent_completed":
      return `  ✓ ${event.agentId} done in ${event.data.latencyMs} ms, ${formatUsage(event.data.usage)}`;
    case "agent_failed":
      return `  ✗ ${event.agentId} failed: ${event.data.error.message}`;
    default:
      return undefined;
  }
}

/** `12 in + 30 out tokens` (with cached and estimated marks). */
export function formatUsage(usage: Usage): string {
  const cached = usage.cachedInputTokens ? ` (${usage.cachedInputTokens} cached)` : "";
  return `${usage.inputTokens} in${cached} + ${usage.outputTokens} out tokens${usage.estimated ? " (estimated)" : ""}`;
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
