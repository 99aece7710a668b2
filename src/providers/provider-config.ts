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
     * The price of every model of this provider (`<name>/…`), for self-hosted and custom
     * servers; a model priced by name under the team's `pricing:` wins. See docs/cost.md.
     */
    pricing: modelPriceSchema.optional(),
  })
  .refine((config) => config.type !== "openai-compatible" || config.baseURL !== undefined, {
    message: "An openai-compatible provider needs a baseURL, e.g. http://127.0.0.1:8080/v1.",
    path: ["baseURL"],
  });

/** A provider as users write it. */
export type ProviderConfig = z.input<typeof providerConfigSchema>;

/** Providers by name: the part before `/` in `"lab/qwen2.5-7b-instruct"`. */
export const providersSchema = z.record(
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, "A provider name may use letters, digits, '_', '.' and '-'."),
  providerConfigSchema,
);
