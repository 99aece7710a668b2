import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../errors/config-error.js";
import { checkApiKeys, type ApiKey } from "./api-keys.js";
import { HttpProblem } from "./http-problem.js";
import {
  assertTeamAllowed,
  SCOPES,
  type Principal,
  type Scope,
  type ServerAuth,
} from "./server-auth.js";

const REALM = 'Bearer realm="llmteam"';
const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i;
const NOBODY: Principal = { keyId: undefined, scopes: new Set(), teams: undefined };

interface KeyEntry {
  digest: Buffer;
  principal: Principal;
}

/**
 * Auth by API keys (docs/server.md, "Auth and limits"): a request carries
 * `Authorization: Bearer <key>`; the key's SHA-256 is compared in constant time with every
 * configured hash. 401 (with `WWW-Authenticate: Bearer`) without a key or with an unknown one;
 * 403 naming the scope or team the key lacks. Keys and hashes are never logged or echoed.
 * @throws ConfigError for invalid keys (see {@link checkApiKeys}), or none.
 * @example
 * const auth = keyAuth([{ id: "ci", hash: hashApiKey(process.env.CI_KEY!), scopes: ["run"] }]);
 */
export function keyAuth(keys: readonly ApiKey[]): ServerAuth {
  const entries: KeyEntry[] = checkApiKeys(keys).map((key) => ({
    digest: Buffer.from(key.hash.slice("sha256:".length), "hex"),
    principal: {
      keyId: key.id,
      scopes: new Set(key.scopes.includes("admin") ? SCOPES : key.scopes),
      teams: key.teams === undefined ? undefined : new Set(key.teams),
      requestsPerMinute: key.requestsPerMinute,
    },
  }));
  if (entries.length === 0) {
    throw new ConfigError("keyAuth needs at least one key; a server without keys uses openAuth().");
  }
  const known = new WeakMap<Request, Principal | null>();

  const identify = (request: Request): Principal | undefined => {
    const cached = known.get(request);
    if (cached !== undefined) return cached ?? undefined;
    const token = BEARER.exec(request.headers.get("authorization") ?? "")?.[1];
    const principal = token === undefined ? undefined : match(entries, token);
    known.set(request, principal ?? null);
    return principal;
  };

  return {
    enabled: true,
    identify,
    async authorize(request, scope, teamOf) {
      const principal = identify(request);
      if (scope === "public") return principal ?? NOBODY;
      if (!principal) throw unauthorized(request.headers.get("authorization"));
      if (!principal.scopes.has(scope)) throw missingScope(principal, scope);
      if (principal.teams !== undefined) {
        const teamId = await teamOf();
        if (teamId !== undefined) assertTeamAllowed(principal, teamId);
      }
      return principal;
    },
  };
}

/** The entry whose hash is the token's, comparing with every entry (no early exit). */
function match(entries: readonly KeyEntry[], token: string): Principal | undefined {
  const digest = createHash("sha256").update(token, "utf8").digest();
  let found: Principal | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, entry.digest)) found = entry.principal;
  }
  return found;
}

function unauthorized(header: string | null): HttpProblem {
  if (header === null) {
    return new HttpProblem(
      401,
      "This server needs an API key: send the header Authorization: Bearer <key>.",
      { headers: { "www-authenticate": REALM } },
    );
  }
  const detail = BEARER.test(header)
    ? "The API key is not valid (unknown, revoked or mistyped)."
    : 'The Authorization header must be "Bearer <key>".';
  return new HttpProblem(401, detail, {
    headers: { "www-authenticate": `${REALM}, error="invalid_token"` },
  });
}

function missingScope(principal: Principal, scope: Scope): HttpProblem {
  const has = SCOPES.filter((each) => principal.scopes.has(each));
  return new HttpProblem(
    403,
    `API key "${principal.keyId}" lacks the "${scope}" scope this request needs; it has: ${has.join(", ")}.`,
    {
      extra: { requiredScope: scope, scopes: has },
      headers: { "www-authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"` },
    },
  );
}
