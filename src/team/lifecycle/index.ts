export { TeamState, VALID_TRANSITIONS, canTransition } from "./team-state.js";
export { TeamLifecycle } from "./team-lifecycle.js";
export type { LifecycleTransition, TeamLifecycleOptions } from "./team-lifecycle.js";
export { ConfigurationProposal, ProposalStatus } from "./configuration-proposal.js";
export type { ConfigurationProposalOptions, ConfigVersion } from "./configuration-proposal.js";
export {
  applyConfigChanges,
  configChangeSchema,
  parseConfigChanges,
  validateTeamConfig,
} from "./config-change.js";
export type { ConfigChange } from "./config-change.js";
export { diffConfigs, formatConfigDiff } from "./config-diff.js";
export type { ConfigDiff, ConfigDiffEntry } from "./config-diff.js";
export { RunHandle } from "./run-handle.js";
export type { ApprovalRequest, RunState } from "./run-controller.js";
export { RUN_SNAPSHOT_VERSION, parseRunSnapshot } from "./run-snapshot.js";
export type { RunSnapshot } from "./run-snapshot.js";
export { ConfiguratorSession, configuratorReplySchema } from "./configurator-session.js";
export type { ConfiguratorReply, ConfigureOptions } from "./configurator-session.js";
export { updateTeamDocument } from "./update-team-document.js";
