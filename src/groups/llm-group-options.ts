import type { LLMTeam } from "../team/llm-team.js";
import type { OrchestratorConfig } from "../router/orchestrator-config.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import type { GroupConfig, GroupRole, TeamRole } from "./group-config.js";

/** A team and its part in a group. */
export interface GroupTeamEntry {
  team: LLMTeam;
  /** Default `member`. */
  role?: TeamRole;
}

/** Options of `new LLMGroup(...)`. */
export interface LLMGroupOptions extends TeamRuntimeOptions {
  groupId: string;
  name?: string;
  description?: string;
  /** How the group coordinates its teams (default `report_collector`). */
  role?: GroupRole;
  /** The teams: a team alone is a `member`. */
  teams?: (LLMTeam | GroupTeamEntry)[];
  /** The orchestrator's model when `orchestrator.model` is not set (router, arbiter). */
  model?: string;
  /** The model that routes (router) or judges (arbiter), its prompt and its limits. */
  orchestrator?: OrchestratorConfig;
  /** Stop the group after this many ms (status `timeout`). */
  timeoutMs?: number;
  /** Retries of the orchestrator's model calls (default: 3, exponential backoff); `false` turns them off. */
  retryPolicy?: GroupConfig["retryPolicy"];
  /** Circuit breaker around the orchestrator's model calls (off unless set). */
  circuitBreaker?: GroupConfig["circuitBreaker"];
  /**
   * Providers of the orchestrator's model (and, in a group file, of its inline teams). Providers
   * the teams declare are inherited too: the group's own win over a team's of the same name.
   */
  providers?: GroupConfig["providers"];
  /**
   * What the group does when a `leader` or `specialist` team escalates to it (its run failed,
   * or its output asks with `escalate: true`): `{ reroute: <teamId> }` runs that team in its
   * place, `abort` (default) fails the group (see docs/orchestration.md, "Escalation").
   */
  escalation?: GroupConfig["escalation"];
  /** Aggregator: merges the teams' outputs (default: objects merged, text joined under headings). */
  aggregate?: (outputs: Record<string, unknown>) => unknown;
}
