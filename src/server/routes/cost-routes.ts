import type { LLMTeam } from "../../team/llm-team.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import { runCostBody } from "../run-cost.js";
import { mayUseTeam } from "../server-auth.js";
import type { ServerContext } from "../server-context.js";

/** A run stored or live here (not stored yet): what the cost route needs of it, or a 404. */
async function runOf(
  server: ServerContext,
  runId: string,
): Promise<{ runId: string; teamId: string; status: string }> {
  const run = await server.store.getRun(runId);
  if (run) return run;
  const live = server.runs.get(runId);
  if (live) return { runId, teamId: live.teamId, status: live.handle.state };
  throw new HttpProblem(404, `Unknown run "${runId}". List runs with GET /runs.`);
}

/** A team's budgets now: period budgets in their windows (`llmteam budget status`) and run budgets. */
async function budgetsOf(team: LLMTeam): Promise<Record<string, unknown>> {
  const remaining = await team.remaining();
  return {
    teamId: team.teamId,
    remainingUsd: remaining.remainingUsd ?? null,
    periods: remaining.periods,
    run: remaining.run.map(({ runId: _none, ...budget }) => budget),
  };
}

/** Routes of cost and budgets: a run's cost, a team's budgets, every team's budgets. */
export function costRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/runs/:runId/cost",
      summary:
        "What a run cost, folded from its cost_update events (live: so far): total, by agent and model, tokens, unpriced models and agents.",
      tag: "cost",
      scope: "read",
      teamOf: async ({ params, server }) => (await runOf(server, params.runId!)).teamId,
      responses: { 200: { description: "The run's cost." }, 404: { description: "Unknown run." } },
      handle: async ({ params, server, context }) =>
        context.json(await runCostBody(server, await runOf(server, params.runId!))),
    }),
    defineRoute({
      method: "GET",
      path: "/teams/:teamId/budgets",
      summary:
        "A team's budgets now: each period budget's spend, holds and what is left in its window (as `llmteam budget status`), and its run budgets.",
      tag: "cost",
      scope: "read",
      teamOf: ({ params }) => params.teamId,
      responses: {
        200: { description: "{ teamId, remainingUsd, periods: [...], run: [...] }" },
        404: { description: "Unknown team." },
      },
      handle: async ({ params, server, context }) =>
        context.json(await budgetsOf(server.teams.team(params.teamId!))),
    }),
    defineRoute({
      method: "GET",
      path: "/budgets",
      summary: "The budgets of every team the API key may use (as GET /teams/{teamId}/budgets).",
      tag: "cost",
      scope: "read",
      responses: { 200: { description: "{ teams: [...] }" } },
      handle: async ({ server, principal, context }) => {
        const teams = server.teams.allTeams().filter((team) => mayUseTeam(principal, team.teamId));
        return context.json({ teams: await Promise.all(teams.map(budgetsOf)) });
      },
    }),
  ] as ApiRoute[];
}
