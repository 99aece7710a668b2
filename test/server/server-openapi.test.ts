import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedModel } from "llmteam/testing";
import { body, closeOpened, get, pressTeam, serverWith } from "./support/server-fixtures.js";

/** Every route of the server: a route missing from the document (or one not listed here) fails. */
const ROUTES = [
  "GET /health",
  "GET /openapi.json",
  "POST /teams/{teamId}/runs",
  "GET /runs",
  "GET /runs/{runId}",
  "POST /runs/{runId}/cancel",
  "POST /runs/{runId}/pause",
  "POST /runs/{runId}/resume",
  "GET /runs/{runId}/approvals",
  "POST /runs/{runId}/approvals/{approvalId}/approve",
  "POST /runs/{runId}/approvals/{approvalId}/reject",
  "POST /runs/{runId}/approvals/{approvalId}/answer",
  "GET /runs/{runId}/events",
  "GET /runs/{runId}/cost",
  "GET /teams",
  "POST /teams",
  "POST /validate",
  "GET /teams/{teamId}",
  "POST /teams/{teamId}/state",
  "GET /teams/{teamId}/proposals",
  "POST /teams/{teamId}/proposals",
  "GET /teams/{teamId}/proposals/{proposalId}",
  "POST /teams/{teamId}/proposals/{proposalId}/approve",
  "POST /teams/{teamId}/proposals/{proposalId}/reject",
  "POST /teams/{teamId}/proposals/{proposalId}/apply",
  "GET /teams/{teamId}/budgets",
  "GET /budgets",
  "GET /groups",
  "GET /groups/{groupId}",
  "POST /groups/{groupId}/runs",
  "GET /group-runs",
  "GET /group-runs/{runId}",
  "GET /group-runs/{runId}/events",
  "POST /group-runs/{runId}/cancel",
  "GET /",
  "GET /viewer/{file}",
  "GET /v1/models",
  "GET /v1/models/{model}",
  "POST /v1/chat/completions",
];

interface Operation {
  operationId: string;
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}
type Document = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };

let document: Document;
beforeAll(async () => {
  const model = new ScriptedModel({ responses: [] });
  const server = await serverWith(model, (store) => [pressTeam(store, model)]);
  document = await body<Document>(await server.fetch(get("/openapi.json")));
});
afterAll(closeOpened);

const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      operation,
    })),
  );

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document (and the validator does refuse a broken one)", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const broken = structuredClone(document);
    broken.paths["/runs/{runId}"]!.get!.parameters[0]!.in = "body";
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("lists every route once, with a unique operationId", () => {
    const operations = operationsOf(document);
    expect(operations.map(({ key }) => key).sort()).toEqual([...ROUTES].sort());
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares every path parameter, the query parameters and the request body schemas", () => {
    for (const { key, path, operation } of operationsOf(document)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = operation.parameters.filter((parameter) => parameter.in === "path");
      expect(
        declared.map((parameter) => parameter.name),
        key,
      ).toEqual(inPath);
      expect(
        declared.every((parameter) => parameter.required),
        key,
      ).toBe(true);
      expect(operation.responses.default, key).toBeDefined();
    }
    const query = (key: string) =>
      operationsOf(document)
        .find((operation) => operation.key === key)!
        .operation.parameters.filter((parameter) => parameter.in === "query")
        .map((parameter) => parameter.name);
    expect(query("GET /runs")).toEqual(["status", "teamId", "since", "limit"]);
    expect(query("POST /teams/{teamId}/runs")).toEqual(["wait"]);
    expect(query("POST /runs/{runId}/resume")).toEqual(["force"]);
    expect(query("GET /teams/{teamId}/proposals")).toEqual(["status"]);
    expect(query("GET /group-runs/{runId}/events")).toEqual(["since"]);

    const bodyOf = (key: string) =>
      operationsOf(document).find((operation) => operation.key === key)!.operation.requestBody!
        .content["application/json"]!.schema;
    expect(bodyOf("POST /teams/{teamId}/state")).toMatchObject({
      type: "object",
      properties: { state: { enum: ["configuring", "ready"] } },
      required: ["state"],
      additionalProperties: false,
    });
    const changes = bodyOf("POST /teams/{teamId}/proposals") as {
      properties: { changes: { items: { oneOf?: { properties: { op: { const: string } } }[] } } };
    };
    const ops = (changes.properties.changes.items.oneOf ?? []).map(
      (option) => option.properties.op.const,
    );
    expect(ops).toEqual(["addAgent", "updateAgent", "removeAgent", "moveAgent", "updateTeam"]);
    expect(bodyOf("POST /teams")).toMatchObject({
      properties: { config: { type: "object" }, enforceLifecycle: { type: "boolean" } },
      required: ["config"],
    });
  });
});
