import type { StreamEvent } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";

/** Writes a run's events for a person: which agent works, its tokens as they come, tool calls. */
export class EventRenderer {
  private atLineStart = true;

  constructor(private readonly write: (text: string) => void) {}

  render(event: StreamEvent): void {
    switch (event.type) {
      case "run_started":
        this.line(
          `▶ ${event.data.teamId}: ${event.data.agents.length} agents (${event.data.mode})`,
        );
        break;
      case "agent_started":
        this.line(`\n● ${event.agentId} [${event.data.model ?? "no model"}]`);
        break;
      case "token":
        this.write(event.data.token);
        this.atLineStart = event.data.token.endsWith("\n");
        break;
      case "tool_call":
        this.line(
          `  ↳ ${event.data.toolName}(${JSON.stringify(event.data.arguments)}) [round ${event.data.round}]`,
        );
        break;
      case "tool_result":
        this.line(
          `  ${event.data.success ? "✓" : "✗"} ${event.data.toolName} → ${preview(event.data.success ? event.data.output : event.data.error)} (${event.data.durationMs} ms)`,
        );
        break;
      case "retry":
        this.line(
          `  ↻ retry ${event.data.attempt} in ${event.data.delayMs} ms: ${event.data.error.message}${event.data.discardedTokens ? ` (the ${event.data.discardedTokens} tokens above are discarded)` : ""}`,
        );
        break;
      case "fallback":
        this.line(`  ⇢ fallback ${event.data.fromModel} → ${event.data.toModel}`);
        break;
      case "circuit_state_changed":
        this.line(`  ⚡ circuit ${event.data.key}: ${event.data.from} → ${event.data.to}`);
        break;
      case "cost_update":
        break;
      case "budget_alert":
        this.line(
          `  ! budget ${event.data.period}: $${event.data.currentUsd.toFixed(4)} of $${event.data.maxUsd.toFixed(4)}`,
        );
        break;
      case "budget_exceeded":
        this.line(
          `  ✗ budget ${event.data.period}: a call of up to $${event.data.requestedUsd.toFixed(6)} does not fit ($${event.data.currentUsd.toFixed(6)} of $${event.data.maxUsd.toFixed(6)} spent); not made`,
        );
        break;
      case "warning":
        this.line(`  ! ${event.data.message}`);
        break;
      case "agent_completed":
        this.line(
          `  ✓ ${event.agentId} done in ${event.data.latencyMs} ms, ${formatUsage(event.data.usage)}`,
        );
        break;
      case "agent_failed":
        this.line(`  ✗ ${event.agentId} failed: ${event.data.error.message}`);
        break;
      default:
        break;
    }
  }

  private line(text: string): void {
    this.write(`${this.atLineStart ? "" : "\n"}${text}\n`);
    this.atLineStart = true;
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
