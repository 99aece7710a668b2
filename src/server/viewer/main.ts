/**
 * The run viewer, in the browser: `npm run build` bundles this (preact + htm) into
 * `dist/viewer/viewer.js`, which the server's page at `/` loads (docs/server.md, "Run viewer").
 * It only talks to the API of the server it came from.
 */
import { html } from "htm/preact";
import { render } from "preact";
import { ApiClient } from "./api-client.js";
import { App } from "./app.js";

// The bundle is served at `<base>viewer/viewer.js`; the API is at `<base>`.
const client = new ApiClient(new URL("..", import.meta.url));
render(html`<${App} client=${client} />`, document.getElementById("app")!);
