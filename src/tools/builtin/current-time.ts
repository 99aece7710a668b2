import * as z from "zod";
import { systemClock, type Clock } from "../../internal/clock.js";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";

/** Options of the `current_time` built-in. */
export interface CurrentTimeOptions {
  /** Tool name (default `current_time`). */
  name?: string;
  /** Time zone used when the model gives none (default `UTC`). */
  defaultTimezone?: string;
  /** Where the time comes from (default: the system clock). */
  clock?: Clock;
}

/** What `current_time` returns. */
export interface CurrentTimeResult {
  /** The instant in UTC, ISO 8601 (`2026-01-01T00:00:00.000Z`). */
  iso: string;
  /** The time zone's canonical IANA name. */
  timezone: string;
  /** Wall-clock time in that zone, ISO 8601 without offset (`2026-01-01T03:00:00`). */
  localTime: string;
  /** Offset from UTC in that zone at that instant (`+03:00`). */
  utcOffset: string;
  /** Day of the week in that zone, in English. */
  weekday: string;
  /** Milliseconds since the epoch. */
  unixMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The current date and time in a time zone (an IANA name such as `Europe/Berlin`, validated).
 *
 * @throws Error for an unknown time zone, naming it and giving examples.
 * @example
 * currentTimeIn("Asia/Tokyo", Date.UTC(2026, 0, 1)); // { localTime: "2026-01-01T09:00:00", utcOffset: "+09:00", … }
 */
export function currentTimeIn(timezone: string, unixMs: number): CurrentTimeResult {
  const formatter = formatterFor(timezone);
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(unixMs)) parts[part.type] = part.value;
  const localTime = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const wallAsUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMinutes = Math.round((wallAsUtc - Math.floor(unixMs / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const absolute = Math.abs(offsetMinutes);
  const utcOffset = `${sign}${String(Math.floor(absolute / 60)).padStart(2, "0")}:${String(absolute % 60).padStart(2, "0")}`;
  return {
    iso: new Date(unixMs).toISOString(),
    timezone: formatter.resolvedOptions().timeZone,
    localTime,
    utcOffset,
    weekday: parts.weekday ?? "",
    unixMs,
  };
}

/**
 * The `current_time` built-in: the date and time now, in a time zone the model names.
 *
 * @throws Error (from the factory) when `defaultTimezone` is not a valid time zone.
 * @example
 * builtinTools.currentTime({ defaultTimezone: "Europe/Paris" });
 */
export function currentTime(
  options: CurrentTimeOptions = {},
): ToolDefinition<{ timezone?: string | undefined }, CurrentTimeResult> {
  const clock = options.clock ?? systemClock;
  const fallback = options.defaultTimezone ?? "UTC";
  formatterFor(fallback);
  return tool({
    name: options.name ?? "current_time",
    description: `Get the current date and time. Give an IANA time zone such as "Europe/Berlin" (default ${fallback}).`,
    parameters: z.object({
      timezone: z
        .string()
        .optional()
        .describe(`IANA time zone name, e.g. "America/New_York" (default ${fallback})`),
    }),
    execute: ({ timezone }) => currentTimeIn(timezone ?? fallback, clock.now()),
  });
}

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter) return formatter;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "long",
    });
  } catch {
    throw new Error(
      `Unknown time zone "${timezone}". Use an IANA name such as "UTC", "Europe/London" or "America/New_York".`,
    );
  }
  formatters.set(timezone, formatter);
  return formatter;
}
