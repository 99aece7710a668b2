import type { TeamLifecycle } from "./team-lifecycle.js";
import type { TeamState } from "./team-state.js";

/** A team's lifecycle methods (`state`, `markConfiguring`, `markReady`…), over its {@link TeamLifecycle}. */
export abstract class LifecycleControls {
  /** The team's state machine, configuration proposals and versions (enforced with `enforceLifecycle`). */
  abstract readonly lifecycle: TeamLifecycle;

  /** The lifecycle state with `enforceLifecycle`; undefined without (the team runs freely). */
  get state(): TeamState | undefined {
    return this.lifecycle.enforced ? this.lifecycle.state : undefined;
  }

  /** The configuration version: 1 as built, plus one each time proposals are applied. */
  get configVersion(): number {
    return this.lifecycle.configVersion;
  }

  /**
   * Starts configuring: UNCONFIGURED, READY, COMPLETED or FAILED → CONFIGURING.
   * @throws ConfigError without `enforceLifecycle`. @throws LifecycleError from another state.
   */
  markConfiguring(reason?: string): this {
    this.lifecycle.assertEnforced("markConfiguring");
    this.lifecycle.markConfiguring(reason);
    return this;
  }

  /**
   * Declares the team ready to run: CONFIGURING, COMPLETED or FAILED → READY.
   * @throws ConfigError without `enforceLifecycle`.
   * @throws LifecycleError from another state, or with proposals pending or approved but not applied.
   */
  markReady(reason?: string): this {
    this.lifecycle.assertEnforced("markReady");
    this.lifecycle.markReady(reason);
    return this;
  }
}
