import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import * as z from "zod";
import { isZodSchema } from "../agents/structured-output.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { LLMTeam } from "../team/llm-team.js";
import { DEFAULT_INPUTS, inputsJsonSchema } from "../team/team-inputs.js";

/** One team as an MCP tool. */
export interface TeamTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** Present when the team's final output is structured (its last agent has an `outputSchema`). */
  outputSchema: Record<string, unknown> | undefined;
  team: LLMTeam;
}

/**
 * Describes each team as an MCP tool: named by its `teamId`, arguments from its declared
 * `inputs` (default `{ query: string }`), and an output schema when its sequential flow ends
 * with an agent that has an `outputSchema`.
 * @throws Error when two teams share a `teamId`.
 */
export function teamTools(teams: readonly LLMTeam[]): TeamTool[] {
  const seen = new Set<string>();
  return teams.map((team) => {
    if (seen.has(team.teamId))
      throw new Error(
        `Two teams have the teamId "${team.teamId}"; each MCP tool needs its own name.`,
      );
    seen.add(team.teamId);
    const config = team.toConfig();
    const agents = config.agents ?? [];
    const description =
      config.description ??
      `Runs the team "${config.name ?? team.teamId}" (agents: ${agents.map((agent) => agent.role).join(", ")}) and returns its final output.`;
    return {
      name: team.teamId,
      description,
      inputSchema: inputsJsonSchema(config.inputs ?? DEFAULT_INPUTS),
      outputSchema: finalOutputSchema(config),
      team,
    };
  });
}

function finalOutputSchema(
  config: ReturnType<LLMTeam["toConfig"]>,
): Record<string, unknown> | undefined {
  const sequential =
    (config.flow === undefined || config.flow === "sequential") && !config.orchestration;
  const last = config.agents?.at(-1);
  if (!sequential || last?.type !== "llm" || last.outputSchema === undefined) return undefined;
  const schema: unknown = isZodSchema(last.outputSchema)
    ? z.toJSONSchema(last.outputSchema, { io: "output", unrepresentable: "any" })
    : last.outputSchema;
  const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
  return rest.type === "object" ? rest : undefined;
}

/**
 * An MCP server (the SDK's low-level `Server`) whose tools are the teams. A call runs the team
 * with `team.stream()`: the run's `progress` events are sent as progress notifications when the
 * client asked for them, and the request's cancellation cancels the run. The result is the
 * final output as text, and as `structuredContent` when the team has an output schema; a run
 * that fails is an error result with its message.
 */
export async function createTeamMcpServer(
  tools: readonly TeamTool[],
  version: string,
): Promise<Server> {
  const { Server } = await import("@modelcontextprotocol/sdk/server/index.js");
  const { CallToolRequestSchema, ListToolsRequestSchema } =
    await import("@modelcontextprotocol/sdk/types.js");
  const server = new Server({ name: "llmteam", version }, { capabilities: { tools: {} } });
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema as { type: "object" },
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema as { type: "object" } } : {}),
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      return errorResult(
        `Unknown tool "${request.params.name}". Tools: ${[...byName.keys()].join(", ")}.`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    const stream = tool.team.stream(request.params.arguments ?? {}, { signal: extra.signal });
    try {
      for await (const event of stream as AsyncIterable<StreamEvent>) {
        if (event.type !== "progress" || progressToken === undefined) continue;
        const { completed, total, label } = event.data;
        await extra.sendNotification({
          method: "notifications/progress",
          params: {
            progressToken,
            progress: completed,
            ...(total === undefined ? {} : { total }),
            ...(label === undefined ? {} : { message: `${label} done` }),
          },
        });
      }
    } catch (error) {
      // A run that could not start (bad input): its result rejects with the same error.
      void stream.result.catch(() => undefined);
      return errorResult(error instanceof Error ? error.message : String(error));
    }
    const result = await stream.result;
    if (!result.success)
      return errorResult(`The run ${result.status}: ${result.error?.message ?? "unknown error"}`);
    const output: unknown = result.finalOutput;
    const text = typeof output === "string" ? output : JSON.stringify(output);
    return {
      content: [{ type: "text" as const, text }],
      ...(tool.outputSchema && isRecord(output) ? { structuredContent: output } : {}),
    };
  });
  return server;
}

function errorResult(message: string) {
  return { content: [{ type: "text" as const, text: message }], isError: true };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
