import { z } from "zod";
import { ConfigError } from "../../errors/config-error.js";
import { LLMTeam } from "../../team/llm-team.js";
import type { TeamConfig } from "../../team/team-config.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { withLifecycle } from "../lifecycle-problem.js";
import { checkPostedConfig } from "../posted-config.js";
import { assertTeamAllowed, mayUseTeam } from "../server-auth.js";
import type { ServerContext } from "../server-context.js";
import { teamBody, teamLinks, teamSummary } from "../team-bodies.js";
import { proposalRoutes } from "./proposal-routes.js";

const configSchema = z
  .record(z.string(), z.unknown(), {
    error:
      "config must be a team configuration: an object with teamId and agents, as in a team file.",
  })
  .meta({
    description:
      "A team configuration, as in a team file (its JSON Schema: `llmteam schema`): teamId, agents, model, flow, budgets…",
  });

const validateBody = z.strictObject({ config: configSchema });

const createBody = z.strictObject({
  config: configSchema,
  enforceLifecycle: z.boolean().optional().meta({
    description:
      'Enforce the lifecycle (default false): the team starts "configuring", runs only when "ready", one run at a time.',
  }),
});

const stateBody = z.strictObject({
  state: z.enum(["configuring", "ready"], {
    error: 'state must be "configuring" (to change the team) or "ready" (to run it).',
  }),
  reason: z.string().optional(),
});

const teamOfParams = ({ params }: { params: Record<string, string> }) => params.teamId;

/**
 * Builds a team from a posted configuration with the server's runtime parts and run store.
 * @throws HttpProblem 422 naming every problem (as `POST /validate` lists them).
 */
function buildTeam(
  server: ServerContext,
  config: Record<string, unknown>,
  enforceLifecycle: boolean,
): LLMTeam {
  const checked = checkPostedConfig(config, server.teamRuntime);
  const errors = [...checked.errors];
  if (config.runStore !== undefined) {
    errors.push({
      path: ["runStore"],
      message:
        "A team created over HTTP keeps its runs in the server's run store: remove runStore.",
    });
  }
  if (errors.length > 0) {
    const problem = new ConfigError(errors);
    throw new HttpProblem(422, `Invalid team configuration: ${problem.message}`, {
      extra: { errors, warnings: checked.warnings },
    });
  }
  return LLMTeam.fromConfig(config as TeamConfig, {
    ...server.teamRuntime,
    runStore: server.store,
    enforceLifecycle,
  });
}

/** `GET /teams`: the served teams the API key may use. */
const listTeams = defineRoute({
  method: "GET",
  path: "/teams",
  summary:
    "The served teams the API key may use: id, description, lifecycle state, config version, agents.",
  tag: "teams",
  scope: "read",
  responses: { 200: { description: "{ teams: [...] }" } },
  handle: ({ server, principal, context }) =>
    context.json({
      teams: server.teams
        .allTeams()
        .filter((team) => mayUseTeam(principal, team.teamId))
        .map(teamSummary),
    }),
});

/** `POST /validate`: check a team configuration; changes nothing. */
const validateConfig = defineRoute<z.output<typeof validateBody>>({
  method: "POST",
  path: "/validate",
  summary:
    "Check a team configuration as `llmteam validate` does: 200 with { valid, errors, warnings }, each with its path. Changes nothing.",
  tag: "teams",
  scope: "read",
  body: validateBody,
  responses: { 200: { description: "{ valid, errors: [{ path, message }], warnings }" } },
  handle: ({ body, server, context }) =>
    context.json(checkPostedConfig(body.config, server.teamRuntime)),
});

/** `POST /teams`: create a team from a configuration. */
const createTeam = defineRoute<z.output<typeof createBody>>({
  method: "POST",
  path: "/teams",
  summary:
    'Create a team from a configuration (kept while the server runs). With "enforceLifecycle": true it starts "configuring": change it with proposals, then POST /teams/{teamId}/state {"state":"ready"} to run it.',
  tag: "teams",
  scope: "admin",
  body: createBody,
  responses: {
    201: { description: "The team, as GET /teams/{teamId} answers it." },
    409: { description: "A team with this id is served already." },
    422: { description: "The configuration is invalid: errors and warnings as in /validate." },
  },
  handle({ body, server, principal, context }) {
    const teamId = body.config.teamId;
    if (typeof teamId === "string") assertTeamAllowed(principal, teamId);
    if (typeof teamId === "string" && server.teams.hasTeam(teamId)) {
      throw new HttpProblem(
        409,
        `Team "${teamId}" is served already; change it with POST /teams/${teamId}/proposals.`,
      );
    }
    const enforced = body.enforceLifecycle ?? false;
    const team = buildTeam(server, body.config, enforced);
    if (enforced) team.markConfiguring("created with POST /teams");
    server.teams.addTeam(team);
    server.log(`llmteam serve: team "${team.teamId}" created over HTTP.`);
    return context.json(teamBody(team), 201, { location: teamLinks(team.teamId).self! });
  },
});

/** `GET /teams/:teamId`: a team with its configuration, state, versions and proposals. */
const getTeam = defineRoute({
  method: "GET",
  path: "/teams/:teamId",
  summary:
    "A team: its configuration (secrets redacted), config version and hash, lifecycle state and history, versions, proposals.",
  tag: "teams",
  scope: "read",
  teamOf: teamOfParams,
  responses: { 200: { description: "The team." }, 404: { description: "Unknown team." } },
  handle: ({ params, server, context }) =>
    context.json(teamBody(server.teams.team(params.teamId!))),
});

/** `POST /teams/:teamId/state`: move a team that enforces its lifecycle to configuring or ready. */
const setTeamState = defineRoute<z.output<typeof stateBody>>({
  method: "POST",
  path: "/teams/:teamId/state",
  summary:
    'Move a team that enforces its lifecycle to "configuring" (to apply proposals) or "ready" (to run).',
  tag: "teams",
  scope: "admin",
  teamOf: teamOfParams,
  body: stateBody,
  responses: {
    200: { description: "The team, in its new state." },
    409: { description: "The lifecycle does not allow it now (the detail says what to do)." },
  },
  handle({ params, body, server, context }) {
    const team = server.teams.team(params.teamId!);
    if (!team.lifecycle.enforced) {
      throw new HttpProblem(
        409,
        `Team "${team.teamId}" does not enforce a lifecycle: it runs freely and its proposals apply at any time. Create it with POST /teams and "enforceLifecycle": true to use states.`,
      );
    }
    withLifecycle(team.teamId, () =>
      body.state === "ready" ? team.markReady(body.reason) : team.markConfiguring(body.reason),
    );
    return context.json(teamBody(team));
  },
});

/** Routes of teams: list, read, validate, create, lifecycle state, and configuration proposals. */
export function teamRoutes(): ApiRoute[] {
  return [listTeams, validateConfig, createTeam, getTeam, setTeamState, ...proposalRoutes()];
}
