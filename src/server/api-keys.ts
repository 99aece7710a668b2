import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError } from "../errors/config-error.js";
import { loadYaml } from "../internal/load-yaml.js";
import { SCOPES, type Scope } from "./server-auth.js";

/**
 * An API key as the server is given it: its id (named in logs and problems, never the key),
 * the SHA-256 hash of the key (the key itself is never configured), its scopes and, optionally,
 * the only teams it may use.
 */
export interface ApiKey {
  /** A name for the key: letters, digits, `.`, `_`, `-` (e.g. `ci`, `viewer.alice`). */
  id: string;
  /** `sha256:<64 hex digits>`: what `hashApiKey(key)` and `llmteam keys hash` print. */
  hash: string;
  /** What the key may do; `admin` implies every scope. */
  scopes: Scope[];
  /** The only teams (and their runs) the key may use; default: all. */
  teams?: string[] | undefined;
  /** This key's own rate limit, requests per minute (default: the server's). */
  requestsPerMinute?: number | undefined;
}

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The schema of one key in a keys file, `LLMTEAM_API_KEYS` or `createServer({ apiKeys })`. */
export const apiKeySchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[\w.-]{1,64}$/,
      "id must be 1-64 letters, digits, '.', '_' or '-' (it names the key in logs).",
    ),
  hash: z
    .string()
    .regex(
      HASH_PATTERN,
      'hash must be "sha256:" followed by 64 lowercase hex digits (llmteam keys hash prints it); a key is never configured in plain text.',
    ),
  scopes: z
    .array(
      z.enum(SCOPES as [Scope, ...Scope[]], {
        error: `A scope is one of ${SCOPES.join(", ")}.`,
      }),
    )
    .min(1, `scopes must name at least one of ${SCOPES.join(", ")}.`),
  teams: z
    .array(z.string().min(1))
    .min(1, "teams must name at least one team, or be left out (all teams).")
    .optional(),
  requestsPerMinute: z.number().int().positive().optional(),
});

/** The hash a key is configured by: `sha256:` and the hex SHA-256 of the key's UTF-8 text. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** A new random key (`llmt_` and 43 base64url characters: 256 bits) and its hash. */
export function newApiKey(): { key: string; hash: string } {
  const key = `llmt_${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiKey(key) };
}

/**
 * Checks keys: the schema, unique ids, unique hashes.
 * @throws ConfigError naming each bad key by its position (`source` names where they came from).
 */
export function checkApiKeys(keys: readonly unknown[], source = "apiKeys"): ApiKey[] {
  const parsed = z.array(apiKeySchema).safeParse(keys);
  if (!parsed.success) throw new ConfigError(located(toConfigIssues(parsed.error), source));
  const ids = new Set<string>();
  const hashes = new Set<string>();
  for (const [index, key] of parsed.data.entries()) {
    const problem = ids.has(key.id)
      ? `Key id "${key.id}" is used twice; ids name keys in logs and must be unique.`
      : hashes.has(key.hash)
        ? `Key "${key.id}" has the same hash as another key: give each its own key.`
        : undefined;
    if (problem) throw new ConfigError([{ path: [index, "id"], message: problem, file: source }]);
    ids.add(key.id);
    hashes.add(key.hash);
  }
  return parsed.data;
}

/**
 * Keys from YAML or JSON text: a list of keys, or `{ keys: [...] }`.
 * @throws ConfigError for text that does not parse or keys that do not check.
 */
export function parseApiKeys(text: string, source: string): ApiKey[] {
  let value: unknown;
  try {
    value = loadYaml().parse(text);
  } catch (error) {
    throw new ConfigError(
      `${source}: not YAML or JSON (${(error as Error).message.split("\n")[0]}). Give a list of keys: - { id: ci, hash: "sha256:…", scopes: [run] }`,
    );
  }
  const list = Array.isArray(value)
    ? value
    : isKeysObject(value)
      ? value.keys
      : value === null || value === undefined
        ? []
        : undefined;
  if (!Array.isArray(list)) {
    throw new ConfigError(
      `${source}: expected a list of keys, or { keys: [...] }; each key is { id, hash: "sha256:…", scopes: [...], teams?: [...] }.`,
    );
  }
  return checkApiKeys(list, source);
}

/** Keys from a YAML or JSON file. @throws ConfigError when it cannot be read or is invalid. */
export async function readApiKeysFile(path: string): Promise<ApiKey[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Cannot read the keys file "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  return parseApiKeys(text, path);
}

/** One key as a YAML line, for a keys file (under `keys:`) or `LLMTEAM_API_KEYS`. */
export function apiKeyLine(key: ApiKey): string {
  const teams = key.teams ? `, teams: [${key.teams.join(", ")}]` : "";
  return `- { id: ${key.id}, hash: "${key.hash}", scopes: [${key.scopes.join(", ")}]${teams} }`;
}

function isKeysObject(value: unknown): value is { keys: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    "keys" in value
  );
}

function located(
  issues: ReturnType<typeof toConfigIssues>,
  source: string,
): ReturnType<typeof toConfigIssues> {
  return issues.map((issue) => ({ ...issue, file: source }));
}
