import { copyConfigData } from "../../config/copy-config-data.js";
import { agentConfigSchema } from "../../agents/agent-config.js";
import { teamShape, type TeamConfig } from "../team-config.js";

const SECRET_KEYS = new Set(["apiKey", "headers"]);

/**
 * A copy of a team configuration with secrets hidden: provider `apiKey` and `headers` values
 * are replaced unless they are `${VARIABLE}` references. The configurator never sees a key.
 */
export function redactSecrets(config: TeamConfig): TeamConfig {
  const copy = copyConfigData(config);
  for (const provider of Object.values(copy.providers ?? {}) as Record<string, unknown>[]) {
    for (const key of SECRET_KEYS) {
      if (provider[key] !== undefined) provider[key] = redact(provider[key]);
    }
  }
  return copy;
}

function redact(value: unknown): unknown {
  if (typeof value === "string")
    return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value) ? value : "<redacted>";
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item)]));
  }
  return value;
}

/** The configurator's system prompt: its job, the change operations, and the team as it is now. */
export function configuratorInstructions(
  config: TeamConfig,
  version: number,
  extra: string | undefined,
): string {
  const agentKeys = Object.keys(agentConfigSchema.shape).join(", ");
  const teamKeys = Object.keys(teamShape)
    .filter((key) => key !== "teamId")
    .join(", ");
  return [
    "You configure an llmteam team: LLM agents declared as data that run in a flow (sequential: in order).",
    "The user describes what they want in plain language. Propose changes of the configuration; a person approves them before anything changes.",
    "",
    "Answer with ONE JSON object and nothing else:",
    '{"message": "<what you propose and why, or a question>", "proposals": [{"reason": "<why>", "changes": [<change>, ...]}]}',
    "A change is one of:",
    '- {"op": "addAgent", "agent": {"type": "llm", "role": "...", "prompt": "..."}, "position": <0-based index in run order, optional: default last>}',
    '- {"op": "updateAgent", "agentId": "<id or role>", "set": {<keys to set>}, "unset": ["<keys to remove>"]}',
    '- {"op": "removeAgent", "agentId": "<id or role>"}',
    '- {"op": "moveAgent", "agentId": "<id or role>", "position": <0-based index>}',
    '- {"op": "updateTeam", "set": {<team settings to set>}, "unset": ["<settings to remove>"]}',
    `Agent keys: ${agentKeys}. Team settings: ${teamKeys}. Use no other keys; teamId cannot change.`,
    "Prompts are templates: {query} reads the run input; {<role>} reads the output of an EARLIER agent. Write {{ and }} for literal braces.",
    "Make one proposal per independent idea, so each can be approved alone. If the request is unclear, ask in message and propose nothing.",
    "",
    `The team configuration now (version ${version}), as JSON:`,
    JSON.stringify(config, null, 2),
    ...(extra ? ["", extra] : []),
  ].join("\n");
}
