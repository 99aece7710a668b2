// Public names of groups: teams of teams with an orchestrator.
export { LLMGroup, GroupOrchestrator } from "./llm-group.js";
export type { GroupTeamEntry, LLMGroupOptions } from "./llm-group.js";
export { groupConfigSchema } from "./group-config.js";
export type { GroupConfig, GroupRole, TeamRole } from "./group-config.js";
export type { GroupResult, GroupTeamError } from "./group-result.js";
export { GroupStream } from "./group-stream.js";
export { loadGroup, loadTeamOrGroup, parseGroupText, readGroupFile } from "./load-group.js";
