import * as z from "zod";
import { identifierSchema, strictObject } from "../config/strict-object.js";

/**
 * Settings of the workflow steps (agents of type `transform`, `http`, `human` and `switch`):
 * steps that run no model but are agents of the flow all the same (events, reports, replay).
 * Their defaults are in {@link STEP_DEFAULTS}.
 */

/** Defaults and bounds of workflow steps. */
export const STEP_DEFAULTS = {
  /** A transform's time limit, in ms. */
  transformTimeoutMs: 1_000,
  /** Largest input (the run's variables as JSON) a transform reads, in bytes. */
  transformMaxInputBytes: 1_000_000,
  /** Largest output a transform may produce (as JSON), in bytes. */
  transformMaxOutputBytes: 1_000_000,
  /** An http step's time limit per attempt, in ms. */
  httpTimeoutMs: 10_000,
  /** Largest http response body read, in bytes (a longer one fails the step). */
  httpMaxBytes: 1_000_000,
  /** Redirects an http step follows. */
  httpMaxRedirects: 5,
} as const;

/** Methods an http step may use. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** A JSONata expression (https://jsonata.org), checked when the configuration is given. */
const expressionSchema = z
  .string({ error: "expression must be a JSONata expression string." })
  .min(1, "expression must not be empty.");

/** `transform:` of a `type: transform` step: reshapes the run's variables with JSONata. */
export const transformStepSchema = strictObject(
  {
    /** A JSONata expression over the run's variables (input and outputs by name); its value is the step's output. */
    expression: expressionSchema,
    /** Time limit of one evaluation, in ms (default 1,000). */
    timeoutMs: z.number().int().positive().optional(),
    /** Largest input, the run's variables as JSON, in bytes (default 1,000,000). */
    maxInputBytes: z.number().int().positive().optional(),
    /** Largest output, as JSON, in bytes (default 1,000,000). */
    maxOutputBytes: z.number().int().positive().optional(),
  },
  "transform",
);

/** `http:` of a `type: http` step: one HTTP request, guarded like the `http_fetch` tool. */
export const httpStepSchema = strictObject(
  {
    /** Default GET. */
    method: z
      .enum(HTTP_METHODS, { error: `method must be one of ${HTTP_METHODS.join(", ")}.` })
      .optional(),
    /** The URL, a template: `{city}` inserts a variable, URL-encoded. */
    url: z.string({ error: "url must be a string (an http:// or https:// URL template)." }).min(1),
    /** Request headers; values may read the environment as `${NAME}` (secrets stay out of files). */
    headers: z.record(z.string(), z.string()).optional(),
    /** A text body, a template (`{name}` inserts a variable as text or JSON). */
    body: z.string().optional(),
    /**
     * A JSON body: any value; each string in it is a template, and a string that is exactly
     * `{name}` is replaced by the variable's value itself (objects and numbers stay what they are).
     */
    json: z.unknown().optional(),
    /**
     * A JSONata expression over `{ status, headers, body }` (body parsed when the response is
     * JSON); its value is the step's output. Default: the body.
     */
    response: expressionSchema.optional(),
    /** Hosts the step may reach (exact, or `*.example.com`). Default: any public host. */
    allowHosts: z.array(z.string().min(1)).optional(),
    /** Allow private, loopback and link-local addresses: `true`, or addresses and CIDR ranges. Default false. */
    allowPrivate: z.union([z.boolean(), z.array(z.string().min(1))]).optional(),
    /** Largest response body, in bytes (default 1,000,000); a longer one fails the step. */
    maxBytes: z.number().int().positive().optional(),
    /** Time limit of one attempt, redirects included, in ms (default 10,000). */
    timeoutMs: z.number().int().positive().optional(),
    /** Redirects followed (default 5). */
    maxRedirects: z.number().int().min(0).max(20).optional(),
  },
  "http",
);

/** What happens when nobody answers a human task in time. */
export const onTimeoutSchema = z.union(
  [z.enum(["approve", "reject", "fail"]), strictObject({ value: z.unknown() }, "onTimeout")],
  {
    error: 'onTimeout must be "approve", "reject", "fail" or { value: <the answer to use> }.',
  },
);

/** `human:` of a `type: human` step: a task for a person, answered through the run handle or the CLI. */
export const humanStepSchema = strictObject(
  {
    /** What the person is asked, a template (`{draft}` shows an earlier output). */
    prompt: z.string({ error: "prompt must be a string (what the person is asked)." }).min(1),
    /** Who should answer (a name, a team, an e-mail: shown with the task). */
    assignee: z.string().min(1).optional(),
    /** A JSON Schema the answer must match (`handle.answer(id, value)`). Default: any answer. */
    form: z.record(z.string(), z.unknown()).optional(),
    /** How long to wait for an answer, in ms (the run's clock). Default: no limit. */
    timeoutMs: z.number().int().positive().optional(),
    /** What a timeout does (default `fail`): approve, reject, fail the step, or answer `{ value }`. */
    onTimeout: onTimeoutSchema.optional(),
  },
  "human",
);

/** One case of a switch: the first whose condition holds picks its branch. */
export const switchCaseSchema = strictObject(
  {
    /** A condition in the flow condition language (`review.approved == true`), or a structured one. */
    when: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
      error: "when must be an expression such as 'review.approved == true' or { path, equals }.",
    }),
    /** The agent that runs when this case is the first to hold. */
    to: identifierSchema("to"),
  },
  "a switch case",
);

/** `switch:` of a `type: switch` step: routes the flow to one of its branches. */
export const switchStepSchema = strictObject(
  {
    /** Tried in order; the first that holds picks the branch. */
    cases: z.array(switchCaseSchema).min(1, "cases must list at least one { when, to }."),
    /** The branch when no case holds; without it, no branch runs then. */
    default: identifierSchema("default").optional(),
  },
  "switch",
);

/** Settings of a human task as written. */
export type HumanStepConfig = z.input<typeof humanStepSchema>;
/** Settings of an http step as written. */
export type HttpStepConfig = z.input<typeof httpStepSchema>;
/** Settings of a transform step as written. */
export type TransformStepConfig = z.input<typeof transformStepSchema>;
/** Settings of a switch step as written. */
export type SwitchStepConfig = z.input<typeof switchStepSchema>;
/** What a timeout of a human task does. */
export type HumanTimeoutAction = z.input<typeof onTimeoutSchema>;

/** The kinds of workflow step. */
export const STEP_TYPES = ["transform", "http", "human", "switch"] as const;
/** One of {@link STEP_TYPES}. */
export type StepType = (typeof STEP_TYPES)[number];

/** True for agents of a workflow-step type (they call no model). */
export function isStepType(type: string): type is StepType {
  return (STEP_TYPES as readonly string[]).includes(type);
}
