import { readFile } from "node:fs/promises";
import { loadYaml } from "../internal/load-yaml.js";
import type * as z from "zod";
import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { LLMTeam } from "./llm-team.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/**
 * Reads and validates a team file (YAML or JSON). Every problem is reported at once, each
 * with the file, line and column of the bad key.
 * @throws ConfigError listing every problem.
 */
export async function readTeamFile(path: string): Promise<TeamConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason =
      (error as { code?: string }).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigError(
      [{ path: [], message: `Cannot read team file: ${reason}.`, file: path }],
      { cause: error },
    );
  }
  return parseTeamText(text, path);
}

/**
 * Parses and validates team configuration text (YAML, of which JSON is a subset).
 * @param file the name used in error messages.
 * @throws ConfigError listing every problem with its line and column.
 */
export function parseTeamText(text: string, file = "<team>"): TeamConfig {
  return parseConfigText(text, file, teamConfigSchema) as TeamConfig;
}

/**
 * Parses YAML/JSON text and validates it with `schema`, every problem located at its line
 * and column. Returns the value as written (not the schema's output).
 * @throws ConfigError listing every problem.
 */
export function parseConfigText(text: string, file: string, schema: z.ZodType): unknown {
  const { LineCounter, isMap, isNode, isScalar, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: [],
          message: `Not valid YAML/JSON: ${error.message.split("\n")[0]}`,
          file,
          line: position.line,
          column: position.col,
        };
      }),
    );
  }
  const value: unknown = document.toJS();
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return value;
  throw new ConfigError(
    toConfigIssues(parsed.error).map((issue) =>
      locate(issue, file, (path) => {
        for (let depth = path.length; depth >= 0; depth--) {
          const parent = depth > 0 ? document.getIn(path.slice(0, depth - 1), true) : undefined;
          // Point at the key of a mapping entry rather than at its value.
          if (isMap(parent)) {
            const pair = parent.items.find(
              (item) => isScalar(item.key) && item.key.value === path[depth - 1],
            );
            if (pair && isNode(pair.key) && pair.key.range)
              return lineCounter.linePos(pair.key.range[0]);
          }
          const node = document.getIn(path.slice(0, depth), true);
          if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
        }
        return undefined;
      }),
    ),
  );
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
  const config = await readTeamFile(path);
  try {
    return LLMTeam.fromConfig(config, runtime);
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      throw new ConfigError(
        error.issues.map((issue) => ({ ...issue, file: path })),
        { cause: error },
      );
    }
    throw error;
  }
}
