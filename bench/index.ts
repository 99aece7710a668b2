import { benchAgentStep } from "./agent-step.js";
import { benchBudget } from "./budget.js";
import { benchColdImport } from "./cold-import.js";
import { formatRows, type BenchRow } from "./harness.js";
import { benchStreamThroughput } from "./stream-throughput.js";
import { benchToolLoop } from "./tool-loop.js";
import { benchDurableRuns } from "./durable-runs.js";
import { benchRunStore } from "./run-store.js";
import { benchScale } from "./scale.js";
import { benchKnowledge } from "./knowledge.js";
import { benchWorkers } from "./workers.js";
import { benchServer } from "./server.js";
import { benchServeQueue } from "./serve-queue.js";

const scenarios: [string, () => Promise<BenchRow[]> | BenchRow[]][] = [
  ["agent step overhead", benchAgentStep],
  ["stream throughput", benchStreamThroughput],
  ["cold import", benchColdImport],
  ["tool loop", () => benchToolLoop()],
  ["budget", benchBudget],
  ["store commit", benchRunStore],
  ["scale", benchScale],
  ["durable runs", benchDurableRuns],
  ["knowledge", benchKnowledge],
  ["workers", benchWorkers],
  ["server", benchServer],
  ["serve --queue", benchServeQueue],
];

const only = process.argv[2];
const rows: BenchRow[] = [];
for (const [name, run] of scenarios) {
  if (only && !name.includes(only)) continue;
  process.stderr.write(`running ${name}…\n`);
  rows.push(...(await run()));
}
console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
console.log(formatRows(rows));
