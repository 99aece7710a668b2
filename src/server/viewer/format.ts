/** `$0.0123`: four decimals under a dollar, two above. */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 1 ? 4 : 2)}`;
}

/** `850 ms`, `2.4 s`, `3 m 05 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, "0")} s`;
}

/** `14:03:22` today, else `2026-01-05 14:03`. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString([], { hour12: false });
  return date.toDateString() === new Date().toDateString()
    ? time
    : `${date.toISOString().slice(0, 10)} ${time.slice(0, 5)}`;
}

/** A value as text: strings as they are, anything else as indented JSON, cut at `max` characters. */
export function show(value: unknown, max = 20_000): string {
  const text =
    typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? String(value));
  return text.length > max
    ? `${text.slice(0, max)}\n… (${text.length - max} more characters)`
    : text;
}

/** `1,234`. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}
