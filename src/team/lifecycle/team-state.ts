/**
 * The states of a team with an enforced lifecycle (`enforceLifecycle: true`), as in the seed.
 *
 * @example
 * if (team.state === TeamState.READY) await team.run("q");
 */
export const TeamState = {
  UNCONFIGURED: "unconfigured",
  CONFIGURING: "configuring",
  READY: "ready",
  RUNNING: "running",
  PAUSED: "paused",
  COMPLETED: "completed",
  FAILED: "failed",
} as const;

/** One of the {@link TeamState} values. */
export type TeamState = (typeof TeamState)[keyof typeof TeamState];

/**
 * The legal moves between states, exactly the seed's table. Anything else throws
 * `LifecycleError`.
 */
export const VALID_TRANSITIONS: Readonly<Record<TeamState, readonly TeamState[]>> = {
  unconfigured: ["configuring"],
  configuring: ["ready", "unconfigured"],
  ready: ["running", "configuring"],
  running: ["completed", "failed", "paused"],
  paused: ["running", "failed"],
  completed: ["ready", "configuring"],
  failed: ["ready", "configuring"],
};

/** True when the table allows going from `from` to `to`. */
export function canTransition(from: TeamState, to: TeamState): boolean {
  return VALID_TRANSITIONS[from].includes(to);
}
