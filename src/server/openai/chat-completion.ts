import { z } from "zod";
import { ConfigError } from "../../errors/config-error.js";
import type { LLMTeam } from "../../team/llm-team.js";
import type { ApiRequest } from "../api-route.js";
import { HttpProblem } from "../http-problem.js";
import type { LiveRun } from "../live-runs.js";
import { mayUseTeam, type Principal } from "../server-auth.js";
import type { ServerContext } from "../server-context.js";
import { answeringAgentOf } from "./answering-agent.js";
import { ChatAnswer } from "./chat-answer.js";
import { chatInputMapping, chatMessageSchema, chatRunInput } from "./chat-input.js";
import { streamChatCompletion } from "./chat-stream.js";
import {
  chatCompletion,
  completionId,
  outputText,
  type CompletionIdentity,
} from "./openai-wire.js";
import { runFailureProblem } from "./run-failure-problem.js";

/**
 * The body of `POST /v1/chat/completions`. OpenAI's other fields (`temperature`, `max_tokens`,
 * `user`, `metadata`, …) are accepted and ignored: a team's agents bring their own settings.
 */
export const chatCompletionBody = z.looseObject({
  model: z.string({ error: "model must be a team id (GET /v1/models lists them)." }).min(1),
  messages: z
    .array(chatMessageSchema, { error: "messages must be a list of { role, content }." })
    .min(1, "messages must not be empty."),
  stream: z.boolean({ error: "stream must be true or false." }).nullish(),
  stream_options: z
    .looseObject(
      { include_usage: z.boolean().nullish() },
      { error: "stream_options must be an object." },
    )
    .nullish(),
  n: z.literal(1, { error: "n must be 1: a team gives one answer per run." }).nullish(),
  tools: z
    .array(z.unknown())
    .max(0, "tools are not supported: a team's agents use the tools the team declares.")
    .nullish(),
});

/** The body of a chat completion request, validated. */
export type ChatCompletionBody = z.output<typeof chatCompletionBody>;

const ABANDONED = "The client of POST /v1/chat/completions went away.";

/**
 * `POST /v1/chat/completions`: runs the team named by `model` on the chat's last user message
 * and answers in OpenAI's wire format, plain or streamed (docs/server.md, "OpenAI-compatible
 * endpoint"). The run is started like any other (stored, listed by `GET /runs`); a client that
 * goes away before it ends cancels it.
 */
export async function handleChatCompletion({
  body,
  server,
  principal,
  context,
}: ApiRequest<ChatCompletionBody>): Promise<Response> {
  const team = chatTeam(server, principal, body.model);
  const input = chatRunInput(chatInputMapping(team.teamId, team.toConfig().inputs), body.messages);
  try {
    team.validate(Object.keys(input));
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    throw new HttpProblem(
      422,
      `Team "${team.teamId}" cannot run on a chat's input: ${error.message}`,
      { extra: { issues: error.issues }, cause: error },
    );
  }
  const { live } = await server.runs.start(team, input, { keyId: principal.keyId });
  const identity: CompletionIdentity = {
    id: completionId(live!.runId),
    model: team.teamId,
    created: Math.floor(server.clock.now() / 1000),
  };
  const abandon = () => {
    if (live!.handle.state === "completed" || live!.handle.state === "failed") return;
    void live!.handle.cancel(ABANDONED).catch(() => undefined);
  };
  const answeringAgent = answeringAgentOf(team);
  if (body.stream === true) {
    return streamChatCompletion({
      live: live!,
      identity,
      answer: new ChatAnswer(answeringAgent && `${team.teamId}/${answeringAgent}`),
      includeUsage: body.stream_options?.include_usage === true,
      heartbeatMs: server.settings.heartbeatMs,
      onAbandon: abandon,
    });
  }
  return plainCompletion(live!, identity, context.req.raw.signal, abandon);
}

async function plainCompletion(
  live: LiveRun,
  identity: CompletionIdentity,
  signal: AbortSignal,
  abandon: () => void,
): Promise<Response> {
  signal.addEventListener("abort", abandon, { once: true });
  try {
    const result = await live.handle.result;
    if (!result.success) return runFailureProblem(result).toResponse();
    return Response.json(chatCompletion(identity, outputText(result.finalOutput), result.usage), {
      headers: { "x-llmteam-run-id": live.runId },
    });
  } finally {
    signal.removeEventListener("abort", abandon);
  }
}

/**
 * The team a chat names as its `model`.
 * @throws HttpProblem 403 when the key may not use it, 404 naming the models the key may use.
 */
function chatTeam(server: ServerContext, principal: Principal, model: string): LLMTeam {
  if (server.teams.hasTeam(model)) {
    if (!mayUseTeam(principal, model))
      throw new HttpProblem(403, `This API key may not use team "${model}".`);
    return server.teams.team(model);
  }
  const usable = server.teams
    .allTeams()
    .map((team) => team.teamId)
    .filter((teamId) => mayUseTeam(principal, teamId))
    .sort();
  throw new HttpProblem(
    404,
    `Unknown model "${model}": a model is a team id. ${usable.length === 0 ? "This key may use no team." : `Models: ${usable.join(", ")}.`}`,
  );
}
