import { html } from "htm/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ApiClient } from "./api-client.js";
import { AgentPane } from "./agent-pane.js";
import { duration } from "./format.js";
import { followRunEvents, type ConnectionState } from "./run-events.js";
import { RunModel } from "./run-model.js";
import { Approvals, CostMeter } from "./run-panels.js";
import { RunReport } from "./run-report.js";
import { Timeline } from "./timeline.js";

/** How often the page redraws at most while events stream in, and while a run is live (its bars grow). */
const FRAME_MS = 33;
const LIVE_TICK_MS = 250;

/**
 * Follows a run: reads its events from the first (a reload starts over, so the page is the
 * fold of the whole log: nothing twice, nothing missed) and redraws at most every frame.
 */
function useRun(client: ApiClient, runId: string) {
  const model = useMemo(() => new RunModel(runId), [runId]);
  const [, setFrame] = useState(0);
  const [connection, setConnection] = useState<{
    state: ConnectionState;
    detail?: string | undefined;
  }>({
    state: "connecting",
  });
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let scheduled = false;
    const redraw = () => {
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => ((scheduled = false), setFrame((frame) => frame + 1)), FRAME_MS);
    };
    const readStored = () =>
      client
        .get<Parameters<RunModel["setStored"]>[0]>(`runs/${encodeURIComponent(runId)}`, signal)
        .then(
          (run) => (model.setStored(run), redraw()),
          () => undefined,
        );
    void readStored();
    void followRunEvents({
      client,
      runId,
      afterSeq: 0,
      signal,
      onEvent: (event) => (model.apply(event), redraw()),
      onConnection: (state, detail) => {
        setConnection({ state, detail });
        if (state === "ended") void readStored();
      },
    });
    const tick = setInterval(() => model.ended || redraw(), LIVE_TICK_MS);
    return () => (controller.abort(), clearInterval(tick));
  }, [client, model, runId]);
  return { model, connection };
}

/** One run, live: status, cost against budget, approvals, timeline, each agent's stream, outcome. */
export function RunPage({ client, runId }: { client: ApiClient; runId: string }) {
  const { model, connection } = useRun(client, runId);
  const now = model.ended
    ? (model.endedAt ?? model.lastTimestamp)
    : Math.max(Date.now(), model.lastTimestamp);
  const took = model.startedAt === undefined ? undefined : now - model.startedAt;
  return html`
    <div
      class="run"
      data-run-id=${runId}
      data-status=${model.status}
      data-last-seq=${model.lastSeq}
      data-event-count=${model.eventCount}
      data-duplicates=${model.duplicates}
      data-gaps=${model.gaps.length}
    >
      <div class="run-head">
        <a href="#/">← runs</a>
        <h1>${model.teamId ?? "…"} <span class="muted">${runId}</span></h1>
        <span class=${`status ${model.status}`}
          >${model.ended ? "" : html`<i class="dot"></i>`}${model.status.replace("_", " ")}</span
        >
        ${took === undefined ? "" : html`<span class="muted">${duration(took)}</span>`}
        <span class=${`connection ${connection.state}`} title=${connection.detail ?? ""}
          >${connectionText(connection.state)}</span
        >
        <span class="muted small">${model.eventCount} events</span>
        ${!model.ended && model.eventCount > 0 ? html`<${CancelButton} client=${client} runId=${runId} />` : ""}
      </div>
      ${connection.state === "error" ? html`<p class="error">${connection.detail}</p>` : ""}
      ${
        model.gaps.length > 0 || model.duplicates > 0
          ? html`<p class="error">
              Event log problem: ${model.duplicates} repeated, gaps at
              ${model.gaps.join(", ") || "none"}.
            </p>`
          : ""
      }
      <${CostMeter} model=${model} />
      <${Approvals} model=${model} client=${client} />
      <${Timeline} model=${model} now=${now} />
      <section class="agents">
        ${model.steps.map((step) => html`<${AgentPane} key=${step.index} step=${step} now=${now} />`)}
      </section>
      <${RunReport} model=${model} />
    </div>
  `;
}

function connectionText(state: ConnectionState): string {
  return {
    connecting: "connecting…",
    live: "live",
    reconnecting: "reconnecting…",
    ended: "",
    error: "not connected",
  }[state];
}

function CancelButton({ client, runId }: { client: ApiClient; runId: string }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const cancel = () =>
    client.post(`runs/${encodeURIComponent(runId)}/cancel`).then(
      () => setError(undefined),
      (failure: Error) => setError(failure.message),
    );
  return html`<button class="danger small" onClick=${cancel} title=${error ?? "Cancel the run"}>
    Cancel run
  </button>`;
}
