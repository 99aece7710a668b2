/**
 * A durable run that fills the disk: run under `ulimit -f <blocks>` (a file-size limit, as a
 * full disk answers a write: EFBIG), it writes a 40-step run to the SQLite store `path` and
 * prints its result as JSON. Usage: disk-full-child.ts <path>
 */
import { SqliteRunStore } from "../../src/index.js";
import { fullTeam } from "./full-team.js";

// The signal a write past the limit sends; handled, the write fails with EFBIG instead.
process.on("SIGXFSZ", () => undefined);
const [path] = process.argv.slice(2) as [string];
const store = new SqliteRunStore({ path });
const team = fullTeam(store);
const result = await team.run("fill");
console.log(
  JSON.stringify({ status: result.status, runId: result.runId, error: result.error?.message }),
);
await store.close();
