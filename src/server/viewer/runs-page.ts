import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./api-client.js";
import { clockTime, count, duration, usd } from "./format.js";

/** A run as `GET /runs` lists it. */
interface RunRow {
  runId: string;
  teamId: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  live: boolean;
  error?: string;
}

const STATUSES = [
  "queued",
  "running",
  "paused",
  "waiting_approval",
  "interrupted",
  "completed",
  "failed",
  "cancelled",
];
const REFRESH_MS = 2000;

/** The run list (filtered by status and team, refreshed every 2 s) and the form that starts a run. */
export function RunsPage({ client }: { client: ApiClient }) {
  const [status, setStatus] = useState("");
  const [teamId, setTeamId] = useState("");
  const [runs, setRuns] = useState<RunRow[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    const query = new URLSearchParams({ limit: "100" });
    if (status) query.set("status", status);
    if (teamId.trim()) query.set("teamId", teamId.trim());
    const load = () =>
      client.get<{ runs: RunRow[] }>(`runs?${query}`, controller.signal).then(
        (body) => (setRuns(body.runs), setError(undefined)),
        (failure: Error) => controller.signal.aborted || setError(failure.message),
      );
    void load();
    const timer = setInterval(() => document.hidden || void load(), REFRESH_MS);
    return () => (controller.abort(), clearInterval(timer));
  }, [client, status, teamId]);
  const teamsSeen = [...new Set((runs ?? []).map((run) => run.teamId))];
  return html`
    <${StartRun} client=${client} teamsSeen=${teamsSeen} />
    <section class="panel">
      <div class="filters">
        <h2>Runs</h2>
        <label
          >status
          <select
            name="status"
            value=${status}
            onChange=${(event: Event) => setStatus((event.target as HTMLSelectElement).value)}
          >
            <option value="">all</option>
            ${STATUSES.map((name) => html`<option value=${name}>${name}</option>`)}
          </select>
        </label>
        <label
          >team
          <input
            name="teamFilter"
            placeholder="any"
            value=${teamId}
            onInput=${(event: Event) => setTeamId((event.target as HTMLInputElement).value)}
          />
        </label>
        <span class="muted">refreshes every ${REFRESH_MS / 1000} s</span>
      </div>
      ${error && html`<p class="error">${error}</p>`}
      ${runs === undefined ? html`<p class="muted">Loading…</p>` : html`<${RunTable} runs=${runs} />`}
    </section>
  `;
}

function RunTable({ runs }: { runs: RunRow[] }) {
  if (runs.length === 0) return html`<p class="muted">No runs yet. Start one above.</p>`;
  return html`
    <table class="runs">
      <thead>
        <tr>
          <th>status</th>
          <th>run</th>
          <th>team</th>
          <th>started</th>
          <th>took</th>
          <th>tokens</th>
          <th>cost</th>
        </tr>
      </thead>
      <tbody>
        ${runs.map(
          (run) => html`
            <tr key=${run.runId} class=${run.live ? "live" : ""} data-run-id=${run.runId}>
              <td>
                <span class=${`status ${run.status}`}
                  >${run.live ? html`<i class="dot"></i>` : ""}${run.status}</span
                >
              </td>
              <td>
                <a href=${`#/runs/${encodeURIComponent(run.runId)}`}>${run.runId}</a
                >${run.error ? html`<div class="muted small">${run.error}</div>` : ""}
              </td>
              <td>${run.teamId}</td>
              <td>${clockTime(run.createdAt)}</td>
              <td>${duration(run.updatedAt - run.createdAt)}</td>
              <td>${count(run.inputTokens + run.outputTokens)}</td>
              <td>${usd(run.costUsd)}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}

/** Starts a run: a team (from `GET /teams`, else the teams seen in runs) and its input. */
function StartRun({ client, teamsSeen }: { client: ApiClient; teamsSeen: string[] }) {
  const [teams, setTeams] = useState<string[]>([]);
  const [teamId, setTeamId] = useState<string | undefined>(undefined);
  const [input, setInput] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    client.get<{ teams: { teamId: string }[] }>("teams").then(
      (body) => setTeams(body.teams.map((team) => team.teamId)),
      () => setTeams([]),
    );
  }, [client]);
  const known = [...new Set([...teams, ...teamsSeen])];
  const chosen = teamId ?? known[0] ?? "";
  const start = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const started = await client.post<{ runId: string }>(
        `teams/${encodeURIComponent(chosen)}/runs`,
        {
          input: parseInput(input),
        },
      );
      location.hash = `#/runs/${encodeURIComponent(started.runId)}`;
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <section class="panel start">
      <h2>Start a run</h2>
      <form onSubmit=${start}>
        <label
          >team
          <input
            name="team"
            list="known-teams"
            required
            placeholder="team id"
            value=${chosen}
            onInput=${(event: Event) => setTeamId((event.target as HTMLInputElement).value)}
          />
          <datalist id="known-teams">${known.map((id) => html`<option value=${id} />`)}</datalist>
        </label>
        <label class="grow"
          >input
          <textarea
            name="input"
            rows="2"
            placeholder='text (taken as { "query": … }) or a JSON object'
            value=${input}
            onInput=${(event: Event) => setInput((event.target as HTMLTextAreaElement).value)}
          ></textarea>
        </label>
        <button type="submit" disabled=${busy || !chosen}>
          ${busy ? "Starting…" : "Start run"}
        </button>
      </form>
      ${error && html`<p class="error">${error}</p>`}
    </section>
  `;
}

/** A JSON object when the text is one, else the text (the server takes it as `{ query }`). */
function parseInput(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      // Not JSON after all: the text as it is.
    }
  }
  return text;
}
