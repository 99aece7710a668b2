import type { RunPlan } from "../run/run-execution.js";
import type { RunOutlet } from "../run/run-outlet.js";
import type { RunResult } from "../run/run-result.js";
import { startRun } from "../run/start-run.js";
import { traceRunOutlet } from "../telemetry/run-trace.js";

/**
 * `startRun` for a group: traced when a tracer provider records spans (the group's span is the
 * root of its teams'), its plan keeping whether the run was observed before the trace listened.
 */
export function startTracedRun(
  name: string,
  plan: Promise<RunPlan>,
  outlet: RunOutlet = {},
): Promise<RunResult> {
  const traced = traceRunOutlet(name, outlet);
  if (!traced) return startRun(plan, outlet);
  const { observed } = traced;
  return startRun(
    plan.then((built) => ({ ...built, observed: built.observed ?? observed })),
    traced.outlet,
  );
}
