import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { loadTeamOrGroup, LLMGroup } from "./index.js";
import { KnowledgeCatalog } from "../knowledge/knowledge-catalog.js";
import { lastUserText } from "../../test/support/orchestration-helpers.js";

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
};

/** A value matching a JSON Schema: the first enum value, true, 0.9, "text". */
function sample(schema: Schema): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value)]),
      );
    case "boolean":
      return true;
    case "number":
    case "integer":
      return 0.9;
    default:
      return "text";
  }
}

/** Answers like a cooperative model: text for text, valid JSON for structured output, routers that use two agents then stop. */
function exampleModel(): ScriptedModel {
  let decisions = 0;
  return new ScriptedModel({
    responses: ({ options }: { options: LanguageModelV4CallOptions }): ScriptedResponse => {
      const format = options.responseFormat;
      if (format?.type === "json" && format.schema) {
        const schema = format.schema as Schema;
        const ids = (schema.properties?.nextAgent?.enum ?? []).filter((id) => id !== "");
        if (schema.properties?.nextAgent) {
          const next = ids[decisions++];
          return {
            object:
              next === undefined
                ? { nextAgent: "", reason: "complete", done: true }
                : { nextAgent: next, reason: "next", done: false },
          };
        }
        return { object: sample(schema) };
      }
      return `${lastUserText(options).split(":")[0]} output`;
    },
  });
}

/** The `docs` knowledge base examples/knowledge-docs.yaml reads, built once from docs/ in a temp folder. */
let docs: Promise<KnowledgeCatalog> | undefined;
function docsKnowledge(): Promise<KnowledgeCatalog> {
  docs ??= (async () => {
    const directory = mkdtempSync(join(tmpdir(), "llmteam-examples-kb-"));
    const catalog = new KnowledgeCatalog({ directory });
    const root = new URL("../../", import.meta.url).pathname;
    await catalog.create("docs").ingest(["docs"], { cwd: root, chunking: { maxTokens: 120 } });
    return catalog;
  })();
  return docs;
}

afterAll(async () => {
  const catalog = await docs;
  if (!catalog) return;
  await catalog.close();
  rmSync(catalog.directory, { recursive: true, force: true });
});

const files = readdirSync(new URL("../../examples/", import.meta.url)).filter((name) =>
  name.endsWith(".yaml"),
);

describe("examples", () => {
  it("has a YAML example per mode", () => {
    for (const name of [
      "flow-chain",
      "flow-branches",
      "flow-loop",
      "flow-nested",
      "router",
      "group-report-collector",
      "group-coordinator",
      "group-router",
      "group-aggregator",
      "group-arbiter",
    ]) {
      expect(files).toContain(`${name}.yaml`);
    }
  });

  it.each(files)("%s loads and runs on a scripted model", async (name) => {
    const model = exampleModel();
    const loaded = await loadTeamOrGroup(
      new URL(`../../examples/${name}`, import.meta.url).pathname,
      {
        models: { "openai/gpt-4o-mini": model },
        defaultModel: "openai/gpt-4o-mini",
        knowledge: await docsKnowledge(),
      },
    );
    const result = await loaded.run({ query: "test question" });
    const run =
      loaded instanceof LLMGroup
        ? (result as Awaited<ReturnType<LLMGroup["run"]>>).run
        : (result as Awaited<ReturnType<Exclude<typeof loaded, LLMGroup>["run"]>>);
    expect(run.error).toBeUndefined();
    expect(run.success).toBe(true);
    expect(model.callsMade).toBeGreaterThan(0);
    expect(result.report.toMarkdown()).toContain("Status: **completed**");
  });

  it("flow-chain runs the researcher and the critic both, before the writer", async () => {
    const model = exampleModel();
    const team = await loadTeamOrGroup(
      new URL("../../examples/flow-chain.yaml", import.meta.url).pathname,
      { models: { "openai/gpt-4o-mini": model } },
    );
    const result = await team.run("q");
    expect("agentsCalled" in result && result.agentsCalled).toEqual([
      "planner",
      "researcher",
      "critic",
      "writer",
    ]);
    expect(lastUserText(model.calls[3]!.options)).toContain("researcher output");
    expect(lastUserText(model.calls[3]!.options)).toContain("critic output");
  });

  it("flow-branches runs only the billing branch for a billing triage", async () => {
    const team = await loadTeamOrGroup(
      new URL("../../examples/flow-branches.yaml", import.meta.url).pathname,
      { models: { "openai/gpt-4o-mini": exampleModel() } },
    );
    const result = await team.run("q");
    expect("agentsCalled" in result && result.agentsCalled).toEqual(["triage", "billing", "reply"]);
  });
});
