/**
 * A result for comparing a `run()` with a `stream()` of the same input: everything but
 * `eventCount` (here and in nested results, e.g. a group's `teamResults`). With `stream` unset,
 * a plain `run()` calls providers without streaming, so its log has no `token` events; every
 * other event, and so every other field, is the same.
 */
export function withoutEventCount<T extends object>(result: T): Omit<T, "eventCount" | "report"> {
  return strip(result) as Omit<T, "eventCount" | "report">;
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value !== "object" || value === null || value instanceof Error) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value))
    if (key !== "eventCount") copy[key] = strip(field);
  return copy;
}
