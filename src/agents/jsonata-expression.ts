import type jsonata from "jsonata";
import { ConfigError } from "../errors/config-error.js";

/** A compiled JSONata expression with its time and depth limits. */
export type JsonataExpression = ReturnType<typeof jsonata>;

/** Limits of one evaluation. */
export interface ExpressionLimits {
  /** Time limit of one evaluation, in ms (checked at each step of the evaluation). */
  timeoutMs: number;
}

/** Deepest evaluation stack (recursion) an expression may reach. */
const MAX_STACK = 300;
/** Longest sequence an expression may build. */
const MAX_SEQUENCE = 100_000;

let loaded: typeof jsonata | undefined;

/** JSONata, loaded on first use (importing llmteam does not load it). */
function load(): typeof jsonata {
  loaded ??= process.getBuiltinModule("node:module").createRequire(import.meta.url)(
    "jsonata",
  ) as typeof jsonata;
  return loaded;
}

/**
 * Compiles a JSONata expression (https://jsonata.org): data in, data out, no access to code,
 * files or the network. Each evaluation stops after `timeoutMs`, a recursion deeper than 300
 * or a sequence longer than 100,000 items.
 * @throws ConfigError at `path` with JSONata's message and the position of the problem.
 */
export function compileExpression(
  source: string,
  path: (string | number)[],
  limits: ExpressionLimits,
): JsonataExpression {
  try {
    return load()(source, { timeout: limits.timeoutMs, stack: MAX_STACK, sequence: MAX_SEQUENCE });
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    throw new ConfigError([
      {
        path,
        message: `Invalid JSONata expression${position === undefined ? "" : ` at character ${position}`}: ${message ?? String(error)}. See https://docs.jsonata.org for the syntax.`,
      },
    ]);
  }
}

/** The message of an error thrown by a JSONata evaluation (they are plain objects). */
export function expressionErrorMessage(error: unknown): string {
  const { message, code, position } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    position?: unknown;
  };
  const text = typeof message === "string" ? message : String(error);
  const where = typeof position === "number" ? ` at character ${position}` : "";
  return `${text}${where}${typeof code === "string" ? ` (${code})` : ""}`;
}
