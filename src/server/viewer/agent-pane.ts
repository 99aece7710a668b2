import { html } from "htm/preact";
import { count, duration, show, usd } from "./format.js";
import type { AgentStep, ToolCallView } from "./run-model.js";

/** One agent step: its streamed text as it arrives, tool calls with results, retries and fallbacks. */
export function AgentPane({ step, now }: { step: AgentStep; now: number }) {
  const took = (step.endedAt ?? now) - step.startedAt;
  return html`
    <article class=${`agent ${step.status}`} id=${`step-${step.index}`} data-agent=${step.agentId}>
      <header>
        <b>${step.agentId}</b>
        ${step.key !== step.agentId ? html`<span class="muted small">${step.key}</span>` : ""}
        <span class=${`status ${step.status}`}
          >${step.status === "running" ? html`<i class="dot"></i>` : ""}${step.status}</span
        >
        <span class="muted">${step.model ?? ""}</span>
        <span class="muted">${duration(took)}</span>
        ${
          step.usage
            ? html`<span class="muted"
                >${count(step.usage.inputTokens)} in · ${count(step.usage.outputTokens)} out</span
              >`
            : ""
        }
        ${step.costUsd > 0 ? html`<span class="muted">${usd(step.costUsd)}</span>` : ""}
      </header>
      ${step.notes.map((note) => html`<div class=${`note ${note.kind}`}>${note.kind}: ${note.text}</div>`)}
      ${
        step.text || (step.status === "running" && step.toolCalls.every((call) => call.result))
          ? html`<pre class=${`stream${step.status === "running" ? " typing" : ""}`}>
${step.text}</pre>`
          : ""
      }
      ${step.toolCalls.map((call) => html`<${ToolCall} key=${call.callId} call=${call} />`)}
      ${
        step.status === "completed" && typeof step.output !== "string" && step.output !== undefined
          ? html`<details open>
              <summary>output</summary>
              <pre class="json">${show(step.output)}</pre>
            </details>`
          : ""
      }
      ${step.error ? html`<p class="error">${step.error}</p>` : ""}
    </article>
  `;
}

function ToolCall({ call }: { call: ToolCallView }) {
  const state = call.result
    ? call.result.success
      ? `done in ${duration(call.result.durationMs)}`
      : `failed: ${call.result.error ?? "error"}`
    : call.approval?.state === "pending"
      ? "waiting for approval"
      : "running…";
  return html`
    <details
      class=${`tool ${call.result ? (call.result.success ? "ok" : "failed") : "open"}`}
      open
      data-call-id=${call.callId}
    >
      <summary>
        tool <b>${call.toolName}</b> <span class="muted">round ${call.round}</span> — ${state}
        ${call.approval ? html`<span class=${`approval-state ${call.approval.state.replace(" ", "-")}`}>${call.approval.state}${call.approval.reason ? `: ${call.approval.reason}` : ""}</span>` : ""}
      </summary>
      <div class="io">
        <div>
          <span class="muted small">arguments</span>
          <pre class="json">${show(call.arguments)}</pre>
        </div>
        ${
          call.result
            ? html`<div>
                <span class="muted small">result</span>
                <pre class="json result">
${show(call.result.success ? call.result.output : (call.result.error ?? call.result.output))}</pre>
              </div>`
            : ""
        }
      </div>
    </details>
  `;
}
