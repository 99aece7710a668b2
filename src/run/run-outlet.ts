import type { StreamEvent } from "../events/stream-event.js";

/**
 * Where a run's events go besides its own fold, and who hears that the run ended: a stream's
 * channel, a parent run's log (a nested run), a handle's event log. Every field is optional;
 * `run()` passes an empty outlet, and a run nobody reads pays for nothing else.
 *
 * A run store plugs in here: `listen` sees every event as it is numbered, which is what a
 * store appends to persist the event log.
 */
export interface RunOutlet {
  /** Takes each event in order; a promise means back-pressure (the run waits for it). */
  readonly push?: (event: StreamEvent) => void | Promise<void>;
  /** Hears each event as it is made, synchronously (an event log, a store, a logger). */
  readonly listen?: (event: StreamEvent) => void;
  /** The run ended with a result (its terminal `run_*` event is out). */
  readonly close?: () => void;
  /** The run could not start (a planning error) or its engine threw. */
  readonly fail?: (error: unknown) => void;
}
