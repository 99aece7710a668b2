/**
 * A child process for the run-store fault tests: opens the store `spec` names, creates run
 * `runId` and commits steps of 8 events with a snapshot until it is killed, printing
 * `committed <lastSeq>` after each commit returns.
 * Usage: run-store-writer.ts <spec> <schema|-> <runId>
 */
import { openRunStore } from "../../src/store/open-run-store.js";
import type { StreamEventJSON } from "../../src/events/stream-event.js";

const [spec, schema, runId] = process.argv.slice(2) as [string, string, string];
const store = await openRunStore(spec, schema === "-" ? {} : { schema });
await store.createRun({
  runId,
  teamId: "crash",
  configHash: "0".repeat(64),
  config: {},
  input: {},
  options: {},
  status: "running",
  createdAt: Date.now(),
});
for (let seq = 0; ;) {
  const events: StreamEventJSON[] = [];
  for (let index = 0; index < 8; index++) {
    seq++;
    events.push({
      runId,
      seq,
      timestamp: Date.now(),
      agentId: "writer",
      type: "token",
      data: { token: `token ${seq} `.repeat(20) },
    });
  }
  await store.commit(runId, { events, snapshot: { seq, state: { at: seq } }, now: Date.now() });
  process.stdout.write(`committed ${seq}\n`);
}
