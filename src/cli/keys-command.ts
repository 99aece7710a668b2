import { text } from "node:stream/consumers";
import { apiKeyLine, checkApiKeys, hashApiKey, newApiKey } from "../server/api-keys.js";
import { SCOPES, type Scope } from "../server/server-auth.js";
import { parseCommand, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";

export const KEYS_HELP = `llmteam keys new [--id <id>] [--scopes <list>] [--teams <list>]
llmteam keys hash [<key>]

API keys of llmteam serve. The server is given only their hashes (a keys file, --keys, or
$LLMTEAM_API_KEYS): a key is never stored.

  new    makes a random key: prints the key (first line; shown once: hand it to the client)
         and the line for the keys file (second line)
  hash   prints the hash of a key (sha256:<hex>); without <key>, reads it from stdin so it
         stays out of the shell's history

Options:
  --id <id>           the key's name in logs and problems (default: key-<6 hex digits>)
  --scopes <list>     comma-separated: ${SCOPES.join(", ")} (default: read,run; admin is all)
  --teams <list>      comma-separated teams the key may use (default: all)
  -h, --help          show this help`;

/** `llmteam keys new|hash`. */
export async function keysCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("keys", argv, {
    id: { type: "string" },
    scopes: { type: "string" },
    teams: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${KEYS_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === "hash") {
    if (rest.length > 1)
      throw new UsageError("keys hash takes one key (or none: read from stdin).");
    const key = rest[0] ?? (await text(io.stdin ?? process.stdin)).trim();
    if (key === "") throw new UsageError("keys hash: no key given (as an argument or on stdin).");
    io.stdout(`${hashApiKey(key)}\n`);
    return 0;
  }
  if (action !== "new" || rest.length > 0) {
    throw new UsageError(
      "usage: llmteam keys new [options] | llmteam keys hash [<key>]. See llmteam keys --help.",
    );
  }
  const { key, hash } = newApiKey();
  const [checked] = checkApiKeys(
    [
      {
        id: values.id ?? `key-${hash.slice("sha256:".length, "sha256:".length + 6)}`,
        hash,
        scopes: list(values.scopes) ?? (["read", "run"] satisfies Scope[]),
        ...(values.teams === undefined ? {} : { teams: list(values.teams) }),
      },
    ],
    "llmteam keys new",
  );
  io.stdout(`${key}\n${apiKeyLine(checked!)}\n`);
  io.stderr(
    "The first line is the key: give it to the client now (it is not kept). The second goes into the keys file (llmteam serve --keys <file>) or $LLMTEAM_API_KEYS.\n",
  );
  return 0;
}

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
