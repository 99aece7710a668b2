import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BenchRow } from "./harness.js";

/** The scenarios of `scale-worker.mjs`, in the order they are reported. */
export const SCALE_SCENARIOS = [
  "run(), default settings",
  "run(), stream: true",
  "stream(), every event read",
  "run(), chain flow",
  "hand-written loop, doGenerate",
  "hand-written loop, doStream",
] as const;

type ScaleScenario = (typeof SCALE_SCENARIOS)[number];

/** The hand-written loop each start state's ratios are taken to. */
const HAND_LOOP: ScaleScenario = "hand-written loop, doGenerate";

/**
 * The start states of `scale-worker.mjs` and the scenarios measured in each: "warm" (the process
 * has served 1,000 runs, the JIT has compiled the hot code) for every scenario, "cold" (the first
 * burst after a full collection on an idle heap) for the default run and its hand loop.
 */
const START_STATES: {
  start: "warm" | "cold";
  label: string;
  scenarios: readonly ScaleScenario[];
}[] = [
  { start: "warm", label: "warm process", scenarios: SCALE_SCENARIOS },
  {
    start: "cold",
    label: "first burst after an idle full GC",
    scenarios: ["run(), default settings", HAND_LOOP],
  },
];

interface ScaleSample {
  wallMs: number;
  cpuMs: number;
  mainThreadCpuMs: number;
  peakRssMb: number;
  rssBeforeMb: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

const ROUNDS = 5;

/**
 * The scale check (issue 7): 1,000 concurrent runs of an 11-agent team on a ScriptedModel that
 * waits 10 ms per call (ideal wall time 110 ms), each scenario in a fresh `node` process on the
 * built package, so its RSS is its own. Scenarios alternate over {@link ROUNDS} rounds (the
 * machine's load changes between minutes); the rows give the median round and the spread, and
 * the ratio to a hand-written loop over the same model, measured in the same rounds and start state.
 */
export async function benchScale(): Promise<BenchRow[]> {
  const worker = fileURLToPath(new URL("./scale-worker.mjs", import.meta.url));
  const samples = new Map<string, ScaleSample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { start, scenarios } of START_STATES) {
      for (const scenario of scenarios) {
        process.stderr.write(`  scale round ${round + 1}/${ROUNDS}: ${scenario} (${start})\n`);
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ["--expose-gc", worker, scenario, start],
          { maxBuffer: 1 << 20 },
        );
        const sample = JSON.parse(stdout.trim().split("\n").at(-1)!) as ScaleSample;
        const key = `${start}:${scenario}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
    }
  }
  const rows: BenchRow[] = [];
  for (const { start, label, scenarios } of START_STATES) {
    const handWall = median(samples.get(`${start}:${HAND_LOOP}`)!.map((sample) => sample.wallMs));
    for (const scenario of scenarios) {
      const runs = samples.get(`${start}:${scenario}`)!;
      const wall = runs.map((sample) => sample.wallMs);
      const peak = runs.map((sample) => sample.peakRssMb);
      const name = `1000 concurrent runs × 11 calls of 10 ms, ${label}: ${scenario}`;
      rows.push(
        {
          scenario: name,
          measure: "wall time (median)",
          value: median(wall),
          unit: "ms",
          note:
            `${spread(wall)} ms; ${(median(wall) / handWall).toFixed(1)}× hand loop (doGenerate); ` +
            `CPU ${median(runs.map((sample) => sample.cpuMs)).toFixed(0)} ms, main thread ${median(runs.map((sample) => sample.mainThreadCpuMs)).toFixed(0)} ms; target < 300 ms`,
        },
        {
          scenario: name,
          measure: "peak RSS (median)",
          value: median(peak),
          unit: "MB",
          note: `${spread(peak)} MB; ${median(runs.map((sample) => sample.rssBeforeMb)).toFixed(0)} MB before the runs; target < 150 MB`,
        },
        {
          scenario: name,
          measure: "event-loop delay p99 (median)",
          value: median(runs.map((sample) => sample.delayP99Ms)),
          unit: "ms",
          note: `max ${Math.max(...runs.map((sample) => sample.delayMaxMs)).toFixed(1)} ms`,
        },
      );
    }
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function spread(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
}
