import * as z from "zod";
import { modelPriceSchema } from "../config/price-schema.js";

/** One provider declared in a team file or in `new LLMTeam({ providers })`. */
export const providerConfigSchema = z
  .strictObject({
    /** Which AI SDK provider package speaks to it. */
    type: z.enum(["openai", "anthropic", "openai-compatible"], {
      error: (issue) =>
        `Unknown provider type ${JSON.stringify(issue.input)}. Valid types: openai, anthropic, openai-compatible.`,
    }),
    /** Server address, e.g. `http://127.0.0.1:8080/v1`. Required for `openai-compatible`. */
    baseURL: z.string().optional(),
    /** API key. Write `${ENV_VAR}` to read it from the environment, so keys stay out of files. */
    apiKey: z.string().optional(),
    /** Extra HTTP headers sent with every request. */
    headers: z.record(z.string(), z.string()).optional(),
    /**
     * Send an `outputSchema` (and router decisions) as `response_format: { type: "json_schema" }`
     * so the server can constrain the answer (`openai-compatible` only; default true). `false`
     * sends `{ type: "json_object" }` without the schema, for servers that refuse `json_schema`.
     */
    structuredOutputs: z.boolean().optional(),
    /**
     * Which OpenAI API a `type: openai` provider calls: `responses` (`/v1/responses`) or `chat`
     * (`/v1/chat/completions`). Default: `responses` for OpenAI itself, `chat` when `baseURL`
     * points elsewhere (compatible servers speak chat completions).
     */
    api: z
      .enum(["responses", "chat"], {
        error: (issue) =>
          `Unknown api ${JSON.stringify(issue.input)}. Valid: responses, chat (type openai only).`,
      })
      .optional(),
    /**
     * The price of every model of this provider (`<name>/…`), for self-hosted and custom
     * servers; a model priced by name under the team's `pricing:` wins. See docs/cost.md.
     */
    pricing: modelPriceSchema.optional(),
  })
  .refine((config) => config.type !== "openai-compatible" || config.baseURL !== undefined, {
    message: "An openai-compatible provider needs a baseURL, e.g. http://127.0.0.1:8080/v1.",
    path: ["baseURL"],
  })
  .refine((config) => config.baseURL === undefined || /^(https?:\/\/|\$\{)/i.test(config.baseURL), {
    error: (issue) =>
      `baseURL must start with http:// or https:// (got ${JSON.stringify((issue.input as { baseURL?: unknown }).baseURL)}), e.g. http://127.0.0.1:8080/v1.`,
    path: ["baseURL"],
  })
  .refine((config) => config.api === undefined || config.type === "openai", {
    message: "api applies to type openai only (responses or chat).",
    path: ["api"],
  })
  .refine(
    (config) => config.structuredOutputs === undefined || config.type === "openai-compatible",
    {
      message:
        "structuredOutputs applies to type openai-compatible only (openai always sends json_schema).",
      path: ["structuredOutputs"],
    },
  );

/** A provider as users write it. */
export type ProviderConfig = z.input<typeof providerConfigSchema>;

/** Providers by name: the part before `/` in `"lab/qwen2.5-7b-instruct"`. */
export const providersSchema = z.record(
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, "A provider name may use letters, digits, '_', '.' and '-'."),
  providerConfigSchema,
);
