import type { RunApprover, RunExecution } from "../run/run-execution.js";
import type { RunJournal } from "../run/run-journal.js";
import type { RunReplay } from "../run/run-replay.js";
import type { RunController } from "./lifecycle/run-controller.js";

/** How a run is started: what the entry point (`run`, `stream`, `start`, a parent run) adds to its plan. */
export interface RunLaunch {
  /** Stops the run; the plan's signal joins it with the caller's. */
  controller: AbortController;
  /** The team's lifecycle around the run (absent when the lifecycle is not enforced). */
  control?: RunController;
  /** Set when the run is a step of another run. */
  nested?: NestedRunSettings;
  /**
   * Whether someone reads the run's events as they happen, when the outlet alone would say
   * otherwise (a tracer listening does not make a `run()` stream its model calls).
   */
  observed?: boolean;
  /** Writes the run to the team's run store (a top-level run of a team with one). */
  journal?: RunJournal;
  /** The stored run this run resumes. */
  replay?: RunReplay;
}

/** What a nested run takes from its parent run. */
export interface NestedRunSettings {
  /** Prefix of the nested run's agent paths, `<parent prefix>/<agent id>`. */
  readonly pathPrefix: string;
  /** The parent's step-boundary gate (pauses the nested run with its parent). */
  readonly gate?: ((execution: RunExecution) => Promise<void>) | undefined;
  readonly approver?: RunApprover | undefined;
  /** Whether the parent's events are read as they happen. */
  readonly observed: boolean;
  /** The parent shares the cost tracker's run: the parent ends it, not the nested run. */
  readonly parentEndsCost: boolean;
}
