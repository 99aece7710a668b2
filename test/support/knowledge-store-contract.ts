/**
 * The behaviour every KnowledgeStore must have, as one vitest suite, run against SQLite and
 * Postgres: `describeKnowledgeStore("SqliteKnowledgeStore", () => new SqliteKnowledgeStore(...))`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KnowledgeStore, StoredChunk, StoredDocument } from "llmteam";

function document(path: string, extra: Partial<StoredDocument> = {}): StoredDocument {
  return {
    path,
    title: path.replace(/\..*$/, ""),
    format: "markdown",
    hash: `hash-${path}`,
    bytes: 100,
    metadata: { path, format: "markdown", team: "red", year: 2024, public: true },
    ...extra,
  };
}

function chunk(position: number, text: string, embedding?: number[]): StoredChunk {
  return {
    position,
    text,
    headings: ["Top", `Part ${position}`],
    tokens: text.split(" ").length,
    ...(embedding ? { embedding: normalized(embedding) } : {}),
  };
}

function normalized(values: number[]): Float32Array {
  const length = Math.hypot(...values);
  return Float32Array.from(values.map((value) => value / length));
}

export function describeKnowledgeStore(
  name: string,
  createStore: () => Promise<KnowledgeStore> | KnowledgeStore,
  /** A second connection to the base `createStore` made last (another process, say). */
  openAgain: () => Promise<KnowledgeStore> | KnowledgeStore,
): void {
  describe(`${name} (KnowledgeStore contract)`, () => {
    let store: KnowledgeStore;

    beforeEach(async () => {
      store = await createStore();
      await store.replaceDocument(document("cats.md"), [
        chunk(0, "Cats purr when they are content", [1, 0, 0]),
        chunk(1, "Cats sleep sixteen hours a day", [0.9, 0.1, 0]),
      ]);
      await store.replaceDocument(
        document("dogs.md", {
          metadata: { path: "dogs.md", format: "text", team: "blue", year: 2025, public: false },
          format: "text",
        }),
        [chunk(0, "Dogs bark at strangers", [0, 1, 0])],
      );
    });
    afterEach(async () => {
      await store.close();
    });

    it("stores documents with their hash, chunks and totals", async () => {
      expect(await store.documentHash("cats.md")).toBe("hash-cats.md");
      expect(await store.documentHash("fish.md")).toBeUndefined();
      const documents = await store.listDocuments();
      expect(documents.map((d) => [d.path, d.chunks, d.tokens])).toEqual([
        ["cats.md", 2, 12],
        ["dogs.md", 1, 4],
      ]);
      expect(await store.stats()).toMatchObject({
        documents: 2,
        chunks: 3,
        tokens: 16,
        embeddedChunks: 3,
      });
      expect((await store.stats()).sizeBytes).toBeGreaterThan(0);
    });

    it("ranks chunks by text relevance, with the headings and metadata filters", async () => {
      const hits = await store.searchText(["cats", "purr"], { limit: 5 });
      expect(hits.map((hit) => hit.text)).toEqual([
        "Cats purr when they are content",
        "Cats sleep sixteen hours a day",
      ]);
      expect(hits[0]).toMatchObject({
        path: "cats.md",
        title: "cats",
        position: 0,
        headings: ["Top", "Part 0"],
      });
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      // Stemming: "barking" finds "bark".
      expect((await store.searchText(["barking"], { limit: 5 })).map((hit) => hit.path)).toEqual([
        "dogs.md",
      ]);
      const either = ["cats", "dogs"];
      expect(
        (await store.searchText(either, { limit: 5, filters: { team: "blue" } })).map(
          (h) => h.path,
        ),
      ).toEqual(["dogs.md"]);
      expect((await store.searchText(either, { limit: 5, filters: { year: 2024 } })).length).toBe(
        2,
      );
      expect(
        (await store.searchText(either, { limit: 5, filters: { public: false } })).map(
          (h) => h.path,
        ),
      ).toEqual(["dogs.md"]);
      expect(
        (await store.searchText(either, { limit: 5, filters: { format: ["text", "pdf"] } })).length,
      ).toBe(1);
      expect(await store.searchText(["cats"], { limit: 1 })).toHaveLength(1);
      expect(await store.searchText(["zebra"], { limit: 5 })).toEqual([]);
    });

    it("finds nearest chunks by cosine similarity and reads chunks by id in order", async () => {
      const hits = await store.searchVector(normalized([1, 0.05, 0]), { limit: 2 });
      expect(hits.map((hit) => hit.text)).toEqual([
        "Cats purr when they are content",
        "Cats sleep sixteen hours a day",
      ]);
      expect(hits[0]!.score).toBeCloseTo(1 / Math.hypot(1, 0.05), 5);
      const filtered = await store.searchVector(normalized([1, 0, 0]), {
        limit: 2,
        filters: { team: "blue" },
      });
      expect(filtered.map((hit) => hit.path)).toEqual(["dogs.md"]);
      const ids = hits.map((hit) => hit.chunkId).reverse();
      expect((await store.getChunks(ids)).map((hit) => hit.chunkId)).toEqual(ids);
    });

    it("sees vectors another connection wrote since its last vector search", async () => {
      expect((await store.searchVector(normalized([0, 0, 1]), { limit: 1 }))[0]?.path).not.toBe(
        "fish.md",
      );
      const other = await openAgain();
      try {
        await other.replaceDocument(document("fish.md"), [chunk(0, "Fish swim", [0, 0, 1])]);
      } finally {
        await other.close();
      }
      expect((await store.searchVector(normalized([0, 0, 1]), { limit: 1 }))[0]?.path).toBe(
        "fish.md",
      );
      await store.removeDocuments(["fish.md"]);
      expect((await store.searchVector(normalized([0, 0, 1]), { limit: 1 }))[0]?.path).not.toBe(
        "fish.md",
      );
    });

    it("replaces a document's chunks, removes documents, and keeps meta", async () => {
      await store.replaceDocument(document("cats.md", { hash: "new" }), [
        chunk(0, "Cats chase lasers"),
      ]);
      expect(await store.documentHash("cats.md")).toBe("new");
      expect(await store.searchText(["purr"], { limit: 5 })).toEqual([]);
      expect((await store.searchText(["lasers"], { limit: 5 }))[0]?.text).toBe("Cats chase lasers");
      expect(await store.removeDocuments(["dogs.md", "fish.md"])).toBe(1);
      expect(await store.searchText(["dogs"], { limit: 5 })).toEqual([]);
      expect((await store.stats()).documents).toBe(1);
      await store.setMeta("embedding_model", "a/b");
      await store.setMeta("embedding_model", "c/d");
      expect(await store.getMeta("embedding_model")).toBe("c/d");
      expect(await store.getMeta("missing")).toBeUndefined();
    });

    it("writes a document all or nothing", async () => {
      const broken = { ...chunk(0, "half"), text: null as unknown as string };
      await expect(
        store.replaceDocument(document("cats.md", { hash: "broken" }), [
          chunk(0, "Cats half written"),
          broken,
        ]),
      ).rejects.toThrow();
      expect(await store.documentHash("cats.md")).toBe("hash-cats.md");
      expect((await store.searchText(["purr"], { limit: 5 })).length).toBe(1);
      expect(await store.searchText(["half"], { limit: 5 })).toEqual([]);
    });

    it("walks the entity graph up to maxHops and forgets a removed document's facts", async () => {
      await store.replaceDocument(
        document("people.md"),
        [chunk(0, "Ada worked with Charles"), chunk(1, "Charles built the Engine")],
        {
          entities: [
            { name: "Ada Lovelace", type: "person", position: 0 },
            { name: "Charles", type: "person", position: 0 },
            { name: "Analytical Engine", type: "machine", position: 1 },
          ],
          relations: [
            { source: "Ada Lovelace", relation: "worked with", target: "Charles", position: 0 },
            { source: "Charles", relation: "built", target: "Analytical Engine", position: 1 },
          ],
        },
      );
      expect(await store.findEntities(["ada lovelace", "who"], undefined, 10)).toEqual([
        { name: "Ada Lovelace", type: "person" },
      ]);
      expect(await store.findEntities(["charles"], ["machine"], 10)).toEqual([]);
      const one = await store.walkGraph(["Ada Lovelace"], 1, 50);
      expect(one.map((fact) => [fact.source, fact.relation, fact.target, fact.hops])).toEqual([
        ["Ada Lovelace", "worked with", "Charles", 1],
      ]);
      const two = await store.walkGraph(["Ada Lovelace"], 2, 50);
      expect(two.map((fact) => [fact.relation, fact.hops, fact.path, fact.position])).toEqual([
        ["worked with", 1, "people.md", 0],
        ["built", 2, "people.md", 1],
      ]);
      expect(two[1]).toMatchObject({ sourceType: "person", targetType: "machine" });
      await store.removeDocuments(["people.md"]);
      expect(await store.walkGraph(["Ada Lovelace"], 2, 50)).toEqual([]);
      expect(await store.findEntities(["charles"], undefined, 10)).toEqual([]);
    });
  });
}
