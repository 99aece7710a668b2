import { z } from "zod";
import { ConfigError } from "../../errors/config-error.js";
import { configChangeSchema } from "../../team/lifecycle/config-change.js";
import {
  ConfigurationProposal,
  ProposalStatus,
} from "../../team/lifecycle/configuration-proposal.js";
import { hashConfig } from "../../team/lifecycle/run-snapshot.js";
import type { LLMTeam } from "../../team/llm-team.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { withLifecycle } from "../lifecycle-problem.js";
import { proposalBody, redactSecrets } from "../team-bodies.js";

const proposeBody = z.strictObject({
  changes: z
    .array(configChangeSchema, {
      error:
        "changes must be a list of configuration changes (addAgent, updateAgent, removeAgent, moveAgent, updateTeam).",
    })
    .min(1, "changes must name at least one change."),
  reason: z.string().optional().meta({ description: "Why: shown to whoever approves." }),
  proposalId: z
    .string()
    .regex(
      /^[A-Za-z0-9][\w.-]{0,63}$/,
      "proposalId must be 1 to 64 letters, digits, _, . or -, starting with a letter or digit.",
    )
    .optional()
    .meta({ description: "Default: the next free p-N." }),
});

const statuses = Object.values(ProposalStatus) as [ProposalStatus, ...ProposalStatus[]];
const listQuery = z.strictObject({ status: z.enum(statuses).optional() });
const rejectBody = z.strictObject({ reason: z.string().min(1, "reason must not be empty.") });

const teamOfParams = ({ params }: { params: Record<string, string> }) => params.teamId;

/** The proposal, or a 404 naming the team's proposals. */
function findProposal(team: LLMTeam, proposalId: string): ConfigurationProposal {
  const proposal = team.lifecycle.getProposal(proposalId);
  if (proposal) return proposal;
  const known = team.lifecycle.proposals.map((each) => each.proposalId);
  throw new HttpProblem(
    404,
    `Team "${team.teamId}" has no proposal "${proposalId}". ${known.length === 0 ? "It has no proposals." : `Its proposals: ${known.join(", ")}.`}`,
  );
}

/** A `ConfigError` of changes that do not fit the team as a problem with `status`, naming each issue. */
function configProblem(status: number, prefix: string, error: unknown): unknown {
  if (!ConfigError.isInstance(error)) return error;
  return new HttpProblem(status, `${prefix}: ${error.message}`, {
    extra: { issues: error.issues },
    cause: error,
  });
}

/** What applying a still-open proposal would change now, or why it no longer fits. */
function previewOf(team: LLMTeam, proposal: ConfigurationProposal): Record<string, unknown> {
  if (proposal.status !== "pending" && proposal.status !== "approved") return {};
  try {
    return { preview: redactSecrets(team.lifecycle.preview(proposal)) };
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return { previewIssues: error.issues };
  }
}

const proposalsPath = "/teams/:teamId/proposals";
const proposalPath = `${proposalsPath}/:proposalId`;

/** `GET /teams/:teamId/proposals`: a team's proposals, oldest first. */
const listProposals = defineRoute<undefined, z.output<typeof listQuery>>({
  method: "GET",
  path: proposalsPath,
  summary: "A team's configuration proposals, oldest first (?status= to filter).",
  tag: "proposals",
  scope: "read",
  teamOf: teamOfParams,
  query: listQuery,
  responses: { 200: { description: "{ teamId, configVersion, proposals: [...] }" } },
  handle({ params, query, server, context }) {
    const team = server.teams.team(params.teamId!);
    const proposals = team.lifecycle.proposals.filter(
      (proposal) => query.status === undefined || proposal.status === query.status,
    );
    return context.json({
      teamId: team.teamId,
      configVersion: team.configVersion,
      proposals: proposals.map((proposal) => proposalBody(team.teamId, proposal)),
    });
  },
});

/** `POST /teams/:teamId/proposals`: propose changes, checked against the team now. */
const proposeChanges = defineRoute<z.output<typeof proposeBody>>({
  method: "POST",
  path: proposalsPath,
  summary:
    "Propose configuration changes (addAgent, updateAgent, removeAgent, moveAgent, updateTeam), checked against the team now; nothing changes until approved and applied.",
  tag: "proposals",
  scope: "admin",
  teamOf: teamOfParams,
  body: proposeBody,
  responses: {
    201: { description: "The pending proposal, with the diff it would make (preview)." },
    409: { description: "A proposal with this id exists." },
    422: { description: "The changes do not fit the team (unknown agent, invalid value…)." },
  },
  handle({ params, body, server, context }) {
    const team = server.teams.team(params.teamId!);
    const proposalId = body.proposalId ?? team.lifecycle.nextProposalId();
    let proposal: ConfigurationProposal;
    try {
      proposal = withLifecycle(team.teamId, () =>
        team.lifecycle.addProposal(
          new ConfigurationProposal({
            proposalId,
            changes: body.changes,
            reason: body.reason ?? "",
          }),
        ),
      );
    } catch (error) {
      throw configProblem(422, `The changes do not fit team "${team.teamId}"`, error);
    }
    return context.json(
      { ...proposalBody(team.teamId, proposal), ...previewOf(team, proposal) },
      201,
      { location: `/teams/${team.teamId}/proposals/${proposal.proposalId}` },
    );
  },
});

/** `GET /teams/:teamId/proposals/:proposalId`: one proposal, an open one with its preview. */
const getProposal = defineRoute({
  method: "GET",
  path: proposalPath,
  summary: "One proposal; an open one with the diff it would make now (preview).",
  tag: "proposals",
  scope: "read",
  teamOf: teamOfParams,
  responses: { 200: { description: "The proposal." }, 404: { description: "Unknown id." } },
  handle({ params, server, context }) {
    const team = server.teams.team(params.teamId!);
    const proposal = findProposal(team, params.proposalId!);
    return context.json({
      ...proposalBody(team.teamId, proposal),
      ...previewOf(team, proposal),
    });
  },
});

/** `POST …/:proposalId/approve`: approve a pending proposal (applying is a separate step). */
const approveProposal = defineRoute({
  method: "POST",
  path: `${proposalPath}/approve`,
  summary:
    "Approve a pending proposal (by the API key's id). Approving changes nothing: apply does.",
  tag: "proposals",
  scope: "admin",
  teamOf: teamOfParams,
  responses: {
    200: { description: "The approved proposal." },
    409: { description: "Not pending (approved, rejected or applied already)." },
  },
  handle({ params, server, principal, context }) {
    const team = server.teams.team(params.teamId!);
    const proposal = findProposal(team, params.proposalId!);
    withLifecycle(team.teamId, () => proposal.approve(principal.keyId));
    return context.json(proposalBody(team.teamId, proposal));
  },
});

/** `POST …/:proposalId/reject`: reject a proposal with a reason; it is never applied. */
const rejectProposal = defineRoute<z.output<typeof rejectBody>>({
  method: "POST",
  path: `${proposalPath}/reject`,
  summary: "Reject a pending or approved proposal, with a reason; it will never be applied.",
  tag: "proposals",
  scope: "admin",
  teamOf: teamOfParams,
  body: rejectBody,
  responses: {
    200: { description: "The rejected proposal." },
    409: { description: "Rejected or applied already." },
  },
  handle({ params, body, server, context }) {
    const team = server.teams.team(params.teamId!);
    const proposal = findProposal(team, params.proposalId!);
    withLifecycle(team.teamId, () => proposal.reject(body.reason));
    return context.json(proposalBody(team.teamId, proposal));
  },
});

/** `POST …/:proposalId/apply`: apply an approved proposal as a new config version. */
const applyProposal = defineRoute({
  method: "POST",
  path: `${proposalPath}/apply`,
  summary:
    "Apply an approved proposal: all of its changes or none, as a new config version. A team that enforces its lifecycle must be configuring.",
  tag: "proposals",
  scope: "admin",
  teamOf: teamOfParams,
  responses: {
    200: {
      description: "{ proposal, version: { version, at, proposalIds, diff }, configHash }",
    },
    409: {
      description:
        "Not approved, the team is not configuring, or the changes no longer fit the team.",
    },
  },
  handle({ params, server, context }) {
    const team = server.teams.team(params.teamId!);
    const proposal = findProposal(team, params.proposalId!);
    let version;
    try {
      version = withLifecycle(team.teamId, () => proposal.apply());
    } catch (error) {
      throw configProblem(
        409,
        `Proposal "${proposal.proposalId}" no longer fits team "${team.teamId}" (nothing changed)`,
        error,
      );
    }
    return context.json({
      proposal: proposalBody(team.teamId, proposal),
      version: redactSecrets(version),
      configVersion: team.configVersion,
      configHash: hashConfig(team.toConfig()),
    });
  },
});

/** Routes of configuration proposals: propose, list, read, approve, reject, apply. */
export function proposalRoutes(): ApiRoute[] {
  return [
    listProposals,
    proposeChanges,
    getProposal,
    approveProposal,
    rejectProposal,
    applyProposal,
  ];
}
