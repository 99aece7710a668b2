import type { LanguageModelV4Message } from "@ai-sdk/provider";
import { createCostMiddleware } from "../../cost/cost-middleware.js";
import { CostTracker, type RunCost } from "../../cost/cost-tracker.js";
import { PricingRegistry } from "../../cost/pricing-registry.js";
import { ConfigError, formatConfigIssue, type ConfigIssue } from "../../errors/config-error.js";
import { TeamBuildError } from "../../errors/team-build-error.js";
import { addUsage, emptyUsage, type Usage } from "../../events/usage.js";
import { systemClock } from "../../internal/clock.js";
import { buildModelPipeline } from "../../pipeline/model-pipeline.js";
import type { ProviderConfig } from "../../providers/provider-config.js";
import { ModelRegistry } from "../../providers/model-registry.js";
import { MemoryBreakerStore } from "../../resilience/breaker-store.js";
import { KnowledgeCatalog } from "../../knowledge/knowledge-catalog.js";
import { ToolRegistry } from "../../tools/tool-registry.js";
import { LLMTeam } from "../llm-team.js";
import type { TeamConfig } from "../team-config.js";
import type { TeamRuntimeOptions } from "../team-runtime-options.js";
import { builderInstructions, type AvailableTool } from "./builder-prompt.js";
import {
  blueprintConfig,
  blueprintJsonSchema,
  checkBlueprintTeam,
  parseBlueprint,
  type TeamBlueprint,
} from "./team-blueprint.js";

/** Options of {@link buildTeam}: the designer's model, and the runtime of the team it designs. */
export interface BuildTeamOptions extends TeamRuntimeOptions {
  /** The model that designs the team, `provider/model` (its calls go through the model pipeline). */
  model: string;
  /** The designed team's `model` (default: none, so its runs use their default model). */
  teamModel?: string;
  /** Providers for the designer's model, as under `providers:` in a team file. */
  providers?: Record<string, ProviderConfig>;
  /**
   * Answers the designer's clarifying questions (at most 3, asked once), e.g. in a terminal.
   * Without it, the designer is told to make assumptions instead of asking.
   */
  ask?: (questions: string[]) => Promise<string[]>;
  /** Times the designer may fix an invalid answer after being told what was wrong (default 2). */
  maxRepairs?: number;
  /** Most output tokens of one of the designer's answers (default 4,096). */
  maxTokens?: number;
  /** Extra instructions for the designer, appended to its system prompt. */
  instructions?: string;
  /** Called with the problems of each refused answer, before the designer is asked again. */
  onInvalidAnswer?: (event: { answer: number; issues: ConfigIssue[] }) => void;
  /** Cancels the model call in flight. */
  signal?: AbortSignal;
}

/** What {@link buildTeam} returns: a checked team configuration and the team built from it. */
export interface BuildTeamResult {
  /** The team as configuration data: `llmteam validate` accepts it written as YAML or JSON. */
  config: TeamConfig;
  /** The team, built with the runtime options given. */
  team: LLMTeam;
  /** The questions asked and the answers given. */
  questions: { question: string; answer: string }[];
  /** Answers the designer gave (questions, refused answers and the accepted one). */
  answers: number;
  /** Tokens of every answer. */
  usage: Usage;
  /** What the designer's calls cost. */
  cost: RunCost;
}

const SILENT_SINK = { emit: () => undefined };
let builds = 0;

/**
 * Designs a team for a task with a model: the model answers a blueprint (structured output:
 * 1–6 `llm` agents with unique roles, prompts, tools from those that exist, output caps), the
 * blueprint is checked as a team file is (prompt variables, tools, flow, models) plus the
 * builder's rules, and an invalid answer is sent back with its problems (`maxRepairs` times).
 * When the task is ambiguous and `ask` is given, the model may ask up to 3 questions first.
 *
 * @throws TeamBuildError when the answers stay invalid; nothing is built then.
 * @throws the model call's error (e.g. `ProviderError`).
 * @example
 * const { config, team } = await buildTeam("Answer billing questions from our FAQ", {
 *   model: "openai/gpt-4o-mini",
 * });
 * const result = await team.run({ query: "Why was I charged twice?" });
 */
export async function buildTeam(task: string, options: BuildTeamOptions): Promise<BuildTeamResult> {
  if (typeof task !== "string" || task.trim().length === 0)
    throw new ConfigError("buildTeam needs a task: a sentence saying what the team is for.");
  const designer = await Designer.open(options);
  // The task (and answers to questions), then only the last refused answer and its problems:
  // the prompt stays the same size however many corrections are made.
  const conversation: LanguageModelV4Message[] = [user(`Task: ${task.trim()}`)];
  let correction: LanguageModelV4Message[] = [];
  const questions: { question: string; answer: string }[] = [];
  const maxRepairs = options.maxRepairs ?? 2;
  let canAsk = options.ask !== undefined;
  let repairs = 0;
  try {
    for (;;) {
      const text = await designer.answer([...conversation, ...correction], canAsk);
      const checked = designer.check(text, canAsk);
      if ("questions" in checked) {
        const answers = await options.ask!(checked.questions);
        checked.questions.forEach((question, index) =>
          questions.push({ question, answer: answers[index]?.trim() || "(no answer)" }),
        );
        canAsk = false;
        correction = [];
        conversation.push(
          assistant(text),
          user(
            `Answers:\n${questions.map((entry) => `- ${entry.question} ${entry.answer}`).join("\n")}\nNow design the team: "questions": [] and the team.`,
          ),
        );
        continue;
      }
      if ("config" in checked) {
        const team = LLMTeam.fromConfig(checked.config, designer.runtime);
        const { usage, answers } = designer;
        return { config: checked.config, team, questions, answers, usage, cost: designer.end() };
      }
      options.onInvalidAnswer?.({ answer: designer.answers, issues: checked.issues });
      if (repairs++ >= maxRepairs) throw new TeamBuildError(checked.issues, designer.answers);
      correction = [
        assistant(text.slice(0, MAX_QUOTED_ANSWER_CHARS)),
        user(
          `Your answer was invalid, so no team was made:\n${checked.issues.map((issue) => `- ${formatConfigIssue(issue)}`).join("\n")}\nAnswer again with the whole JSON object, fixed.`,
        ),
      ];
    }
  } finally {
    designer.close();
  }
}

/** Most characters of a refused answer quoted back with its problems. */
const MAX_QUOTED_ANSWER_CHARS = 4_000;

type Checked = { questions: string[] } | { config: TeamConfig } | { issues: ConfigIssue[] };

/** The designer's model calls, through a pipeline of its own, and the checks of its answers. */
class Designer {
  readonly usage: Usage = emptyUsage();
  answers = 0;
  private readonly runId = `team_builder_${++builds}`;
  private ended: RunCost | undefined;

  private constructor(
    private readonly options: BuildTeamOptions,
    private readonly tools: AvailableTool[],
    private readonly tracker: CostTracker,
    private readonly call: ReturnType<typeof buildModelPipeline>,
    private readonly model: Awaited<ReturnType<ModelRegistry["resolve"]>>,
    readonly runtime: TeamRuntimeOptions,
  ) {
    tracker.startRun(this.runId, "team_builder");
  }

  static async open(options: BuildTeamOptions): Promise<Designer> {
    const {
      model,
      teamModel,
      providers,
      ask: _ask,
      maxRepairs: _maxRepairs,
      maxTokens: _maxTokens,
      instructions: _instructions,
      onInvalidAnswer: _onInvalidAnswer,
      signal: _signal,
      ...runtime
    } = options;
    const clock = runtime.clock ?? systemClock;
    const tracker =
      runtime.costTracker ??
      new CostTracker({ pricing: runtime.pricing ?? new PricingRegistry({ clock }), clock });
    const registry = new ModelRegistry({
      ...(providers ? { providers } : {}),
      ...(runtime.models ? { models: runtime.models } : {}),
      ...(runtime.env ? { env: runtime.env } : {}),
    });
    const call = buildModelPipeline(
      { retryPolicy: undefined, circuitBreaker: undefined, timeoutMs: undefined },
      {
        cost: createCostMiddleware({ tracker, teamId: "team_builder" }),
        middleware: runtime.middleware ?? [],
        breakerStore: new MemoryBreakerStore(),
        breakerKeyPrefix: "team_builder:",
      },
    );
    const resolved = await registry.resolve(model);
    const teamRuntime: TeamRuntimeOptions = {
      ...withoutUndefined(runtime),
      costTracker: tracker,
      defaultModel: runtime.defaultModel ?? teamModel ?? model,
    };
    return new Designer(options, availableTools(runtime), tracker, call, resolved, teamRuntime);
  }

  /** One answer of the designer's model, its usage counted. */
  async answer(transcript: LanguageModelV4Message[], canAsk: boolean): Promise<string> {
    const { options } = this;
    const system = builderInstructions({ tools: this.tools, canAsk, extra: options.instructions });
    const response = await this.call(
      {
        model: this.model,
        prompt: [{ role: "system", content: system }, ...transcript],
        stream: false,
        maxOutputTokens: options.maxTokens ?? 4_096,
        responseFormat: {
          type: "json",
          schema: blueprintJsonSchema(),
          name: "team_blueprint",
          description: "A team of LLM agents for the task, or clarifying questions",
        },
      },
      {
        signal: options.signal ?? new AbortController().signal,
        clock: options.clock ?? systemClock,
        events: SILENT_SINK,
        runId: this.runId,
        agentId: "_team_builder",
      },
    );
    this.answers++;
    addUsage(this.usage, response.usage);
    return response.text;
  }

  /** Questions to ask, a checked configuration, or what is wrong with the answer. */
  check(text: string, canAsk: boolean): Checked {
    const parsed = parseBlueprint(text);
    if (!parsed.ok) return { issues: parsed.issues };
    const { questions, team } = parsed.value;
    if (canAsk && questions.length > 0) return { questions };
    if (!team)
      return {
        issues: [
          {
            path: ["team"],
            message: canAsk
              ? "team is null and there are no questions: give the team (or ask questions)."
              : "team is null: questions cannot be asked now; design the team with reasonable assumptions.",
          },
        ],
      };
    return this.checkTeam(team);
  }

  private checkTeam(team: NonNullable<TeamBlueprint["team"]>): Checked {
    const config = blueprintConfig(team, { model: this.options.teamModel });
    const issues = [...checkBlueprintTeam(team)];
    const { errors } = LLMTeam.checkConfig({ ...config, ...this.runtime });
    issues.push(...errors.map((issue) => ({ ...issue, path: ["team", ...issue.path] })));
    return issues.length > 0 ? { issues } : { config };
  }

  /** Ends the designer's cost run (once) and returns its cost. */
  end(): RunCost {
    this.ended ??= this.tracker.endRun(this.runId);
    return this.ended;
  }

  close(): void {
    if (this.tracker.isActive(this.runId)) this.end();
  }
}

/** The tools a designed team may name: registered ones and built-ins that need no options. */
function availableTools(runtime: TeamRuntimeOptions): AvailableTool[] {
  const registry = new ToolRegistry({ tools: runtime.tools ?? [] });
  const tools: AvailableTool[] = [];
  const knowledge = runtime.knowledge ?? KnowledgeCatalog.shared();
  for (const name of registry.names) {
    // Searching knowledge needs a knowledge base: offered only when there is one.
    if (name === "knowledge_search" && knowledge.names().length === 0) continue;
    try {
      const definition = registry.get(name);
      if (definition) tools.push({ name, description: definition.description });
    } catch {
      // A built-in that needs options (e.g. an allow-list) is left out.
    }
  }
  return tools;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function assistant(text: string): LanguageModelV4Message {
  return { role: "assistant", content: [{ type: "text", text }] };
}

function user(text: string): LanguageModelV4Message {
  return { role: "user", content: [{ type: "text", text }] };
}
