import { html } from "htm/preact";
import { duration } from "./format.js";
import type { RunModel } from "./run-model.js";

/**
 * Who ran when: one row per agent step, a bar from its start to its end (or now) on the run's
 * time axis, so steps that overlap (parallel agents) show side by side.
 */
export function Timeline({ model, now }: { model: RunModel; now: number }) {
  if (model.steps.length === 0) return null;
  const start = model.startedAt ?? model.steps[0]!.startedAt;
  const span = Math.max(1, now - start);
  const at = (time: number) => Math.max(0, Math.min(100, ((time - start) / span) * 100));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`
    <section class="panel timeline">
      <h2>Timeline</h2>
      <div class="axis">
        ${ticks.map((tick) => html`<span style=${{ left: `${tick * 100}%` }}>${duration(tick * span)}</span>`)}
      </div>
      ${model.steps.map((step) => {
        const end = step.endedAt ?? now;
        const waiting = step.toolCalls.some((call) => call.approval?.state === "pending");
        return html`
          <div class="lane" key=${step.index}>
            <a class="who" href=${`#/runs/${encodeURIComponent(model.runId)}`} onClick=${(event: Event) => (event.preventDefault(), document.getElementById(`step-${step.index}`)?.scrollIntoView({ behavior: "smooth" }))}>${step.agentId}</a>
            <div class="track">
              <div
                class=${`bar ${step.status}${waiting ? " waiting" : ""}`}
                style=${{ left: `${at(step.startedAt)}%`, width: `${at(end) - at(step.startedAt)}%` }}
                title=${`${step.key}: ${duration(end - step.startedAt)}${step.model ? ` on ${step.model}` : ""}`}
              >
                ${step.toolCalls.map(
                  (call) => html`<i class="mark" style=${{ left: `${((call.at - step.startedAt) / Math.max(1, end - step.startedAt)) * 100}%` }} title=${call.toolName}></i>`,
                )}
              </div>
            </div>
            <span class="took">${duration(end - step.startedAt)}</span>
          </div>
        `;
      })}
    </section>
  `;
}
