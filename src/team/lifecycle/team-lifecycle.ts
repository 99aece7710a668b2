import { ConfigError, type ConfigIssue } from "../../errors/config-error.js";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import { systemClock, type Clock } from "../../internal/clock.js";
import type { TeamConfig } from "../team-config.js";
import { applyConfigChanges, type ConfigChange } from "./config-change.js";
import { diffConfigs, type ConfigDiff } from "./config-diff.js";
import {
  BIND_PROPOSAL,
  type ConfigurationProposal,
  type ConfigVersion,
  type ProposalOwner,
} from "./configuration-proposal.js";
import { canTransition, VALID_TRANSITIONS, type TeamState } from "./team-state.js";

/** One recorded change of state. */
export interface LifecycleTransition {
  from: TeamState;
  to: TeamState;
  /** When, in ms since the epoch (the team's clock). */
  at: number;
  reason?: string;
}

/** Options of {@link TeamLifecycle}. */
export interface TeamLifecycleOptions {
  /** Enforce the states on runs and configuration (default false: the team runs freely). */
  enforced?: boolean;
  /** Time source for `at` stamps (default: the system clock). */
  clock?: Clock;
  /** Name used in messages (default `team`). */
  teamId?: string;
  /** Reads the team's configuration (needed for proposals). */
  read?: () => TeamConfig;
  /** Replaces the team's configuration at once; throws, changing nothing, when it is invalid. */
  write?: (config: TeamConfig) => void;
  /**
   * Checks a changed configuration against what the team has beyond the schema (the tools its
   * agents name), so a proposal that could not be applied is refused when it is made.
   */
  check?: (config: TeamConfig) => ConfigIssue[];
}

/**
 * The opt-in state machine of a team (the seed's RFC-014) and the keeper of its configuration
 * proposals and versions. `team.lifecycle` is one; it enforces states only when the team was
 * created with `enforceLifecycle: true`. Transitions follow {@link VALID_TRANSITIONS}.
 *
 * @example
 * const team = new LLMTeam({ teamId: "prod", enforceLifecycle: true, model: "openai/gpt-4o-mini" });
 * team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
 * team.markConfiguring();
 * team.markReady();
 * await team.run("hello"); // team.state === "completed"
 * team.lifecycle.history; // [{ from: "unconfigured", to: "configuring", at, reason }, …]
 */
export class TeamLifecycle {
  readonly enforced: boolean;
  private current: TeamState = "unconfigured";
  private readonly transitions: LifecycleTransition[] = [];
  private readonly allProposals: ConfigurationProposal[] = [];
  private readonly configVersions: ConfigVersion[] = [];
  private readonly listeners = new Set<(transition: LifecycleTransition) => void>();
  private readonly clock: Clock;
  private readonly teamId: string;
  private readonly owner: ProposalOwner;
  private activeRun: string | undefined;
  private proposalCount = 0;

  constructor(private readonly options: TeamLifecycleOptions = {}) {
    this.enforced = options.enforced ?? false;
    this.clock = options.clock ?? systemClock;
    this.teamId = options.teamId ?? "team";
    this.owner = { apply: (proposals) => this.apply(proposals), now: () => this.clock.now() };
  }

  /** The current state. */
  get state(): TeamState {
    return this.current;
  }

  /** Every transition so far, oldest first. */
  get history(): readonly LifecycleTransition[] {
    return this.transitions;
  }

  /** True when the table allows moving to `to` now. */
  canTransition(to: TeamState): boolean {
    return canTransition(this.current, to);
  }

  /**
   * Moves to another state and records it.
   * @throws LifecycleError `{ from, to }` for a move the table does not allow, naming the legal ones.
   */
  transition(to: TeamState, reason?: string): LifecycleTransition {
    const from = this.current;
    if (!canTransition(from, to)) {
      const legal = VALID_TRANSITIONS[from];
      throw new LifecycleError(
        from,
        to,
        `Team "${this.teamId}" cannot go from "${from}" to "${to}". From "${from}" it can go to: ${legal.join(", ")}.`,
      );
    }
    this.current = to;
    const transition: LifecycleTransition = {
      from,
      to,
      at: this.clock.now(),
      ...(reason === undefined ? {} : { reason }),
    };
    this.transitions.push(transition);
    for (const listener of this.listeners) listener(transition);
    return transition;
  }

  /** Calls `listener` after every transition. Returns a function that removes it. */
  onTransition(listener: (transition: LifecycleTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Throws unless the lifecycle is enforced: `mark*` calls mean nothing on a free team.
   * @throws ConfigError naming `enforceLifecycle: true`.
   */
  assertEnforced(call: string): void {
    if (this.enforced) return;
    throw new ConfigError(
      `Team "${this.teamId}" does not enforce a lifecycle, so ${call}() has nothing to do. Create it with new LLMTeam({ teamId: "${this.teamId}", enforceLifecycle: true, ... }) to use states.`,
    );
  }

  /**
   * UNCONFIGURED, COMPLETED, FAILED or READY → CONFIGURING.
   * @throws LifecycleError from any other state.
   */
  markConfiguring(reason?: string): void {
    if (this.current === "running" || this.current === "paused") {
      throw new LifecycleError(
        this.current,
        "configuring",
        `Team "${this.teamId}" is ${this.current} (run "${this.activeRun}").`,
        {
          hint: "Wait for the run to end (or cancel it), then call team.markConfiguring().",
        },
      );
    }
    this.transition("configuring", reason);
  }

  /**
   * CONFIGURING, COMPLETED or FAILED → READY.
   * @throws LifecycleError from another state, or while proposals are pending or approved but not applied.
   */
  markReady(reason?: string): void {
    const open = this.allProposals.filter(
      (proposal) => proposal.status === "pending" || proposal.status === "approved",
    );
    if (open.length > 0) {
      const list = open
        .map((proposal) => `"${proposal.proposalId}" (${proposal.status})`)
        .join(", ");
      throw new LifecycleError(
        this.current,
        "ready",
        `Team "${this.teamId}" has open configuration proposals: ${list}.`,
        {
          hint: "Approve and apply them (team.lifecycle.applyApproved()) or reject them before team.markReady().",
        },
      );
    }
    if (this.current === "unconfigured") {
      throw new LifecycleError("unconfigured", "ready", `Team "${this.teamId}" is unconfigured.`, {
        hint: "Call team.markConfiguring() first, then team.markReady().",
      });
    }
    this.transition("ready", reason);
  }

  /**
   * With enforcement: throws unless the team is READY, saying which call is missing.
   * Without enforcement: does nothing.
   * @throws LifecycleError `{ from: state, to: "running" }`.
   */
  assertCanRun(): void {
    if (!this.enforced || this.current === "ready") return;
    const hints: Record<TeamState, string> = {
      unconfigured: "Call team.markConfiguring() and then team.markReady() before running it.",
      configuring: "Call team.markReady() before running it.",
      ready: "",
      running: `Run "${this.activeRun}" is in progress: a team with enforceLifecycle runs one run at a time. Wait for it to end, then call team.markReady().`,
      paused: `Run "${this.activeRun}" is paused: resume or cancel it, then call team.markReady().`,
      completed:
        "Call team.markReady() to run it again (or team.markConfiguring() to change it first).",
      failed:
        "Call team.markReady() to run it again (or team.markConfiguring() to change it first).",
    };
    throw new LifecycleError(
      this.current,
      "running",
      `Team "${this.teamId}" is ${this.current}, not ready, so it cannot run.`,
      { hint: hints[this.current] },
    );
  }

  /**
   * READY → RUNNING for one run (with enforcement). Synchronous, so two runs never both start.
   * @throws LifecycleError when the team is not READY.
   */
  beginRun(runId: string): void {
    if (!this.enforced) return;
    this.assertCanRun();
    this.transition("running", `run ${runId} started`);
    this.activeRun = runId;
  }

  /**
   * RUNNING or PAUSED → COMPLETED or FAILED: the end of the run that `beginRun` started.
   * @throws LifecycleError for a move the table does not allow.
   */
  endRun(to: "completed" | "failed", reason?: string): void {
    if (!this.enforced) return;
    this.transition(to, reason);
    this.activeRun = undefined;
  }

  /**
   * With enforcement: throws unless the configuration may change now (UNCONFIGURED or CONFIGURING).
   * @throws LifecycleError naming `team.markConfiguring()`.
   */
  assertConfigurable(action: string): void {
    if (!this.enforced || this.current === "unconfigured" || this.current === "configuring") return;
    const busy = this.current === "running" || this.current === "paused";
    throw new LifecycleError(
      this.current,
      "configuring",
      `Cannot ${action}: team "${this.teamId}" is ${this.current}.`,
      {
        hint: busy
          ? "Wait for the run to end, then call team.markConfiguring()."
          : "Call team.markConfiguring() first.",
      },
    );
  }

  /** All proposals added, in order. */
  get proposals(): readonly ConfigurationProposal[] {
    return this.allProposals;
  }

  /** Proposals waiting for a decision. */
  get pendingProposals(): ConfigurationProposal[] {
    return this.allProposals.filter((proposal) => proposal.status === "pending");
  }

  /** The proposal with this id, if any. */
  getProposal(proposalId: string): ConfigurationProposal | undefined {
    return this.allProposals.find((proposal) => proposal.proposalId === proposalId);
  }

  /** A fresh proposal id for this team: `p-1`, `p-2`… */
  nextProposalId(): string {
    let id: string;
    do id = `p-${++this.proposalCount}`;
    while (this.getProposal(id));
    return id;
  }

  /**
   * Adds a proposal after checking that its changes fit the team's configuration as it is now.
   * @throws ConfigError when the changes do not fit (unknown agent, duplicate role, invalid value).
   * @throws LifecycleError for a duplicate proposal id.
   */
  addProposal(proposal: ConfigurationProposal): ConfigurationProposal {
    if (this.getProposal(proposal.proposalId)) {
      throw new LifecycleError(
        proposal.status,
        "pending",
        `Team "${this.teamId}" has a proposal "${proposal.proposalId}" already. Proposal ids must be unique.`,
      );
    }
    this.preview(proposal);
    proposal[BIND_PROPOSAL](this.owner);
    this.allProposals.push(proposal);
    return proposal;
  }

  /**
   * What applying the proposal would change, without changing anything.
   * @throws ConfigError when the changes do not fit the team's configuration.
   */
  preview(proposal: ConfigurationProposal): ConfigDiff {
    const before = this.read();
    return diffConfigs(before, this.applyChecked(before, proposal.changes));
  }

  /**
   * The configuration these changes would make, checked against the schema and the team (e.g.
   * every tool named exists), without changing anything.
   * @throws ConfigError naming each problem (`changes.N` or the config key) and what is valid.
   */
  checkChanges(changes: readonly ConfigChange[]): TeamConfig {
    return this.applyChecked(this.read(), changes);
  }

  private applyChecked(config: TeamConfig, changes: readonly ConfigChange[]): TeamConfig {
    const next = applyConfigChanges(config, changes);
    const issues = this.options.check?.(next) ?? [];
    if (issues.length > 0) throw new ConfigError(issues);
    return next;
  }

  /** Approves every pending proposal. Returns them. */
  approveAll(by?: string): ConfigurationProposal[] {
    return this.pendingProposals.map((proposal) => proposal.approve(by));
  }

  /**
   * Applies every approved proposal, in the order they were added, as one new version: all
   * or nothing. Returns the new version, or undefined when nothing was approved.
   * @throws ConfigError when the changes together do not make a valid team (nothing changes).
   * @throws LifecycleError with enforcement, unless the team is UNCONFIGURED or CONFIGURING.
   */
  applyApproved(): ConfigVersion | undefined {
    const approved = this.allProposals.filter((proposal) => proposal.status === "approved");
    return approved.length === 0 ? undefined : this.apply(approved);
  }

  /** The configuration version: 1 as built, plus one per apply. */
  get configVersion(): number {
    return this.configVersions.length + 1;
  }

  /** Every version made by applying proposals, oldest first. */
  get versions(): readonly ConfigVersion[] {
    return this.configVersions;
  }

  private apply(proposals: ConfigurationProposal[]): ConfigVersion {
    for (const proposal of proposals) {
      if (proposal.status !== "approved") {
        const hint =
          proposal.status === "pending" ? { hint: "Call proposal.approve() first." } : {};
        throw new LifecycleError(
          proposal.status,
          "applied",
          `Proposal "${proposal.proposalId}" is ${proposal.status}; only an approved proposal can be applied.`,
          hint,
        );
      }
    }
    this.assertConfigurable(
      `apply proposals ${proposals.map((proposal) => `"${proposal.proposalId}"`).join(", ")}`,
    );
    const before = this.read();
    let after = before;
    for (const proposal of proposals) {
      try {
        after = this.applyChecked(after, proposal.changes);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        throw new ConfigError(
          error.issues.map((issue) => ({
            ...issue,
            message: `Proposal "${proposal.proposalId}": ${issue.message}`,
          })),
          { cause: error },
        );
      }
    }
    this.options.write!(after);
    const version: ConfigVersion = {
      version: this.configVersion + 1,
      at: this.clock.now(),
      proposalIds: proposals.map((proposal) => proposal.proposalId),
      diff: diffConfigs(before, after),
    };
    this.configVersions.push(version);
    for (const proposal of proposals) proposal.markApplied(version.version);
    return version;
  }

  private read(): TeamConfig {
    if (!this.options.read || !this.options.write) {
      throw new ConfigError(
        "This lifecycle belongs to no team: use team.lifecycle to work with configuration proposals.",
      );
    }
    return this.options.read();
  }

  /** @internal The run in progress, when enforced. */
  get activeRunId(): string | undefined {
    return this.activeRun;
  }
}
