import type { JSONSchema7 } from "@ai-sdk/provider";
import type { PreparedAgent } from "../agents/llm-agent.js";
import type { ToolRegistry } from "../tools/tool-registry.js";

/** One tool an agent gets, as `team.listTools()` and `llmteam tools list` show it. */
export interface AgentToolInfo {
  name: string;
  description: string;
  /** `built-in`, `registered`, or the MCP server it comes from (`MCP server "files"`). */
  source: string;
  /** The JSON Schema of its arguments, as the model receives it. */
  parameters: JSONSchema7;
  /** True when calls ask the run's approver first (always or depending on the arguments). */
  needsApproval: boolean;
}

/** The tools of one agent (agents of nested teams have paths such as `research/searcher`). */
export interface AgentTools {
  agentPath: string;
  tools: AgentToolInfo[];
}

/** What {@link listAgentTools} reads of a team. */
export interface ToolListingTeam {
  readonly teamId: string;
  readonly tools: ToolRegistry;
  agentsForListing(): readonly PreparedAgent[];
  nestedTeamOf(agentId: string): ToolListingTeam | undefined;
}

/**
 * Every tool each agent of a team would get, nested teams' agents included: its own tools and
 * those of its MCP servers (which are started to list them).
 * @throws McpServerError when an MCP server cannot give its tools.
 */
export async function listAgentTools(
  team: ToolListingTeam,
  signal?: AbortSignal,
  prefix = "",
): Promise<AgentTools[]> {
  const listed: AgentTools[] = [];
  for (const agent of team.agentsForListing()) {
    const path = `${prefix}${agent.id}`;
    const nested = team.nestedTeamOf(agent.id);
    if (nested) {
      listed.push(...(await listAgentTools(nested, signal, `${path}/`)));
      continue;
    }
    const executor = agent.executor;
    if (!executor) {
      listed.push({ agentPath: path, tools: [] });
      continue;
    }
    if (executor.pending) await executor.load(signal);
    const tools = executor.names.map((name): AgentToolInfo => {
      const definition = executor.get(name)!;
      return {
        name,
        description: definition.description,
        source:
          executor.originOf(name) ?? (team.tools.isRegistered(name) ? "registered" : "built-in"),
        parameters: definition.jsonSchema,
        needsApproval: definition.needsApproval !== false,
      };
    });
    listed.push({ agentPath: path, tools });
  }
  return listed;
}
