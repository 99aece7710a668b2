import { html } from "htm/preact";
import { duration } from "./format.js";
import type { AgentStep, RunModel } from "./run-model.js";

/**
 * Who ran when: one row per agent step, a bar from its start to its end (or now) on the run's
 * time axis, so steps that overlap (parallel agents) show side by side. Tool calls are ticks
 * on their step's bar; a wait for approval is hatched.
 */
export function Timeline({ model, now }: { model: RunModel; now: number }) {
  if (model.steps.length === 0) return null;
  const start = model.startedAt ?? model.steps[0]!.startedAt;
  const span = Math.max(1, now - start);
  const at = (time: number) => Math.max(0, Math.min(100, ((time - start) / span) * 100));
  const jump = (event: Event, step: AgentStep) => {
    event.preventDefault();
    document.getElementById(`step-${step.index}`)?.scrollIntoView({ behavior: "smooth" });
  };
  return html`
    <section class="panel timeline">
      <h2>Timeline</h2>
      <div class="axis">
        ${[0, 0.25, 0.5, 0.75, 1].map(
          (tick) => html`<span style=${{ left: `${tick * 100}%` }}>${duration(tick * span)}</span>`,
        )}
      </div>
      ${model.steps.map((step) => {
        const end = step.endedAt ?? now;
        return html`
          <div class="lane" key=${step.index}>
            <a class="who" href="#" onClick=${(event: Event) => jump(event, step)}
              >${step.agentId}</a
            >
            <div class="track">
              <div
                class=${`bar ${step.status}`}
                style=${{ left: `${at(step.startedAt)}%`, width: `${at(end) - at(step.startedAt)}%` }}
                title=${`${step.key}: ${duration(end - step.startedAt)}${step.model ? ` on ${step.model}` : ""}`}
              >
                <${Marks} step=${step} end=${end} />
              </div>
            </div>
            <span class="took">${duration(end - step.startedAt)}</span>
          </div>
        `;
      })}
    </section>
  `;
}

/** A step's tool calls (ticks) and approval waits (hatched), placed within its bar. */
function Marks({ step, end }: { step: AgentStep; end: number }) {
  const length = Math.max(1, end - step.startedAt);
  const at = (time: number) => Math.max(0, Math.min(100, ((time - step.startedAt) / length) * 100));
  return step.toolCalls.map((call) => {
    const approval = call.approval;
    const from = approval ? at(approval.requestedAt) : 0;
    return html`
      ${
        approval
          ? html`<i
              class="wait"
              title=${`waited for approval of ${call.toolName}`}
              style=${{ left: `${from}%`, width: `${at(approval.decidedAt ?? end) - from}%` }}
            ></i>`
          : ""
      }
      <i class="mark" style=${{ left: `${at(call.at)}%` }} title=${`tool ${call.toolName}`}></i>
    `;
  });
}
