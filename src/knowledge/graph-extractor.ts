import * as z from "zod";
import { CostTracker } from "../cost/cost-tracker.js";
import { createCostMiddleware } from "../cost/cost-middleware.js";
import { systemClock } from "../internal/clock.js";
import { buildModelPipeline } from "../pipeline/model-pipeline.js";
import type { CallContext, ResolvedModel } from "../providers/model-call.js";
import { MemoryBreakerStore } from "../resilience/breaker-store.js";
import type { RetryPolicyOptions } from "../resilience/retry-policy.js";
import type { GraphExtractor } from "./knowledge-base.js";

/** Options of {@link graphExtractorOf}. */
export interface GraphExtractorOptions {
  /** Entity types to look for (default: person, organization, place, product, concept, event). */
  entityTypes?: string[];
  /** Retries of failed calls (default: 3, exponential backoff). */
  retryPolicy?: RetryPolicyOptions | false;
  /** Counts the extraction calls' tokens and cost (default: a tracker of its own). */
  costTracker?: CostTracker;
  /** Most output tokens per call (default 1,000). */
  maxTokens?: number;
}

/** The default entity types KAG extraction asks for. */
export const DEFAULT_ENTITY_TYPES = [
  "person",
  "organization",
  "place",
  "product",
  "concept",
  "event",
] as const;

const graphSchema = z.object({
  entities: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) })),
  relations: z.array(
    z.object({ source: z.string().min(1), relation: z.string().min(1), target: z.string().min(1) }),
  ),
});

/**
 * A {@link GraphExtractor} that asks a model for the entities and relations of each chunk with
 * structured output (a JSON Schema), through the same pipeline as agents' calls: retries,
 * circuit breaker, per-attempt timeout, cost layer.
 * @throws Error (from the extractor) when the answer is not the JSON asked for.
 */
export function graphExtractorOf(
  model: ResolvedModel,
  options: GraphExtractorOptions = {},
): GraphExtractor {
  const tracker = options.costTracker ?? new CostTracker();
  const call = buildModelPipeline(
    { retryPolicy: options.retryPolicy, circuitBreaker: undefined, timeoutMs: undefined },
    {
      cost: createCostMiddleware({ tracker, teamId: "knowledge" }),
      middleware: [],
      breakerStore: new MemoryBreakerStore(),
      breakerKeyPrefix: "knowledge:",
    },
  );
  const types = options.entityTypes ?? [...DEFAULT_ENTITY_TYPES];
  const system = `You extract a knowledge graph from text. List the named entities (types: ${types.join(", ")}) and the relations between them stated in the text, as JSON. Relations are short verb phrases ("works at", "is part of"). Use entity names exactly as written. Only what the text says.`;
  return async (text, signal) => {
    const context: CallContext = {
      signal: signal ?? new AbortController().signal,
      clock: systemClock,
      events: { emit: () => undefined },
      runId: "ingest",
      agentId: "graph_extractor",
    };
    const response = await call(
      {
        model,
        prompt: [
          { role: "system", content: system },
          { role: "user", content: [{ type: "text", text }] },
        ],
        responseFormat: {
          type: "json",
          name: "knowledge_graph",
          schema: z.toJSONSchema(graphSchema) as never,
        },
        maxOutputTokens: options.maxTokens ?? 1_000,
        stream: false,
      },
      context,
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.text.replace(/^```(?:json)?\s*|\s*```$/g, ""));
    } catch {
      throw new Error(`${response.model} answered graph extraction with text that is not JSON.`);
    }
    const checked = graphSchema.safeParse(parsed);
    if (!checked.success)
      throw new Error(
        `${response.model} answered graph extraction with JSON that does not match: ${checked.error.issues[0]?.message ?? "invalid"}.`,
      );
    return checked.data;
  };
}
