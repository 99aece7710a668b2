import type { LLMTeam } from "../team/llm-team.js";
import { scheduleEntries } from "../team/schedule-config.js";
import { RUN_JOB_OPTIONS } from "./enqueue-run.js";
import type { RunQueue } from "./run-queue.js";

/** A recurring run as the queue holds it. */
export interface ScheduleInfo {
  /** `<teamId>#<n>`: the n-th entry of the team's `schedule:`. */
  id: string;
  teamId: string;
  cron: string;
  timeZone: string;
  input: Record<string, unknown>;
  /** When the next run is queued, ms since the epoch. */
  nextRunAt?: number | undefined;
}

/**
 * Makes the queue's job schedulers match the `schedule:` of these teams: each entry becomes (or
 * updates) the scheduler `<teamId>#<n>`, and schedulers of these teams that their files no
 * longer declare are removed. Idempotent: every worker does it at start.
 * @returns the schedules of these teams now.
 */
export async function syncSchedules(
  queue: RunQueue,
  teams: Iterable<LLMTeam>,
): Promise<ScheduleInfo[]> {
  const wanted = new Set<string>();
  const owners = new Set<string>();
  for (const team of teams) {
    owners.add(team.teamId);
    for (const [index, entry] of scheduleEntries(team.toConfig().schedule).entries()) {
      const id = `${team.teamId}#${index}`;
      wanted.add(id);
      await queue.queue.upsertJobScheduler(
        id,
        { pattern: entry.cron, tz: entry.timeZone ?? "UTC" },
        {
          name: team.teamId,
          data: { teamId: team.teamId, input: entry.input ?? {} },
          opts: {
            attempts: RUN_JOB_OPTIONS.attempts,
            backoff: { ...RUN_JOB_OPTIONS.backoff },
            removeOnComplete: { ...RUN_JOB_OPTIONS.removeOnComplete },
            removeOnFail: { ...RUN_JOB_OPTIONS.removeOnFail },
          },
        },
      );
    }
  }
  for (const schedule of await listSchedules(queue)) {
    if (owners.has(schedule.teamId) && !wanted.has(schedule.id))
      await queue.queue.removeJobScheduler(schedule.id);
  }
  return (await listSchedules(queue)).filter((schedule) => owners.has(schedule.teamId));
}

/** Every recurring run of the queue, soonest first. */
export async function listSchedules(queue: RunQueue): Promise<ScheduleInfo[]> {
  const schedulers = await queue.queue.getJobSchedulers(0, -1, true);
  return schedulers
    .map((scheduler) => {
      const id = scheduler.id ?? scheduler.key;
      const data = scheduler.template?.data;
      return {
        id,
        teamId: data?.teamId ?? scheduler.name,
        cron: scheduler.pattern ?? (scheduler.every ? `every ${scheduler.every} ms` : ""),
        timeZone: scheduler.tz ?? "UTC",
        input: data?.input ?? {},
        nextRunAt: scheduler.next,
      };
    })
    .sort((left, right) => (left.nextRunAt ?? Infinity) - (right.nextRunAt ?? Infinity));
}
