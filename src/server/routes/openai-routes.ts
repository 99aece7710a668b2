import type { LLMTeam } from "../../team/llm-team.js";
import { defineRoute, type ApiRoute } from "../api-route.js";
import {
  chatCompletionBody,
  handleChatCompletion,
  type ChatCompletionBody,
} from "../openai/chat-completion.js";
import { mayUseTeam } from "../server-auth.js";

/** A team as an OpenAI `model` object. */
function modelOf(team: LLMTeam, created: number): Record<string, unknown> {
  return { id: team.teamId, object: "model", created, owned_by: "llmteam" };
}

/**
 * The OpenAI-compatible routes (docs/server.md, "OpenAI-compatible endpoint"):
 * `POST /v1/chat/completions` (a team id is the `model`) and `GET /v1/models`.
 */
export function openAIRoutes(): ApiRoute[] {
  const created = Math.floor(Date.now() / 1000);
  return [
    defineRoute({
      method: "GET",
      path: "/v1/models",
      summary: "OpenAI-compatible: the teams this key may use, as models (id = team id).",
      tag: "openai",
      scope: "read",
      responses: { 200: { description: '{ object: "list", data: [{ id, object: "model" }] }' } },
      handle({ server, principal, context }) {
        const data = server.teams
          .allTeams()
          .filter((team) => mayUseTeam(principal, team.teamId))
          .map((team) => modelOf(team, created));
        return context.json({ object: "list", data });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/v1/models/:model",
      summary: "OpenAI-compatible: one team as a model.",
      tag: "openai",
      scope: "read",
      teamOf: ({ params }) => params.model,
      responses: { 200: { description: "The model." }, 404: { description: "Unknown team." } },
      handle({ params, server, context }) {
        return context.json(modelOf(server.teams.team(params.model!), created));
      },
    }),
    defineRoute<ChatCompletionBody>({
      method: "POST",
      path: "/v1/chat/completions",
      summary:
        "OpenAI-compatible chat completion: runs the team named by model on the last user message; stream: true streams chat.completion.chunk objects.",
      tag: "openai",
      scope: "run",
      body: chatCompletionBody,
      responses: {
        200: {
          description:
            "A chat.completion, or with stream: true a text/event-stream of chat.completion.chunk objects ending with data: [DONE].",
        },
        402: { description: "The run stopped at a budget." },
        404: { description: "Unknown model (team id)." },
        422: { description: "Invalid body, or a team that cannot take a chat's input." },
        502: { description: "The run failed (x-should-retry: false)." },
      },
      handle: handleChatCompletion,
    }),
  ] as ApiRoute[];
}
