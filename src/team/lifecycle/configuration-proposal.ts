import { ConfigError } from "../../errors/config-error.js";
import { LifecycleError } from "../../errors/lifecycle-error.js";
import { parseConfigChanges, type ConfigChange } from "./config-change.js";
import type { ConfigDiff } from "./config-diff.js";

/** Where a proposal stands. */
export const ProposalStatus = {
  PENDING: "pending",
  APPROVED: "approved",
  REJECTED: "rejected",
  APPLIED: "applied",
} as const;

/** One of the {@link ProposalStatus} values. */
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];

/** Options of {@link ConfigurationProposal}. */
export interface ConfigurationProposalOptions {
  /** Unique id in the team, e.g. `p-1`. */
  proposalId: string;
  /** The edits, applied in order, all or nothing. */
  changes: ConfigChange[];
  /** Why: shown to whoever approves. */
  reason: string;
}

/** A version of a team's configuration, recorded each time proposals are applied. */
export interface ConfigVersion {
  /** 1 is the configuration the team was built with; each apply adds one. */
  version: number;
  /** When, in ms since the epoch (the team's clock). */
  at: number;
  /** The proposals applied to make this version. */
  proposalIds: string[];
  /** What changed from the previous version. */
  diff: ConfigDiff;
}

/** How a proposal reaches the team it was added to (set by `TeamLifecycle.addProposal`). */
export interface ProposalOwner {
  apply(proposals: ConfigurationProposal[]): ConfigVersion;
  now(): number;
}

/** @internal Binds a proposal to its team's lifecycle. */
export const BIND_PROPOSAL = Symbol("llmteam.bindProposal");

/**
 * A proposed edit of a team's configuration: real changes (add, modify or remove an agent;
 * change a model, prompt, flow, budget or policy), checked against the config schema when
 * created, and again against the team when added to `team.lifecycle`. Nothing changes until
 * it is approved and applied.
 *
 * @example
 * const proposal = team.lifecycle.addProposal(new ConfigurationProposal({
 *   proposalId: "p-1",
 *   changes: [{ op: "updateAgent", agentId: "writer", set: { model: "openai/gpt-4o" } }],
 *   reason: "Better accuracy needed",
 * }));
 * proposal.approve("alice");
 * proposal.apply(); // team.configVersion is now 2
 * @throws ConfigError from the constructor when a change is malformed (naming `changes.N`).
 */
export class ConfigurationProposal {
  readonly proposalId: string;
  readonly changes: readonly ConfigChange[];
  readonly reason: string;
  private currentStatus: ProposalStatus = "pending";
  private owner: ProposalOwner | undefined;
  /** Who approved it, when `approve(by)` named someone. */
  approvedBy: string | undefined;
  /** Why it was rejected. */
  rejectionReason: string | undefined;
  /** When it was approved, rejected or applied last (ms since the epoch). */
  decidedAt: number | undefined;
  /** The config version it produced, once applied. */
  appliedVersion: number | undefined;

  constructor(options: ConfigurationProposalOptions) {
    if (typeof options.proposalId !== "string" || options.proposalId.length === 0) {
      throw new ConfigError([
        { path: ["proposalId"], message: "proposalId must be a non-empty string." },
      ]);
    }
    this.proposalId = options.proposalId;
    this.reason = options.reason ?? "";
    this.changes = Object.freeze(parseConfigChanges(options.changes));
  }

  /** pending, approved, rejected or applied. */
  get status(): ProposalStatus {
    return this.currentStatus;
  }

  /**
   * Approves a pending proposal. Approving does not change the team: `apply()` does.
   * @throws LifecycleError when it is not pending.
   */
  approve(by?: string): this {
    this.move(
      "approved",
      `Proposal "${this.proposalId}" is ${this.currentStatus}; only a pending proposal can be approved.`,
    );
    this.approvedBy = by;
    return this;
  }

  /**
   * Rejects a pending or approved proposal; it will never be applied.
   * @throws LifecycleError when it was rejected or applied already.
   */
  reject(reason: string): this {
    if (this.currentStatus !== "approved") {
      this.move(
        "rejected",
        `Proposal "${this.proposalId}" is ${this.currentStatus}; only a pending or approved proposal can be rejected.`,
      );
    } else this.currentStatus = "rejected";
    this.decidedAt = this.now();
    this.rejectionReason = reason;
    return this;
  }

  /**
   * Applies this approved proposal to its team: all of its changes or none. The team's
   * configuration is rebuilt and validated again, and `team.configVersion` goes up by one.
   * @throws LifecycleError when it is not approved or was never added to a team.
   * @throws ConfigError when the changes no longer fit the team (nothing is changed then).
   */
  apply(): ConfigVersion {
    if (!this.owner) {
      throw new LifecycleError(
        this.currentStatus,
        "applied",
        `Proposal "${this.proposalId}" belongs to no team.`,
        {
          hint: "Add it with team.lifecycle.addProposal(proposal) first.",
        },
      );
    }
    return this.owner.apply([this]);
  }

  /** A plain JSON form (id, status, changes, reason, decisions). */
  toJSON(): Record<string, unknown> {
    return {
      proposalId: this.proposalId,
      status: this.currentStatus,
      reason: this.reason,
      changes: this.changes,
      ...(this.approvedBy === undefined ? {} : { approvedBy: this.approvedBy }),
      ...(this.rejectionReason === undefined ? {} : { rejectionReason: this.rejectionReason }),
      ...(this.appliedVersion === undefined ? {} : { appliedVersion: this.appliedVersion }),
    };
  }

  /** @internal */
  [BIND_PROPOSAL](owner: ProposalOwner): void {
    if (this.owner && this.owner !== owner) {
      throw new LifecycleError(
        this.currentStatus,
        this.currentStatus,
        `Proposal "${this.proposalId}" belongs to another team already.`,
      );
    }
    this.owner = owner;
  }

  /** @internal Marks an approved proposal applied (by its lifecycle, once the team changed). */
  markApplied(version: number): void {
    this.currentStatus = "applied";
    this.appliedVersion = version;
    this.decidedAt = this.now();
  }

  private move(to: ProposalStatus, message: string): void {
    if (this.currentStatus !== "pending") throw new LifecycleError(this.currentStatus, to, message);
    this.currentStatus = to;
    this.decidedAt = this.now();
  }

  private now(): number {
    return this.owner ? this.owner.now() : Date.now();
  }
}
