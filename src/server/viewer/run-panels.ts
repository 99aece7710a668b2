import { html } from "htm/preact";
import { useState } from "preact/hooks";
import type { ApiClient } from "./api-client.js";
import { show, usd } from "./format.js";
import type { ApprovalView, RunModel } from "./run-model.js";

/** The run's cost so far (from `cost_update`) against its budget, as a bar. */
export function CostMeter({ model }: { model: RunModel }) {
  const { budget, costUsd } = model;
  const share = budget && budget.maxUsd > 0 ? costUsd / budget.maxUsd : undefined;
  const level = share === undefined ? "" : share >= 1 ? "over" : share >= 0.8 ? "alert" : "";
  return html`
    <section class=${`cost ${level}`} data-cost-usd=${costUsd}>
      <span class="amount">${usd(costUsd)}</span>
      ${
        budget
          ? html`<span class="muted">of ${usd(budget.maxUsd)} (${budget.period} budget)</span>
              <span class="meter"
                ><span style=${{ width: `${Math.min(100, (share ?? 0) * 100)}%` }}></span
              ></span>`
          : html`<span class="muted">spent (no run budget)</span>`
      }
    </section>
  `;
}

/** The approvals the run waits for, with Approve / Reject (and Answer for human tasks). */
export function Approvals({ model, client }: { model: RunModel; client: ApiClient }) {
  const pending = model.pendingApprovals;
  if (pending.length === 0) return null;
  return html`
    <section class="panel approvals">
      <h2>Waiting for approval</h2>
      ${pending.map(
        (approval) =>
          html`<${ApprovalCard}
            key=${approval.approvalId}
            approval=${approval}
            runId=${model.runId}
            client=${client}
          />`,
      )}
    </section>
  `;
}

function ApprovalCard({
  approval,
  runId,
  client,
}: {
  approval: ApprovalView;
  runId: string;
  client: ApiClient;
}) {
  const [reason, setReason] = useState("");
  const [answer, setAnswer] = useState("");
  const [sent, setSent] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const decide = async (action: "approve" | "reject" | "answer") => {
    setError(undefined);
    setSent(action);
    const path = `runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(approval.approvalId)}/${action}`;
    try {
      if (action === "approve") await client.post(path);
      else if (action === "reject")
        await client.post(path, { reason: reason.trim() || "Rejected in the run viewer." });
      else await client.post(path, { value: JSON.parse(answer) as unknown });
    } catch (failure) {
      setSent(undefined);
      setError((failure as Error).message);
    }
  };
  const what =
    approval.kind === "tool"
      ? html`tool <b>${approval.toolName}</b> for ${approval.agentId ?? "an agent"}`
      : approval.kind === "agent"
        ? html`agent <b>${approval.agentId}</b> to run`
        : html`a person's answer for ${approval.agentId ?? "a step"}`;
  return html`
    <div class="approval" data-approval-id=${approval.approvalId}>
      <div>${what} <span class="muted small">${approval.approvalId}</span></div>
      ${approval.arguments === undefined ? "" : html`<pre class="json">${show(approval.arguments)}</pre>`}
      ${approval.prompt ? html`<p>${approval.prompt}</p>` : ""}
      ${
        approval.kind === "human"
          ? html`<textarea
                name="answer"
                rows="3"
                placeholder=${approval.form ? `JSON matching ${show(approval.form, 200)}` : "the answer, as JSON"}
                value=${answer}
                onInput=${(event: Event) => setAnswer((event.target as HTMLTextAreaElement).value)}
              ></textarea>
              <button onClick=${() => decide("answer")} disabled=${sent !== undefined}>
                Answer
              </button>`
          : html`<button
              class="approve"
              onClick=${() => decide("approve")}
              disabled=${sent !== undefined}
            >
              Approve
            </button>`
      }
      <input
        name="reason"
        placeholder="reason (for a rejection)"
        value=${reason}
        onInput=${(event: Event) => setReason((event.target as HTMLInputElement).value)}
      />
      <button
        class="reject danger"
        onClick=${() => decide("reject")}
        disabled=${sent !== undefined}
      >
        Reject
      </button>
      ${sent ? html`<span class="muted">${sent} sent…</span>` : ""}
      ${error ? html`<p class="error">${error}</p>` : ""}
    </div>
  `;
}
