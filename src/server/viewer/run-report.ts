import { html } from "htm/preact";
import { count, duration, show, usd } from "./format.js";
import type { RunModel } from "./run-model.js";

/** The run's outcome: its final output or error, then a report of time, tokens and cost. */
export function RunReport({ model }: { model: RunModel }) {
  if (!model.ended) {
    return model.warnings.length > 0
      ? html`<${Notes} title="Warnings" lines=${model.warnings} />`
      : null;
  }
  const byAgent = new Map<string, number>();
  for (const step of model.steps)
    byAgent.set(step.agentId, (byAgent.get(step.agentId) ?? 0) + step.costUsd);
  return html`
    <section class="panel outcome">
      ${
        model.hasOutput
          ? html`<h2>Final output</h2>
              <pre class="final-output">${show(model.output)}</pre>`
          : html`<h2>${model.status}</h2>`
      }
      ${model.error ? html`<p class="error">${model.failedAgent ? `${model.failedAgent}: ` : ""}${model.error}</p>` : ""}
      <h2>Report</h2>
      <table class="report">
        <tr>
          <th>status</th>
          <td>${model.status}</td>
        </tr>
        <tr>
          <th>duration</th>
          <td>${model.durationMs === undefined ? "" : duration(model.durationMs)}</td>
        </tr>
        <tr>
          <th>agents</th>
          <td>${model.steps.map((step) => step.agentId).join(" → ")}</td>
        </tr>
        ${
          model.usage
            ? html`<tr>
                <th>tokens</th>
                <td>
                  ${count(model.usage.inputTokens)} in · ${count(model.usage.outputTokens)} out ·
                  ${count(model.usage.totalTokens)} total
                </td>
              </tr>`
            : ""
        }
        <tr>
          <th>cost</th>
          <td class="report-cost">
            ${usd(model.costUsd)}${model.budget ? ` of ${usd(model.budget.maxUsd)} (${model.budget.period} budget)` : ""}
          </td>
        </tr>
        <tr>
          <th>by model</th>
          <td>
            ${[...model.costByModel].map(([name, cost]) => `${name} ${usd(cost)}`).join(" · ")}
          </td>
        </tr>
        <tr>
          <th>by agent</th>
          <td>${[...byAgent].map(([name, cost]) => `${name} ${usd(cost)}`).join(" · ")}</td>
        </tr>
        <tr>
          <th>approvals</th>
          <td>
            ${[...model.approvals.values()].map((approval) => `${approval.toolName ?? approval.agentId ?? approval.approvalId}: ${approval.state}`).join(" · ") || "none"}
          </td>
        </tr>
      </table>
      ${model.decisions.length > 0 ? html`<${Notes} title="Routing" lines=${model.decisions} />` : ""}
      ${model.warnings.length > 0 ? html`<${Notes} title="Warnings" lines=${model.warnings} />` : ""}
    </section>
  `;
}

function Notes({ title, lines }: { title: string; lines: string[] }) {
  return html`<div class="notes">
    <h3>${title}</h3>
    <ul>
      ${lines.map((line) => html`<li>${line}</li>`)}
    </ul>
  </div>`;
}
