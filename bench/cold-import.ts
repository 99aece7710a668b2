import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./harness.js";

/** Cold `import("llmteam")` (the built package) in a fresh process, vs a bare node start. */
export function benchColdImport(): BenchRow[] {
  const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  const measure = (code: string): number => {
    const samples: number[] = [];
    for (let index = 0; index < 7; index++) {
      const started = performance.now();
      execFileSync(process.execPath, ["--input-type=module", "-e", code]);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return samples[3]!;
  };
  const inProcess = (): number => {
    const samples: number[] = [];
    for (let index = 0; index < 7; index++) {
      const out = execFileSync(process.execPath, [
        "--input-type=module",
        "-e",
        `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`,
      ]);
      samples.push(Number(out.toString().trim()));
    }
    samples.sort((a, b) => a - b);
    return samples[3]!;
  };
  const bare = measure("0");
  const withImport = measure(`await import(${JSON.stringify(entry)});`);
  return [
    { scenario: "cold start", measure: "bare node process", value: bare, unit: "ms" },
    {
      scenario: "cold start",
      measure: 'node process + import("llmteam")',
      value: withImport,
      unit: "ms",
      note: `import itself ${inProcess().toFixed(1)} ms (median of 7)`,
    },
  ];
}
