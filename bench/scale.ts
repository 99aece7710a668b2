import { execFile } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { LLMTeam, type TeamConfig } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import type { BenchRow } from "./harness.js";

const RUNS = 1_000;
const CALLS = 11;
const CALL_DELAY_MS = 10;

/** The scale scenarios: the default (streamed) sequential team, the same without streaming, and a chain (graph scheduler). */
export const SCALE_SCENARIOS = {
  "sequential, streamed": { flow: undefined, stream: true },
  "sequential, not streamed": { flow: undefined, stream: false },
  "chain flow, streamed": { flow: Array.from({ length: CALLS }, (_, index) => `agent${index}`).join(" -> "), stream: true },
} as const;

/** One of {@link SCALE_SCENARIOS}. */
export type ScaleScenario = keyof typeof SCALE_SCENARIOS;

function team(flow: TeamConfig["flow"], stream: boolean): LLMTeam {
  const model = new ScriptedModel({
    responses: () => ({ text: "ok", usage: { inputTokens: 10, outputTokens: 1 } }),
    delayMs: CALL_DELAY_MS,
    recordCalls: false,
  });
  const agents = Array.from({ length: CALLS }, (_, index) => ({
    type: "llm" as const,
    role: `agent${index}`,
    prompt: index === 0 ? "Do {query}" : `Continue from {agent${index - 1}}`,
  }));
  return new LLMTeam({ teamId: "scale", model: "bench/model", stream, models: { "bench/model": model }, ...(flow ? { flow } : {}), agents });
}

/**
 * Measures one scenario in this process: 1,000 concurrent runs of an 11-agent team on a model
 * that waits 10 ms per call (real timers). Peak RSS is the process's (sampled every 5 ms).
 */
export async function measureScale(name: ScaleScenario): Promise<BenchRow[]> {
  const { flow, stream } = SCALE_SCENARIOS[name];
  const warm = team(flow, stream);
  await Promise.all(Array.from({ length: 50 }, () => warm.run({ query: "warm up" })));
  (globalThis as { gc?: () => void }).gc?.();
  const rssBeforeMb = process.memoryUsage.rss() / 1024 / 1024;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 5);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const subject = team(flow, stream);
  delay.enable();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const results = await Promise.all(Array.from({ length: RUNS }, (_, index) => subject.run({ query: `task ${index}` })));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  delay.disable();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const failed = results.filter((result) => !result.success);
  if (failed.length > 0) throw new Error(`${failed.length} runs failed: ${failed[0]!.error?.message}`);
  const scenario = `${RUNS} concurrent runs × ${CALLS} calls of ${CALL_DELAY_MS} ms (${name})`;
  return [
    { scenario, measure: "wall time", value: wallMs, unit: "ms", note: `ideal ${CALLS * CALL_DELAY_MS} ms; target < 300 ms; CPU ${cpuMs.toFixed(0)} ms` },
    { scenario, measure: "peak RSS", value: peakRss / 1024 / 1024, unit: "MB", note: `${rssBeforeMb.toFixed(0)} MB after warm-up, before the runs; target < 150 MB` },
    { scenario, measure: "event-loop delay p99", value: delay.percentile(99) / 1e6, unit: "ms", note: `max ${(delay.max / 1e6).toFixed(1)} ms, mean ${(delay.mean / 1e6).toFixed(2)} ms` },
  ];
}

/**
 * The scale check (issue 7): each scenario in a fresh child process, so its RSS is its own —
 * wall time, peak RSS and event-loop delay (perf_hooks `monitorEventLoopDelay`).
 */
export async function benchScale(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const script = fileURLToPath(import.meta.url);
  for (const name of Object.keys(SCALE_SCENARIOS)) {
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, script, name], { maxBuffer: 1 << 20 });
    rows.push(...(JSON.parse(stdout.trim().split("\n").at(-1)!) as BenchRow[]));
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = process.argv[2] as ScaleScenario;
  if (!(name in SCALE_SCENARIOS)) throw new Error(`Unknown scenario "${name}". Scenarios: ${Object.keys(SCALE_SCENARIOS).join(", ")}.`);
  console.log(JSON.stringify(await measureScale(name)));
}
