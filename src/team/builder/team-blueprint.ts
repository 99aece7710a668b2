import * as z from "zod";
import { parseTemplate } from "../../agents/template.js";
import { identifierSchema, strictObject } from "../../config/strict-object.js";
import { toConfigIssues } from "../../config/zod-issues.js";
import type { ConfigIssue } from "../../errors/config-error.js";
import type { TeamConfig } from "../team-config.js";

/** Bounds of a designed team. */
export const BLUEPRINT_LIMITS = {
  /** Agents in a designed team: 1 to 6. */
  maxAgents: 6,
  /** Clarifying questions the builder may ask (once). */
  maxQuestions: 3,
  /** Highest `maxTokens` a designed agent may set. */
  maxTokens: 4_096,
  /** Highest `maxToolRounds` a designed agent may set. */
  maxToolRounds: 10,
} as const;

/** One agent of a blueprint: an `llm` agent (the builder adds `type: llm`). */
const blueprintAgentSchema = strictObject(
  {
    role: identifierSchema("role"),
    description: z.string().optional(),
    systemPrompt: z.string().optional(),
    prompt: z.string().min(1, "prompt must not be empty."),
    tools: z.array(z.string().min(1)).optional(),
    maxTokens: z.number().int().min(16).max(BLUEPRINT_LIMITS.maxTokens).optional(),
    maxToolRounds: z.number().int().min(0).max(BLUEPRINT_LIMITS.maxToolRounds).optional(),
  },
  "an agent",
);

/** The JSON the builder's model answers with: questions, or a team, or both. */
export const blueprintSchema = strictObject(
  {
    /** Clarifying questions, only when the task is ambiguous (at most 3). */
    questions: z
      .array(z.string().min(1))
      .max(
        BLUEPRINT_LIMITS.maxQuestions,
        `Ask at most ${BLUEPRINT_LIMITS.maxQuestions} questions.`,
      ),
    /** The team; null while asking questions. */
    team: strictObject(
      {
        teamId: identifierSchema("teamId"),
        description: z.string().min(1, "description must not be empty."),
        agents: z
          .array(blueprintAgentSchema)
          .min(1, "A team needs at least one agent.")
          .max(
            BLUEPRINT_LIMITS.maxAgents,
            `A designed team has at most ${BLUEPRINT_LIMITS.maxAgents} agents.`,
          ),
        /** `sequential` (default) or a chain such as `"a -> b, c -> d"`. */
        flow: z.string().min(1).optional(),
      },
      "a team",
    ).nullable(),
  },
  "the answer",
);

/** A blueprint as the model writes it. */
export type TeamBlueprint = z.output<typeof blueprintSchema>;

/** Parses the model's text; the problems, with paths, when it is not a blueprint. */
export function parseBlueprint(
  text: string,
): { ok: true; value: TeamBlueprint } | { ok: false; issues: ConfigIssue[] } {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(text));
  } catch (error) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: `Not valid JSON (${(error as Error).message}). Answer with one JSON object only.`,
        },
      ],
    };
  }
  const parsed = blueprintSchema.safeParse(json, { reportInput: true });
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: toConfigIssues(parsed.error) };
}

/**
 * The team configuration a blueprint makes: its agents as `llm` agents, with the team's model
 * and output cap when given.
 */
export function blueprintConfig(
  team: NonNullable<TeamBlueprint["team"]>,
  settings: { model?: string | undefined; maxTokens?: number | undefined },
): TeamConfig {
  return {
    teamId: team.teamId,
    description: team.description,
    ...(settings.model === undefined ? {} : { model: settings.model }),
    ...(settings.maxTokens === undefined ? {} : { maxTokens: settings.maxTokens }),
    ...(team.flow === undefined || team.flow === "sequential" ? {} : { flow: team.flow }),
    agents: team.agents.map((agent) => ({ type: "llm" as const, ...agent })),
  };
}

/** Builder rules beyond the team's own check: the run input must be read by some agent. */
export function checkBlueprintTeam(team: NonNullable<TeamBlueprint["team"]>): ConfigIssue[] {
  const readsQuery = team.agents.some((agent) =>
    [agent.prompt, agent.systemPrompt ?? ""].some((text) => {
      const template = parseTemplate(text);
      return [...template.variables, ...template.optionalVariables].includes("query");
    }),
  );
  return readsQuery
    ? []
    : [
        {
          path: ["team", "agents", 0, "prompt"],
          message:
            "No agent reads {query}, the run's input: the first agent's prompt must contain {query}.",
        },
      ];
}

/** Models sometimes wrap JSON in a Markdown fence even when asked not to. */
function stripFence(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return match ? match[1]! : text;
}

let cachedSchema: Record<string, unknown> | undefined;

/** The JSON Schema of a blueprint (for `responseFormat`). */
export function blueprintJsonSchema(): Record<string, unknown> {
  if (!cachedSchema) {
    // Some providers refuse a `$schema` key inside response_format.
    const { $schema: _dialect, ...schema } = z.toJSONSchema(blueprintSchema, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    cachedSchema = schema;
  }
  return cachedSchema;
}
