import * as z from "zod";
import { strictObject } from "../config/strict-object.js";

/** A cron field: `*`, numbers, ranges, lists and steps, or names (`MON`, `JAN`). */
const CRON_FIELD = /^[A-Za-z0-9*?,/#LW-]+$/;

/** True when `zone` is a time zone the runtime knows (`Europe/Berlin`, `UTC`). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * One recurring run of the team (`schedule:` in a team file): a cron pattern, its time zone and
 * the input of each run. Workers (`llmteam worker`) turn each into a BullMQ job scheduler of
 * their queue; `llmteam schedules list` shows them with their next run.
 */
export const scheduleEntrySchema = strictObject(
  {
    /** Five or six cron fields (seconds first when six): `"0 9 * * 1-5"` is 09:00 on weekdays. */
    cron: z.string({ error: 'cron must be a string of 5 or 6 fields, e.g. "0 9 * * 1-5".' }).refine(
      (cron) => {
        const fields = cron.trim().split(/\s+/);
        return (
          (fields.length === 5 || fields.length === 6) &&
          fields.every((field) => CRON_FIELD.test(field))
        );
      },
      {
        message:
          'cron must have 5 fields (minute hour day month weekday) or 6 (seconds first), e.g. "0 9 * * 1-5".',
      },
    ),
    /** The time zone the pattern is read in (IANA name). Default `UTC`. */
    timeZone: z
      .string()
      .refine(isTimeZone, {
        message: 'timeZone must be an IANA time zone, e.g. "Europe/Berlin" or "UTC".',
      })
      .optional(),
    /** The input of each run. Default `{}`. */
    input: z.record(z.string(), z.unknown()).optional(),
  },
  "a schedule",
);

/** `schedule:` of a team: one recurring run or a list of them. */
export const scheduleSchema = z.union([scheduleEntrySchema, z.array(scheduleEntrySchema)]);

/** One recurring run, as written. */
export type ScheduleEntry = z.input<typeof scheduleEntrySchema>;

/** The team's schedule as a list (a single entry is a list of one). */
export function scheduleEntries(
  schedule: ScheduleEntry | ScheduleEntry[] | undefined,
): ScheduleEntry[] {
  if (schedule === undefined) return [];
  return Array.isArray(schedule) ? schedule : [schedule];
}
