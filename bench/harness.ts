/** One measured row of a benchmark. */
export interface BenchRow {
  scenario: string;
  measure: string;
  value: number;
  unit: string;
  note?: string;
}

/** Runs `body` `iterations` times after `warmup` runs; returns ns per iteration (best of `rounds`). */
export async function timeAsync(
  body: () => Promise<unknown>,
  iterations: number,
  warmup = Math.ceil(iterations / 5),
  rounds = 5,
): Promise<number> {
  for (let index = 0; index < warmup; index++) await body();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index++) await body();
    const elapsed = Number(process.hrtime.bigint() - started) / iterations;
    best = Math.min(best, elapsed);
  }
  return best;
}

/** Heap in MB after a full GC (needs `--expose-gc`). */
export function heapAfterGcMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export function formatRows(rows: BenchRow[]): string {
  const lines = ["| scenario | measure | value | note |", "|---|---|---|---|"];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.measure} | ${row.value.toFixed(row.value < 10 ? 2 : 0)} ${row.unit} | ${row.note ?? ""} |`,
    );
  }
  return lines.join("\n");
}
