import type { LanguageModelV4Message, LanguageModelV4Prompt } from "@ai-sdk/provider";
import * as z from "zod";
import { toConfigIssues } from "../../config/zod-issues.js";
import { ConfigError, formatConfigIssue, type ConfigIssue } from "../../errors/config-error.js";
import { addUsage, emptyUsage, type Usage } from "../../events/usage.js";
import type { Clock } from "../../internal/clock.js";
import type { ModelCall, ResolvedModel } from "../../providers/model-call.js";
import type { TeamConfig } from "../team-config.js";
import { configChangeSchema } from "./config-change.js";
import { ConfigurationProposal } from "./configuration-proposal.js";
import { configuratorInstructions, redactSecrets } from "./configurator-prompt.js";
import type { TeamLifecycle } from "./team-lifecycle.js";

/** Options of `team.configure(task, options)`. */
export interface ConfigureOptions {
  /** Model of the configurator, `provider/model` (default: the team's model, else its first agent's). */
  model?: string;
  /** Cancels the model call in flight. */
  signal?: AbortSignal;
  /** Times the model may fix an invalid answer after being told what was wrong (default 2). */
  maxRepairs?: number;
  /** Extra instructions for the configurator, appended to its system prompt. */
  instructions?: string;
  /** Most output tokens per answer (default: the provider's). */
  maxTokens?: number;
}

/** One answer of the configurator. */
export interface ConfiguratorReply {
  /** What the configurator says (an explanation, or a question). */
  message: string;
  /** The proposals it made, pending, already added to `team.lifecycle`. */
  proposals: ConfigurationProposal[];
  /** Tokens of this answer, repairs included. */
  usage: Usage;
}

/** What the session needs of its team. */
export interface ConfigurableTeam {
  readonly teamId: string;
  readonly lifecycle: TeamLifecycle;
  toConfig(): TeamConfig;
}

/** @internal Options of {@link ConfiguratorSession}. */
export interface ConfiguratorSessionOptions extends Omit<ConfigureOptions, "model"> {
  team: ConfigurableTeam;
  model: ResolvedModel;
  call: ModelCall;
  clock: Clock;
}

/** The JSON the configurator model must answer with. */
export const configuratorReplySchema = z.strictObject({
  message: z.string(),
  proposals: z.array(
    z.strictObject({ reason: z.string().min(1), changes: z.array(configChangeSchema).min(1) }),
  ),
});

const SILENT_SINK = { emit: () => undefined };
let sessionCount = 0;

/**
 * A configurator chat (`team.configure(task)`): a model reads the team's configuration and
 * proposes changes as {@link ConfigurationProposal}s, through the team's model-call pipeline
 * with structured output. Every proposal is validated against the schema and the team before
 * it is added; an invalid answer is sent back to the model with the problems (`maxRepairs`).
 * Nothing changes until proposals are approved and applied.
 *
 * @example
 * const session = await team.configure("Add a reviewer after the writer");
 * console.log(session.reply.message);
 * await session.send("make the writer more formal too");
 * team.lifecycle.approveAll("alice");
 * team.lifecycle.applyApproved();
 */
export class ConfiguratorSession {
  /** Unique id of the session (used as the run id of its model calls). */
  readonly sessionId = `configure_${++sessionCount}`;
  private readonly transcript: LanguageModelV4Message[] = [];
  private readonly made: ConfigurationProposal[] = [];
  private readonly total: Usage = emptyUsage();
  private last: ConfiguratorReply | undefined;

  constructor(private readonly options: ConfiguratorSessionOptions) {}

  /** Opens a session and sends it `task` (see `LLMTeam.configure`). */
  static async open(
    task: string,
    options: ConfiguratorSessionOptions,
  ): Promise<ConfiguratorSession> {
    const session = new ConfiguratorSession(options);
    await session.send(task);
    return session;
  }

  /** The latest answer. */
  get reply(): ConfiguratorReply {
    if (!this.last)
      throw new ConfigError("The configurator has not answered yet: call session.send(message).");
    return this.last;
  }

  /** Every proposal of the session, in order. */
  get proposals(): readonly ConfigurationProposal[] {
    return this.made;
  }

  /** Tokens of every answer so far. */
  get usage(): Usage {
    return { ...this.total };
  }

  /** The conversation so far, as text: what was asked and what the configurator answered. */
  get messages(): { role: "user" | "assistant"; content: string }[] {
    return this.transcript.map((message) => ({
      role: message.role as "user" | "assistant",
      content:
        typeof message.content === "string"
          ? message.content
          : message.content.map((part) => ("text" in part ? part.text : "")).join(""),
    }));
  }

  /**
   * Sends a message (a task or a follow-up such as "make the writer more formal") and waits
   * for the configurator's answer. Its proposals are added to `team.lifecycle` as pending.
   * @throws ConfigError when the model's answer stays invalid after `maxRepairs` corrections.
   * @throws the model call's error (e.g. `ProviderError`).
   */
  async send(message: string, options: { signal?: AbortSignal } = {}): Promise<ConfiguratorReply> {
    const { team, model, call, clock } = this.options;
    const signal = options.signal ?? this.options.signal ?? new AbortController().signal;
    const maxRepairs = this.options.maxRepairs ?? 2;
    const usage = emptyUsage();
    this.transcript.push(user(message));
    for (let attempt = 0; ; attempt++) {
      const config = team.toConfig();
      const prompt: LanguageModelV4Prompt = [
        {
          role: "system",
          content: configuratorInstructions(
            redactSecrets(config),
            team.lifecycle.configVersion,
            this.options.instructions,
          ),
        },
        ...this.transcript,
      ];
      const response = await call(
        {
          model,
          prompt,
          stream: false,
          responseFormat: {
            type: "json",
            schema: replyJsonSchema(),
            name: "configuration_proposals",
            description: "Proposed changes of the team configuration",
          },
          ...(this.options.maxTokens === undefined
            ? {}
            : { maxOutputTokens: this.options.maxTokens }),
        },
        { signal, clock, events: SILENT_SINK, runId: this.sessionId, agentId: "_configurator" },
      );
      addUsage(usage, response.usage);
      this.transcript.push({ role: "assistant", content: [{ type: "text", text: response.text }] });
      const checked = checkReply(response.text, team.lifecycle);
      if (checked.ok) {
        addUsage(this.total, usage);
        const proposals = checked.value.proposals.map((proposal) =>
          team.lifecycle.addProposal(
            new ConfigurationProposal({
              proposalId: team.lifecycle.nextProposalId(),
              changes: proposal.changes,
              reason: proposal.reason,
            }),
          ),
        );
        this.made.push(...proposals);
        this.last = { message: checked.value.message, proposals, usage };
        return this.last;
      }
      if (attempt >= maxRepairs) {
        addUsage(this.total, usage);
        throw new ConfigError(
          checked.issues.map((issue) => ({
            ...issue,
            message: `The configurator's answer is invalid after ${maxRepairs} corrections: ${issue.message}`,
          })),
        );
      }
      this.transcript.push(
        user(
          `Your answer was invalid, so nothing was proposed:\n${checked.issues.map((issue) => `- ${formatConfigIssue(issue)}`).join("\n")}\nAnswer again with the whole JSON object, fixed.`,
        ),
      );
    }
  }
}

type Checked =
  | { ok: true; value: z.output<typeof configuratorReplySchema> }
  | { ok: false; issues: ConfigIssue[] };

function checkReply(text: string, lifecycle: TeamLifecycle): Checked {
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
  const parsed = configuratorReplySchema.safeParse(json, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: toConfigIssues(parsed.error) };
  const issues: ConfigIssue[] = [];
  parsed.data.proposals.forEach((proposal, index) => {
    try {
      lifecycle.checkChanges(proposal.changes);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(
        ...error.issues.map((issue) => ({ ...issue, path: ["proposals", index, ...issue.path] })),
      );
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: parsed.data };
}

/** Models sometimes wrap JSON in a Markdown fence even when asked not to. */
function stripFence(text: string): string {
  const match = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return match ? match[1]! : text;
}

function user(text: string): LanguageModelV4Message {
  return { role: "user", content: [{ type: "text", text }] };
}

let cachedSchema: Record<string, unknown> | undefined;

/** The JSON Schema of the configurator's answer (for `responseFormat`). */
function replyJsonSchema(): Record<string, unknown> {
  if (!cachedSchema) {
    // Some providers refuse a `$schema` key inside response_format.
    const { $schema: _dialect, ...schema } = z.toJSONSchema(configuratorReplySchema, {
      io: "input",
      unrepresentable: "any",
    }) as Record<string, unknown>;
    cachedSchema = schema;
  }
  return cachedSchema;
}
