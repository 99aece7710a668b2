import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import type { ApiClient } from "./api-client.js";
import { RunPage } from "./run-page.js";
import { RunsPage } from "./runs-page.js";

/** The page's route, from the URL's hash: `#/runs/<id>` is one run, anything else the list. */
function routeOf(hash: string): { runId: string | undefined } {
  const match = /^#\/runs\/([^/?#]+)/.exec(hash);
  return { runId: match ? decodeURIComponent(match[1]!) : undefined };
}

/** The viewer: a header with the API key box, then the run list or one run. */
export function App({ client }: { client: ApiClient }) {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  // Bumped when the key changes: the page below starts again with it.
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.title = route.runId ? `${route.runId} · llmteam` : "llmteam runs";
  }, [route.runId]);
  return html`
    <header class="top">
      <a class="brand" href="#/">llmteam</a>
      <span class="where">${route.runId ? "run" : "runs"}</span>
      <${KeyBox} client=${client} onChange=${() => setKeyVersion((version) => version + 1)} />
    </header>
    <main>
      ${
        route.runId
          ? html`<${RunPage}
              key=${`${route.runId}:${keyVersion}`}
              client=${client}
              runId=${route.runId}
            />`
          : html`<${RunsPage} key=${keyVersion} client=${client} />`
      }
    </main>
  `;
}

/**
 * The API key, for a server with keys: pasted once, kept in `sessionStorage` (this tab only)
 * and sent as `Authorization: Bearer <key>`.
 */
function KeyBox({ client, onChange }: { client: ApiClient; onChange: () => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const save = (key: string | undefined) => {
    client.key = key;
    setEditing(false);
    setDraft("");
    onChange();
  };
  if (client.key && !editing) {
    return html`<span class="key"
      >API key set <button class="link" onClick=${() => save(undefined)}>forget</button></span
    >`;
  }
  if (!editing) {
    return html`<span class="key"
      ><button class="link" onClick=${() => setEditing(true)}>API key…</button></span
    >`;
  }
  return html`
    <form
      class="key"
      onSubmit=${(event: Event) => (event.preventDefault(), save(draft.trim() || undefined))}
    >
      <input
        type="password"
        name="apiKey"
        placeholder="paste an API key"
        autocomplete="off"
        value=${draft}
        onInput=${(event: Event) => setDraft((event.target as HTMLInputElement).value)}
      />
      <button type="submit">Use</button>
      <button type="button" class="link" onClick=${() => setEditing(false)}>cancel</button>
    </form>
  `;
}
