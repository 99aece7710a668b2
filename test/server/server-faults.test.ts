import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLMGroup, LLMTeam } from "llmteam";
import type { LLMTeamServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { body, closeOpened, get, post, pressTeam, serverWith } from "./support/server-fixtures.js";

/** An OpenAPI operation as the document describes it (the parts the table reads). */
interface Operation {
  parameters: { name: string; in: "path" | "query"; schema: Record<string, unknown> }[];
  requestBody?: { content: { "application/json": { schema: JsonSchema } } };
}
interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
}

/** A request body each route accepts, so that a case can get past the body to what it tests. */
const VALID_BODIES: Record<string, unknown> = {
  "POST /teams/{teamId}/runs": { input: "tides" },
  "POST /runs/{runId}/approvals/{approvalId}/reject": { reason: "Not now." },
  "POST /runs/{runId}/approvals/{approvalId}/answer": { value: true },
  "POST /teams": {
    config: { teamId: "made", agents: [{ type: "llm", role: "w", prompt: "{query}" }] },
  },
  "POST /validate": { config: { teamId: "checked" } },
  "POST /teams/{teamId}/state": { state: "ready" },
  "POST /teams/{teamId}/proposals": { changes: [{ op: "updateTeam", set: { description: "d" } }] },
  "POST /teams/{teamId}/proposals/{proposalId}/reject": { reason: "No." },
  "POST /groups/{groupId}/runs": { input: "tides" },
  "POST /v1/chat/completions": { model: "press", messages: [{ role: "user", content: "tides" }] },
};

const UNKNOWN: Record<string, string> = {
  teamId: "nope-team",
  runId: "run_nope",
  approvalId: "nope-approval",
  proposalId: "nope-proposal",
  groupId: "nope-group",
  model: "nope-model",
  file: "nope-file.js",
};

let server: LLMTeamServer;
let operations: { key: string; method: string; path: string; operation: Operation }[];
const known: Record<string, string> = {};

beforeAll(async () => {
  const model = new ScriptedModel({ responses: () => "text" });
  const member = new LLMTeam({
    teamId: "member",
    model: "m/x",
    models: { "m/x": model },
    agents: [{ type: "llm", role: "w", prompt: "{query}" }],
  });
  server = await serverWith(model, (store) => [
    pressTeam(store, model),
    new LLMGroup({ groupId: "desk", teams: [member] }),
  ]);
  const run = await body(await server.fetch(post("/teams/press/runs?wait=true", { input: "x" })));
  const groupRun = await body(
    await server.fetch(post("/groups/desk/runs?wait=true", { input: "x" })),
  );
  const proposal = await body(
    await server.fetch(
      post("/teams/press/proposals", VALID_BODIES["POST /teams/{teamId}/proposals"]),
    ),
  );
  Object.assign(known, {
    teamId: "press",
    runId: run.runId,
    groupRunId: groupRun.runId,
    approvalId: "approval-1",
    proposalId: proposal.proposalId,
    groupId: "desk",
    model: "press",
    file: "viewer.js",
  });
  const document = await body(await server.fetch(get("/openapi.json")));
  operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
    ([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operation,
      })),
  );
});
afterAll(closeOpened);

/** The path with its `{name}` parameters filled in. */
function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) =>
    name === "runId" && path.startsWith("/group-runs") && ids.groupRunId
      ? ids.groupRunId
      : ids[name]!,
  );
}

/** Asserts a 4xx RFC 9457 problem document without internals, and returns it. */
async function expectProblem(
  response: Response,
  label: string,
  status?: number,
): Promise<{ detail: string; status: number }> {
  const text = await response.text();
  expect(response.status, `${label}: ${text}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${label}: ${text}`).toBeLessThan(500);
  if (status !== undefined) expect(response.status, `${label}: ${text}`).toBe(status);
  expect(response.headers.get("content-type"), label).toBe("application/problem+json");
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem, label).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: response.status,
    detail: expect.any(String),
  });
  expect(text, `${label} leaks internals`).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
  return problem as { detail: string; status: number };
}

/** A JSON value of a type the schema does not allow (undefined when it allows anything). */
function wrongValue(schema: JsonSchema): unknown {
  const options = schema.anyOf ?? schema.oneOf ?? [schema];
  const types = new Set(options.flatMap((option) => [option.type ?? []].flat()));
  if (types.size === 0) return options.some((option) => option.properties) ? 12345 : undefined;
  const candidates: [string, unknown][] = [
    ["number", 12345],
    ["string", "text"],
    ["boolean", true],
    ["array", ["a"]],
    ["object", { a: 1 }],
  ];
  return candidates.find(
    ([type]) => !types.has(type) && !(type === "number" && types.has("integer")),
  )?.[1];
}

/** A query value the parameter's schema refuses (undefined when none is known). */
function wrongQuery(schema: Record<string, unknown>): string | undefined {
  if (schema.enum) return "not-a-choice";
  if (schema.type === "integer" || schema.type === "number") return "abc";
  if (schema.format === "date-time") return "yesterday";
  if (schema.minLength === 1) return "";
  return undefined;
}

function request(method: string, url: string, init: RequestInit = {}): Request {
  return new Request(`http://x${url}`, { method, ...init });
}

const json = (value: unknown): RequestInit => ({
  headers: { "content-type": "application/json" },
  body: typeof value === "string" ? value : JSON.stringify(value),
});

describe("server faults, for every route of /openapi.json", () => {
  it("has a valid body in the table for every route that takes one", () => {
    const withBody = operations
      .filter(({ operation }) => operation.requestBody)
      .map(({ key }) => key);
    expect(withBody.sort()).toEqual(Object.keys(VALID_BODIES).sort());
  });

  it("answers unknown ids with a 404 naming the id", async () => {
    for (const { key, method, path } of operations) {
      if (!path.includes("{")) continue;
      const url = fill(path, UNKNOWN);
      const valid = VALID_BODIES[key];
      const response = await server.fetch(
        request(method, url, valid === undefined ? {} : json(valid)),
      );
      const problem = await expectProblem(response, key, 404);
      const first = path.match(/\{(\w+)\}/)![1]!;
      expect(problem.detail, key).toContain(UNKNOWN[first]);
    }
  });

  it("answers a wrong method with a 405 and Allow, never a 500", async () => {
    const byPath = new Map<string, string[]>();
    for (const { method, path } of operations)
      byPath.set(path, [...(byPath.get(path) ?? []), method]);
    for (const [path, methods] of byPath) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (methods.includes(method)) continue;
        const response = await server.fetch(request(method, fill(path, known)));
        await expectProblem(response, `${method} ${path}`, 405);
        expect(response.headers.get("allow")?.split(", ").sort(), path).toEqual(methods.sort());
      }
    }
  });

  it("answers malformed JSON 400, a non-JSON body 415, an oversized body 413", async () => {
    for (const { key, method, path, operation } of operations) {
      if (!operation.requestBody) continue;
      const url = fill(path, known);
      for (const text of ["{", '{"input": }', "", "nul"]) {
        const problem = await expectProblem(
          await server.fetch(request(method, url, json(text))),
          `${key} ${JSON.stringify(text)}`,
          400,
        );
        expect(problem.detail).toContain("The request body is not valid JSON");
      }
      await expectProblem(
        await server.fetch(
          request(method, url, { headers: { "content-type": "text/plain" }, body: "hi" }),
        ),
        `${key} text/plain`,
        415,
      );
      await expectProblem(
        await server.fetch(request(method, url, json({ padding: "x".repeat(1024 * 1024 + 1) }))),
        `${key} oversized`,
        413,
      );
    }
  });

  it("answers unknown fields, wrong types and a non-object body with a 422 naming the field", async () => {
    for (const { key, method, path, operation } of operations) {
      const schema = operation.requestBody?.content["application/json"].schema;
      if (!schema) continue;
      const url = fill(path, known);
      const valid = VALID_BODIES[key] as Record<string, unknown>;
      // Strict bodies refuse unknown fields (the OpenAI-compatible one takes a client's extras).
      if (schema.additionalProperties === false) {
        const unknownField = await expectProblem(
          await server.fetch(request(method, url, json({ ...valid, bogusField: 1 }))),
          `${key} unknown field`,
          422,
        );
        expect(unknownField.detail, key).toContain("bogusField");
      }
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const wrong = wrongValue(property);
        if (wrong === undefined) continue;
        const problem = await expectProblem(
          await server.fetch(request(method, url, json({ ...valid, [name]: wrong }))),
          `${key} ${name}=${JSON.stringify(wrong)}`,
          422,
        );
        expect(problem.detail, key).toContain(name);
      }
      for (const notObject of [[], "text", 42, null]) {
        await expectProblem(
          await server.fetch(request(method, url, json(JSON.stringify(notObject)))),
          `${key} body ${JSON.stringify(notObject)}`,
          422,
        );
      }
    }
  });

  it("answers unknown and invalid query parameters with a 422 naming them", async () => {
    for (const { key, method, path, operation } of operations) {
      const query = operation.parameters.filter((parameter) => parameter.in === "query");
      if (query.length === 0) continue;
      const url = fill(path, known);
      const valid = VALID_BODIES[key];
      const init = valid === undefined ? {} : json(valid);
      const unknown = await expectProblem(
        await server.fetch(request(method, `${url}?bogusParam=1`, init)),
        `${key} ?bogusParam`,
        422,
      );
      expect(unknown.detail).toContain("bogusParam");
      for (const parameter of query) {
        const wrong = wrongQuery(parameter.schema);
        if (wrong === undefined) continue;
        const problem = await expectProblem(
          await server.fetch(
            request(method, `${url}?${parameter.name}=${encodeURIComponent(wrong)}`, init),
          ),
          `${key} ?${parameter.name}=${wrong}`,
          422,
        );
        expect(problem.detail).toContain(parameter.name);
      }
    }
  });

  it("answers an unknown path with a 404 pointing at /openapi.json", async () => {
    const problem = await expectProblem(await server.fetch(get("/nowhere")), "/nowhere", 404);
    expect(problem.detail).toBe("No route GET /nowhere. The API is described at /openapi.json.");
  });
});
