import { HttpProblem } from "./http-problem.js";

/**
 * What an API key may do: `read` (teams, runs, events, cost), `run` (start, cancel, pause and
 * resume runs), `approve` (decide approvals and human tasks), `admin` (everything, including
 * team configuration).
 */
export type Scope = "read" | "run" | "approve" | "admin";

/** Every scope, in order. */
export const SCOPES: readonly Scope[] = ["read", "run", "approve", "admin"];

/** Who made a request. */
export interface Principal {
  /** The key's id (never the key), or `undefined` when the server has no keys. */
  keyId: string | undefined;
  scopes: ReadonlySet<Scope>;
  /** The teams the key may use; `undefined`: all. */
  teams: ReadonlySet<string> | undefined;
  /** The key's own rate limit in requests per minute, when it has one. */
  requestsPerMinute?: number | undefined;
}

/** Decides who a request is and whether it may do what it asks. */
export interface ServerAuth {
  /** True when keys are configured (requests must carry one). */
  readonly enabled: boolean;
  /**
   * The request's principal.
   * @throws HttpProblem 401 without a valid key, 403 when the key lacks `scope` or the team.
   */
  authorize(
    request: Request,
    scope: Scope | "public",
    teamOf: () => Promise<string | undefined>,
  ): Promise<Principal>;
  /**
   * The principal of a request's valid key, else `undefined` (no key, an invalid key, or no
   * keys configured); never throws. Rate limits count a request against this key, else
   * against the client's address.
   */
  identify?(request: Request): Principal | undefined;
}

const EVERYONE: Principal = { keyId: undefined, scopes: new Set(SCOPES), teams: undefined };

/** No keys configured: every request may do everything (the server binds to 127.0.0.1 then). */
export function openAuth(): ServerAuth {
  return {
    enabled: false,
    authorize: () => Promise.resolve(EVERYONE),
  };
}

/** True when `principal` may use `teamId`. */
export function mayUseTeam(principal: Principal, teamId: string): boolean {
  return principal.teams === undefined || principal.teams.has(teamId);
}

/** @throws HttpProblem 403 when the principal may not use the team. */
export function assertTeamAllowed(principal: Principal, teamId: string): void {
  if (mayUseTeam(principal, teamId)) return;
  const teams = [...(principal.teams ?? [])];
  throw new HttpProblem(
    403,
    `API key "${principal.keyId}" may not use team "${teamId}"; it may use: ${teams.join(", ")}.`,
    { extra: { team: teamId, teams } },
  );
}
