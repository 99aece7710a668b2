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

/** What {@link listAgentTools} reads of a team: its registry, agents and nested teams. */
export interface ToolListingTeam {
  readonly tools: ToolRegistry;
  readonly prepared: readonly PreparedAgent[];
  readonly nestedTeams: ReadonlyMap<
    string,
    { listTools(signal?: AbortSignal): Promise<AgentTools[]> }
  >;
}

/**
 * Every tool each agent of a team would get, nested teams' agents included: its own tools and
 * those of its MCP servers (which are started to list them).
 * @throws McpServerError when an MCP server cannot give its tools.
 */
export async function listAgentTools(
  team: ToolListingTeam,
  signal?: AbortSignal,
): Promise<AgentTools[]> {
  const listed: AgentTools[] = [];
  for (const agent of team.prepared) {
    const nested = team.nestedTeams.get(agent.id);
    if (nested) {
      for (const inner of await nested.listTools(signal))
        listed.push({ ...inner, agentPath: `${agent.id}/${inner.agentPath}` });
      continue;
    }
    const path = agent.id;
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
