import type { ConfigurationProposal } from "../team/lifecycle/configuration-proposal.js";
import { hashConfig } from "../team/lifecycle/run-snapshot.js";
import type { LLMTeam } from "../team/llm-team.js";

/** What stands in for a secret in a team's configuration as the API shows it. */
export const REDACTED = "[redacted]";

/** Keys whose string value is a secret. */
const SECRET_KEYS = new Set(["apiKey"]);
/** Keys whose object holds secrets as values (HTTP headers, a process's environment). */
const SECRET_MAPS = new Set(["headers", "env"]);
/** `${VAR}`: a reference to the environment, not the secret itself. */
const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * A copy of configuration data with its secrets replaced by `[redacted]`: `apiKey` values and
 * the values of `headers` and `env` maps, unless they are `${VAR}` references (which stay, so
 * a configuration read over HTTP shows where its keys come from but never a key).
 */
export function redactSecrets(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item));
  if (typeof value !== "object" || value === null) {
    return key !== undefined && SECRET_KEYS.has(key) ? redactString(value) : value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (key !== undefined && SECRET_MAPS.has(key)) {
    return Object.fromEntries(entries.map(([name, item]) => [name, redactString(item)]));
  }
  return Object.fromEntries(entries.map(([name, item]) => [name, redactSecrets(item, name)]));
}

function redactString(value: unknown): unknown {
  return typeof value === "string" && !ENV_REFERENCE.test(value) ? REDACTED : value;
}

/** Links of a team's resources, relative to the server. */
export function teamLinks(teamId: string): Record<string, string> {
  return {
    self: `/teams/${teamId}`,
    runs: `/teams/${teamId}/runs`,
    proposals: `/teams/${teamId}/proposals`,
    budgets: `/teams/${teamId}/budgets`,
  };
}

/** A team as `GET /teams` lists it. */
export function teamSummary(team: LLMTeam): Record<string, unknown> {
  const config = team.toConfig();
  return {
    teamId: team.teamId,
    ...(config.name === undefined ? {} : { name: config.name }),
    description: config.description ?? null,
    state: team.state ?? null,
    enforceLifecycle: team.lifecycle.enforced,
    configVersion: team.configVersion,
    agents: team.agents.map((agent) => agent.id ?? agent.role),
    openProposals: team.lifecycle.proposals.filter(
      (proposal) => proposal.status === "pending" || proposal.status === "approved",
    ).length,
    links: teamLinks(team.teamId),
  };
}

/** A team as `GET /teams/:teamId` answers it: its configuration, version, hash, state and proposals. */
export function teamBody(team: LLMTeam): Record<string, unknown> {
  const config = team.toConfig();
  const { lifecycle } = team;
  return {
    ...teamSummary(team),
    configHash: hashConfig(config),
    config: redactSecrets(config),
    lifecycle: {
      enforced: lifecycle.enforced,
      state: team.state ?? null,
      history: lifecycle.history,
    },
    versions: lifecycle.versions.map((version) => redactSecrets(version)),
    proposals: lifecycle.proposals.map((proposal) => proposalBody(team.teamId, proposal)),
  };
}

/** A proposal as JSON (secrets in its changes redacted), with its links. */
export function proposalBody(
  teamId: string,
  proposal: ConfigurationProposal,
): Record<string, unknown> {
  const base = `/teams/${teamId}/proposals/${proposal.proposalId}`;
  const json = redactSecrets(proposal.toJSON()) as Record<string, unknown>;
  return {
    ...json,
    ...(proposal.decidedAt === undefined ? {} : { decidedAt: proposal.decidedAt }),
    links: {
      self: base,
      approve: `${base}/approve`,
      reject: `${base}/reject`,
      apply: `${base}/apply`,
    },
  };
}
