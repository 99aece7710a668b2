import { open } from "node:fs/promises";
import { loadYaml } from "../internal/load-yaml.js";
import type * as z from "zod";
import { checkConfigLimits, CONFIG_LIMITS } from "../config/config-limits.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { LLMTeam } from "./llm-team.js";
import type { TeamConfigCheck } from "./check-team-config.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/**
 * Reads and validates a team file (YAML or JSON). Every problem is reported at once, each
 * with the file, line and column of the bad key.
 * @throws ConfigError listing every problem.
 */
export async function readTeamFile(path: string): Promise<TeamConfig> {
  return parseTeamText(await readConfigFile(path, "team"), path);
}

/**
 * Reads a configuration file's text, refusing files over {@link CONFIG_LIMITS}.maxFileBytes.
 * @throws ConfigError when the file cannot be read or is too large.
 */
export async function readConfigFile(path: string, what: string): Promise<string> {
  try {
    const handle = await open(path, "r");
    try {
      const { size } = await handle.stat();
      if (size > CONFIG_LIMITS.maxFileBytes) {
        throw new ConfigError([
          {
            path: [],
            message: `The ${what} file is ${size} bytes; the limit is ${CONFIG_LIMITS.maxFileBytes} bytes (1 MiB).`,
            file: path,
          },
        ]);
      }
      return await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    const reason =
      (error as { code?: string }).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigError(
      [{ path: [], message: `Cannot read ${what} file: ${reason}.`, file: path }],
      { cause: error },
    );
  }
}

/**
 * Parses and validates team configuration text (YAML, of which JSON is a subset; a `.json`
 * file, or text starting with `{"`, must be strict JSON).
 * @param file the name used in error messages.
 * @throws ConfigError listing every problem with its line and column.
 */
export function parseTeamText(text: string, file = "<team>"): TeamConfig {
  return parseConfigText(text, file, teamConfigSchema) as TeamConfig;
}

/**
 * Parses YAML/JSON text and validates it with `schema`, every problem located at its line
 * and column. Returns the schema's parsed value, so nothing the schema did not check goes on.
 * @throws ConfigError listing every problem.
 */
export function parseConfigText(text: string, file: string, schema: z.ZodType): unknown {
  return parseConfigDocument(text, file, schema).value;
}

/**
 * {@link parseConfigText}, plus a function that gives later problems (found when the team is
 * built or checked) the file, line and column of their key path.
 * @throws ConfigError listing every problem.
 */
export function parseConfigDocument(
  text: string,
  file: string,
  schema: z.ZodType,
): { value: unknown; locate: (issue: ConfigIssue) => ConfigIssue } {
  const { value, locate } = readConfigDocument(text, file);
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error).map(locate));
  return { value: parsed.data, locate };
}

/**
 * Parses YAML/JSON text within the {@link CONFIG_LIMITS}, without a schema: the plain value,
 * and a function that gives a problem the file, line and column of its key path.
 * @throws ConfigError for text that is not valid YAML/JSON or exceeds the limits.
 */
function readConfigDocument(
  text: string,
  file: string,
): { value: unknown; locate: (issue: ConfigIssue) => ConfigIssue } {
  const { LineCounter, isMap, isNode, isScalar, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const at = (offset: number) => lineCounter.linePos(offset);
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors.map((error) => ({
    path: [],
    message: `Not valid YAML/JSON: ${error.message.split("\n")[0]}`,
    file,
    line: at(error.pos[0]).line,
    column: at(error.pos[0]).col,
  }));
  if (syntax.length === 0 && isJsonText(text, file)) {
    const problem = jsonProblem(text);
    if (problem)
      syntax.push({ path: [], message: problem.message, file, ...position(at(problem.offset)) });
  }
  if (syntax.length > 0) throw new ConfigError(syntax);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: CONFIG_LIMITS.maxAliases });
  } catch (error) {
    // Alias bombs and aliases to anchors defined later or nowhere.
    throw new ConfigError(
      [{ path: [], message: `Not valid YAML: ${(error as Error).message}.`, file }],
      { cause: error },
    );
  }
  const find = (path: (string | number)[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const parent = depth > 0 ? document.getIn(path.slice(0, depth - 1), true) : undefined;
      // Point at the key of a mapping entry rather than at its value.
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => isScalar(item.key) && item.key.value === path[depth - 1],
        );
        if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
      }
      const node = document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return undefined;
  };
  const limits = checkConfigLimits(value);
  if (limits.length > 0) throw new ConfigError(limits.map((issue) => locate(issue, file, find)));
  return {
    value,
    locate: (issue) => (issue.file === undefined ? locate(issue, file, find) : issue),
  };
}

/** Whether text must be strict JSON: a `.json` file, or text that starts like a JSON object. */
function isJsonText(text: string, file: string): boolean {
  if (/\.json$/i.test(file)) return true;
  return !/\.ya?ml$/i.test(file) && /^\s*\{\s*"/.test(text);
}

/** The first problem of text as JSON (a trailing comma is the common one), with its offset. */
function jsonProblem(text: string): { message: string; offset: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const comma = trailingComma(text);
    if (comma !== undefined)
      return {
        message: "Not valid JSON: a trailing comma before a closing bracket. Remove the comma.",
        offset: comma,
      };
    const message = (error as Error).message;
    const offset = /at position (\d+)/.exec(message)?.[1];
    return { message: `Not valid JSON: ${message}`, offset: offset === undefined ? 0 : +offset };
  }
}

/** The offset of the first comma followed (after whitespace) by `]` or `}`, outside strings. */
function trailingComma(text: string): number | undefined {
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === ",") {
      const next = /\S/.exec(text.slice(index + 1, index + 200));
      if (next && (next[0] === "]" || next[0] === "}")) return index;
    }
  }
  return undefined;
}

function position(found: { line: number; col: number }): { line: number; column: number } {
  return { line: found.line, column: found.col };
}

function locate(
  issue: ConfigIssue,
  file: string,
  find: (path: (string | number)[]) => { line: number; col: number } | undefined,
): ConfigIssue {
  const position = find(issue.path);
  return { ...issue, file, ...(position ? { line: position.line, column: position.col } : {}) };
}

/**
 * Loads a team from a YAML or JSON file.
 *
 * @example
 * const team = await loadTeam("examples/support.yaml");
 * const result = await team.run({ query: "My invoice is wrong" });
 * @throws ConfigError with file, line and key for every problem.
 */
export async function loadTeam(path: string, runtime: TeamRuntimeOptions = {}): Promise<LLMTeam> {
  return (await loadTeamFile(path, runtime)).team;
}

/**
 * Loads a team file and returns the team with the file's locator, which gives any later
 * problem of the team (`team.check()`) the file, line and column of its key path.
 * @throws ConfigError with file, line and key for every problem, including a team with no agents.
 */
export async function loadTeamFile(
  path: string,
  runtime: TeamRuntimeOptions = {},
  overrides: Partial<TeamConfig> = {},
): Promise<{ team: LLMTeam; locate: (issue: ConfigIssue) => ConfigIssue }> {
  const { team, errors, locate } = await checkTeamFile(path, runtime, overrides);
  if (!team) throw new ConfigError(errors);
  return { team, locate };
}

/**
 * Checks a team file without throwing on its problems: the team when it has no errors, and
 * every error and warning (see `LLMTeam.checkConfig`), each located in the file. What
 * `llmteam validate` reports.
 * @throws ConfigError when the file cannot be read or is not valid YAML/JSON.
 */
export async function checkTeamFile(
  path: string,
  runtime: TeamRuntimeOptions = {},
  overrides: Partial<TeamConfig> = {},
): Promise<TeamConfigCheck<LLMTeam> & { locate: (issue: ConfigIssue) => ConfigIssue }> {
  const { value, locate } = readConfigDocument(await readConfigFile(path, "team"), path);
  const config = isRecord(value) ? { ...value, ...overrides } : value;
  const found = LLMTeam.checkConfig({ ...(config as TeamConfig), ...runtime });
  const agents = isRecord(config) ? config.agents : undefined;
  if (isRecord(config) && (agents === undefined || (Array.isArray(agents) && agents.length === 0)))
    found.errors.push({
      path: agents === undefined ? [] : ["agents"],
      message: `Team "${typeof config.teamId === "string" ? config.teamId : "team"}" has no agents. Add at least one under agents:, e.g. - { type: llm, role: writer, prompt: "Answer: {query}" }.`,
    });
  // In file order: a problem without a position (the whole file) first.
  const errors = found.errors
    .map(locate)
    .sort(
      (one, other) =>
        (one.line ?? 0) - (other.line ?? 0) || (one.column ?? 0) - (other.column ?? 0),
    );
  return {
    team: errors.length === 0 ? found.team : undefined,
    errors,
    warnings: found.warnings.map(locate),
    locate,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
