// One scale scenario in this process, on the built package (`dist/`), as users run it:
// 1,000 concurrent runs of an 11-agent team on a ScriptedModel that waits 10 ms per call.
// Prints one JSON line: wall and CPU time (the process's and the main thread's), peak RSS,
// RSS before the runs, event-loop delay.
// Run by bench/scale.ts (`npm run bench scale`), one fresh `node --expose-gc` per scenario and
// start state:
// - "warm": the process has served 1,000 runs (in bursts of 100) when the 1,000 arrive: the
//   JIT has compiled the hot code, as in a server that has been up for a while.
// - "cold": 50 runs, then a full garbage collection on the idle heap, then the 1,000: as the
//   first burst after start-up or after an idle spell. V8 drops much of the optimised code in
//   that collection, so the burst runs on baseline code while it is compiled again.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { LLMTeam } from "../dist/index.js";
import { ScriptedModel } from "../dist/testing/index.js";

const RUNS = 1_000;
const CALLS = 11;
const CALL_DELAY_MS = 10;
/** Runs served before the measured burst, by start state; the warm-up runs in bursts of 100. */
const START_STATES = {
  warm: { warmUpRuns: 1_000, fullGc: false },
  cold: { warmUpRuns: 50, fullGc: true },
};
const WARM_UP_BURST = 100;
/** A priced model name, so every call is costed as in production (the catalog's price). */
const MODEL = "openai/gpt-4o-mini";

const scenarios = {
  "run(), default settings": { kind: "team", run: "run" },
  "run(), stream: true": { kind: "team", run: "run", stream: true },
  "stream(), every event read": { kind: "team", run: "stream" },
  "run(), chain flow": { kind: "team", run: "run", chain: true },
  "hand-written loop, doGenerate": { kind: "hand", stream: false },
  "hand-written loop, doStream": { kind: "hand", stream: true },
};

function scriptedModel() {
  return new ScriptedModel({
    responses: () => ({ text: "ok", usage: { inputTokens: 10, outputTokens: 1 } }),
    delayMs: CALL_DELAY_MS,
    recordCalls: false,
  });
}

function teamRunner(scenario) {
  const agents = Array.from({ length: CALLS }, (_, index) => ({
    type: "llm",
    role: `agent${index}`,
    prompt: index === 0 ? "Do {query}" : `Continue from {agent${index - 1}}`,
  }));
  const team = new LLMTeam({
    teamId: "scale",
    model: MODEL,
    models: { [MODEL]: scriptedModel() },
    agents,
    ...(scenario.stream === undefined ? {} : { stream: scenario.stream }),
    ...(scenario.chain ? { flow: agents.map((agent) => agent.role).join(" -> ") } : {}),
  });
  return async (query) => {
    if (scenario.run === "run") return team.run({ query });
    const stream = team.stream({ query });
    for await (const _event of stream) {
      // Every event is read, as a server relaying them would.
    }
    return stream.result;
  };
}

function handRunner(scenario) {
  const model = scriptedModel();
  const signal = new AbortController().signal;
  return async (query) => {
    let previous = query;
    for (let index = 0; index < CALLS; index++) {
      const options = {
        prompt: [{ role: "user", content: [{ type: "text", text: `Continue from ${previous}` }] }],
        abortSignal: signal,
      };
      if (scenario.stream) {
        const reader = (await model.doStream(options)).stream.getReader();
        let text = "";
        for (;;) {
          const next = await reader.read();
          if (next.done) break;
          if (next.value.type === "text-delta") text += next.value.delta;
        }
        previous = text;
      } else {
        const result = await model.doGenerate(options);
        previous = result.content[0].text;
      }
    }
    return { success: true };
  };
}

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario)
  throw new Error(`Unknown scenario "${name}". Scenarios: ${Object.keys(scenarios).join(", ")}.`);
const startName = process.argv[3] ?? "warm";
const start = START_STATES[startName];
if (!start)
  throw new Error(
    `Unknown start state "${startName}". Start states: ${Object.keys(START_STATES).join(", ")}.`,
  );
const runOnce = scenario.kind === "team" ? teamRunner(scenario) : handRunner(scenario);
for (let served = 0; served < start.warmUpRuns; served += WARM_UP_BURST) {
  const burst = Math.min(WARM_UP_BURST, start.warmUpRuns - served);
  await Promise.all(Array.from({ length: burst }, () => runOnce("warm up")));
}
if (start.fullGc) {
  if (!globalThis.gc) throw new Error('The "cold" start state needs node --expose-gc.');
  globalThis.gc();
}
const rssBefore = process.memoryUsage.rss();
let peakRss = rssBefore;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 5);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const cpuBefore = process.cpuUsage();
const mainBefore = process.threadCpuUsage();
const started = performance.now();
const results = await Promise.all(
  Array.from({ length: RUNS }, (_, index) => runOnce(`task ${index}`)),
);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const main = process.threadCpuUsage(mainBefore);
delay.disable();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
const failed = results.filter((result) => !result.success);
if (failed.length > 0) throw new Error(`${failed.length} runs failed: ${failed[0].error?.message}`);
console.log(
  JSON.stringify({
    scenario: name,
    start: startName,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: (main.user + main.system) / 1000,
    peakRssMb: peakRss / 1024 / 1024,
    rssBeforeMb: rssBefore / 1024 / 1024,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
  }),
);
