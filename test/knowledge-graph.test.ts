import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeCatalog, LLMTeam, graphExtractorOf, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { cli } from "./support/run-cli.js";

let dir: string;
let knowledge: KnowledgeCatalog;
let extractor: ScriptedModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-kag-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(
    join(dir, "docs", "history.md"),
    "# Ada\n\nAda Lovelace worked with Charles Babbage.\n\n## Engine\n\nCharles Babbage designed the Analytical Engine.",
  );
  extractor = new ScriptedModel({
    responses: [
      {
        object: {
          entities: [
            { name: "Ada Lovelace", type: "person" },
            { name: "Charles Babbage", type: "person" },
          ],
          relations: [
            { source: "Ada Lovelace", relation: "worked with", target: "Charles Babbage" },
          ],
        },
      },
      {
        object: {
          entities: [{ name: "Analytical Engine", type: "product" }],
          relations: [
            { source: "Charles Babbage", relation: "designed", target: "Analytical Engine" },
          ],
        },
      },
    ],
  });
  knowledge = new KnowledgeCatalog({ directory: join(dir, "kb") });
  const summary = await knowledge.create("history").ingest(["docs"], {
    cwd: dir,
    graph: graphExtractorOf({ name: "scripted/extractor", model: extractor }),
  });
  expect(summary).toMatchObject({ ingested: 1, chunks: 2, skipped: [] });
});

afterAll(async () => {
  await knowledge.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kag agents", () => {
  it("extract with structured output at ingest, one call per chunk", () => {
    expect(extractor.calls).toHaveLength(2);
    const format = extractor.calls[0]!.options.responseFormat;
    expect(format).toMatchObject({ type: "json", name: "knowledge_graph" });
    expect(JSON.stringify(extractor.calls[1]!.options.prompt)).toContain(
      "Charles Babbage designed the Analytical Engine.",
    );
  });

  it("walk the graph from the question's entities up to maxHops, with facts and their sources", async () => {
    const writer = new ScriptedModel({
      responses: [{ text: "He designed the Analytical Engine." }],
    });
    const team = new LLMTeam({
      teamId: "history",
      model: writer,
      knowledge,
      agents: [
        { type: "kag", role: "facts", knowledgeBase: "history", maxHops: 2 },
        { type: "llm", role: "writer", prompt: "{query}\n{context}" },
      ],
    });
    const stream = team.stream({ query: "What did the man Ada Lovelace worked with build?" });
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const result = await stream.result;
    expect(result.success).toBe(true);
    const facts = result.agentResults[0]!;
    expect(facts.facts).toEqual([
      {
        source: "Ada Lovelace",
        relation: "worked with",
        target: "Charles Babbage",
        hops: 1,
        document: "docs/history.md",
        chunk: 0,
      },
      {
        source: "Charles Babbage",
        relation: "designed",
        target: "Analytical Engine",
        hops: 2,
        document: "docs/history.md",
        chunk: 1,
      },
    ]);
    expect(facts.citations?.map((citation) => citation.chunk)).toEqual([0, 1]);
    const prompt = JSON.stringify(writer.calls[0]!.options.prompt);
    expect(prompt).toContain(
      "Facts:\\n- Ada Lovelace worked with Charles Babbage (docs/history.md, chunk 0)\\n- Charles Babbage designed Analytical Engine",
    );
    expect(events.find((event) => event.type === "retrieval")).toMatchObject({
      data: { mode: "graph" },
    });

    const oneHop = new LLMTeam({
      teamId: "h",
      knowledge,
      agents: [
        {
          type: "kag",
          role: "facts",
          knowledgeBase: "history",
          maxHops: 1,
          includeRelations: false,
        },
      ],
    });
    const near = await oneHop.run({ query: "Who did Ada Lovelace work with?" });
    expect(near.agentResults[0]!.facts).toBeUndefined();
    expect(near.finalOutput).toBe(
      "[1] Ada Lovelace worked with Charles Babbage.\n\nSources:\n[1] docs/history.md › Ada (chunk 0)",
    );
    const filtered = new LLMTeam({
      teamId: "h",
      knowledge,
      agents: [{ type: "kag", role: "facts", knowledgeBase: "history", entityTypes: ["product"] }],
    });
    expect((await filtered.run({ query: "Ada Lovelace" })).finalOutput).toBe(
      'No passages of knowledge base "history" match: Ada Lovelace',
    );
  });

  it("llmteam kb query --mode graph prints the facts and their sources", async () => {
    const { code, stdout } = await cli([
      "kb",
      "query",
      "Ada Lovelace",
      "--kb",
      "history",
      "--kb-dir",
      join(dir, "kb"),
      "--mode",
      "graph",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Facts:\n- Ada Lovelace worked with Charles Babbage \(docs\/history\.md, chunk 0\)\n- Charles Babbage designed Analytical Engine/,
    );
  });

  it("rejects rag-only keys on kag agents and kag-only keys on rag agents", () => {
    expect(
      () =>
        new LLMTeam({
          teamId: "h",
          knowledge,
          agents: [{ type: "rag", role: "r", knowledgeBase: "history", maxHops: 3 }],
        }),
    ).toThrow(
      'agents.0.maxHops: maxHops does not apply to an agent of type "rag": it is a key of "kag" agents.',
    );
  });
});
