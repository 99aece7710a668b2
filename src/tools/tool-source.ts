import type { AnyToolDefinition } from "./tool-definition.js";

/**
 * Tools that are known only once something is asked (an MCP server lists them when it has
 * started). A `ToolExecutor` loads its sources before its first call, once.
 */
export interface ToolSource {
  /** Names the source in messages, e.g. `MCP server "files"`. */
  readonly label: string;
  /**
   * The source's tools.
   * @throws an LLMTeamError naming the source when it cannot give them.
   */
  load(signal?: AbortSignal): Promise<readonly AnyToolDefinition[]>;
}
