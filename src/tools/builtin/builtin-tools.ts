import type { AnyToolDefinition } from "../tool-definition.js";
import { calculator } from "./calculator.js";
import { currentTime } from "./current-time.js";
import { httpFetch } from "./http-fetch.js";
import { jsonExtract } from "./json-extract.js";
import { knowledgeSearch } from "./knowledge-search.js";
import { listFiles } from "./list-files.js";
import { readFile } from "./read-file.js";

/**
 * Factories of the built-in tools. Each returns a fresh `ToolDefinition` configured by its
 * options; register it (`new LLMTeam({ tools: [...] })`) to use it by name from a team file.
 *
 * @example
 * const tools = [
 *   builtinTools.httpFetch({ allowHosts: ["api.example.com"] }),
 *   builtinTools.readFile({ root: "./knowledge" }),
 *   builtinTools.calculator(),
 * ];
 */
export const builtinTools = {
  calculator,
  currentTime,
  httpFetch,
  jsonExtract,
  knowledgeSearch,
  listFiles,
  readFile,
} as const;

/** Names of the built-in tools a team file can use without registering anything. */
export const BUILTIN_TOOL_NAMES = [
  "calculator",
  "current_time",
  "http_fetch",
  "json_extract",
  "knowledge_search",
  "list_files",
  "read_file",
] as const;

/** One of {@link BUILTIN_TOOL_NAMES}. */
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

const DEFAULT_FACTORIES: Record<BuiltinToolName, () => AnyToolDefinition> = {
  calculator: () => calculator(),
  current_time: () => currentTime(),
  http_fetch: () => httpFetch(),
  json_extract: () => jsonExtract(),
  knowledge_search: () => knowledgeSearch(),
  list_files: () => listFiles(),
  read_file: () => readFile(),
};

/** Whether `name` is a built-in tool name. */
export function isBuiltinToolName(name: string): name is BuiltinToolName {
  return Object.hasOwn(DEFAULT_FACTORIES, name);
}

/**
 * A built-in tool with its default options: `http_fetch` reaches any public host (never
 * private addresses), `read_file`/`list_files` are confined to the current directory without
 * hidden files, `current_time` defaults to UTC.
 */
export function createBuiltinTool(name: BuiltinToolName): AnyToolDefinition {
  return DEFAULT_FACTORIES[name]();
}
