import { mkdtempSync, rmSync, writeFileSync, mkdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KnowledgeCatalog, KnowledgeError, ingest, type IngestProgress } from "llmteam";
import { makePdf } from "./support/make-pdf.js";

let dir: string;
let catalog: KnowledgeCatalog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-kb-"));
  mkdirSync(join(dir, "docs"));
  catalog = new KnowledgeCatalog({ directory: join(dir, "kb") });
});

afterEach(async () => {
  await catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Uint8Array): void {
  writeFileSync(join(dir, "docs", name), content);
}

function corpus(): void {
  write(
    "guide.md",
    "# Guide\n\nIntro text.\n\n## Retries\n\nFailed model calls are retried with exponential backoff.\n\n```\n# not a heading\n```\n\n## Budgets\n\nA budget caps the spend of a run in dollars.",
  );
  write(
    "page.html",
    "<html><head><title>Kiwi page</title><style>.x{color:red}</style><script>var hidden = 'zebra';</script></head><body><h1>Kiwis</h1><p>The kiwi is a flightless bird &amp; lives in New Zealand.</p></body></html>",
  );
  write(
    "data.json",
    JSON.stringify([
      { city: "Lisbon", country: "Portugal" },
      { city: "Oslo", country: "Norway" },
    ]),
  );
  write(
    "events.jsonl",
    '{"event":"launch","rocket":"Falcon"}\n{"event":"landing","rocket":"Starship"}\n',
  );
  write("table.csv", 'name,colour\n"Banana, ripe",yellow\nPlum,"deep ""purple"""\n');
  write("notes.txt", "Plain text notes about walruses.");
  write("paper.pdf", makePdf(["Axolotls regrow limbs.", "Page two mentions narwhals."]));
}

describe("ingest", () => {
  it("reads text, Markdown, HTML, JSON, JSONL, CSV and PDF into chunks with metadata", async () => {
    corpus();
    const base = catalog.create("docs");
    const progress: IngestProgress[] = [];
    const summary = await base.ingest(["docs"], { cwd: dir, onProgress: (p) => progress.push(p) });
    expect(summary.skipped).toEqual([]);
    expect(summary.files).toBe(7);
    expect(summary.ingested).toBe(7);
    expect(summary.chunks).toBeGreaterThanOrEqual(8);
    expect(summary.tokens).toBeGreaterThan(40);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const documents = await base.documents();
    expect(documents.map((d) => [d.path, d.format, d.title])).toEqual([
      ["docs/data.json", "json", "data"],
      ["docs/events.jsonl", "jsonl", "events"],
      ["docs/guide.md", "markdown", "Guide"],
      ["docs/notes.txt", "text", "notes"],
      ["docs/page.html", "html", "Kiwi page"],
      ["docs/paper.pdf", "pdf", "paper"],
      ["docs/table.csv", "csv", "table"],
    ]);
    const retries = await base.search("how are failed calls retried?");
    expect(retries.passages[0]).toMatchObject({
      document: "docs/guide.md",
      headings: ["Guide", "Retries"],
    });
    // HTML: the readable text, not the markup or the script.
    expect((await base.search("flightless bird")).passages[0]!.text).toBe(
      "The kiwi is a flightless bird & lives in New Zealand.",
    );
    await expect(base.search("zebra")).resolves.toMatchObject({ passages: [] });
    expect((await base.search("narwhals")).passages[0]).toMatchObject({
      document: "docs/paper.pdf",
      page: 2,
    });
    expect((await base.search("Norway")).passages[0]!.text).toContain("city: Oslo");
    expect((await base.search("purple")).passages[0]!.text).toContain('colour: deep "purple"');
    expect((await base.search("Starship")).passages[0]!.text).toContain("rocket: Starship");
    // Filters on metadata.
    const onlyText = await base.search("walruses kiwi", { filters: { format: ["text", "html"] } });
    expect(onlyText.passages.map((p) => p.document).sort()).toEqual([
      "docs/notes.txt",
      "docs/page.html",
    ]);
    await expect(base.search("kiwi", { filters: { "bad key": "x" } })).rejects.toThrow(
      /not a metadata name/,
    );
  });

  it("skips what it cannot read with the reason, and goes on", async () => {
    write("ok.md", "# Fine\n\nGood content.");
    write("image.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    write("latin.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6c, 0xe9]));
    write("big.txt", "x".repeat(5000));
    write("scan.pdf", makePdf(["", ""]));
    write("broken.json", "{ nope");
    const base = catalog.create("docs");
    const summary = await base.ingest(["docs", "missing/*.md"], { cwd: dir, maxFileBytes: 4000 });
    expect(summary.ingested).toBe(1);
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.path, s.reason]));
    expect(reasons["docs/image.png"]).toBe("binary file");
    expect(reasons["docs/latin.txt"]).toMatch(/not UTF-8/);
    expect(reasons["docs/big.txt"]).toMatch(/too large \(5000 bytes; the limit is 4000/);
    expect(reasons["docs/scan.pdf"]).toMatch(/without a text layer/);
    expect(reasons["docs/broken.json"]).toMatch(/not valid JSON/);
    expect(reasons["missing/*.md"]).toMatch(/no such file/);
  });

  it("re-ingests nothing unchanged, replaces changed files, and removes deleted ones with sync", async () => {
    write("a.md", "# A\n\nAlpha about apples.");
    write("b.md", "# B\n\nBeta about bananas.");
    const base = catalog.create("docs");
    expect((await base.ingest(["docs"], { cwd: dir })).ingested).toBe(2);
    const again = await base.ingest(["docs"], { cwd: dir });
    expect(again).toMatchObject({ ingested: 0, unchanged: 2, chunks: 0 });
    write("a.md", "# A\n\nAlpha about apricots now.");
    unlinkSync(join(dir, "docs", "b.md"));
    const changed = await base.ingest(["docs"], { cwd: dir });
    expect(changed).toMatchObject({ ingested: 1, unchanged: 0, removed: 0 });
    expect((await base.search("apples")).passages).toEqual([]);
    expect((await base.search("apricots")).passages).toHaveLength(1);
    // Without sync the deleted file's document stays; with sync it goes.
    expect((await base.search("bananas")).passages).toHaveLength(1);
    const synced = await base.ingest(["docs"], { cwd: dir, sync: true });
    expect(synced).toMatchObject({ removed: 1, unchanged: 1 });
    expect((await base.search("bananas")).passages).toEqual([]);
    expect((await base.stats()).documents).toBe(1);
  });

  it("cuts long documents into chunks within the token budget, with overlap", async () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, index) =>
        `Paragraph ${index} talks about topic number ${index} in some detail for testing.`,
    );
    write("long.md", `# Long\n\n${paragraphs.join("\n\n")}`);
    const base = catalog.create("docs");
    const summary = await base.ingest(["docs"], {
      cwd: dir,
      chunking: { maxTokens: 60, overlapTokens: 20 },
    });
    expect(summary.chunks).toBeGreaterThan(10);
    const hits = (await base.search("Paragraph", { topK: 100 })).passages.sort(
      (a, b) => a.chunk - b.chunk,
    );
    const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
    for (const hit of hits) expect(countTokens(hit.text)).toBeLessThanOrEqual(60);
    // Overlap: each chunk after the first starts with the last paragraph of the one before.
    for (let index = 1; index < hits.length; index++) {
      const previousLast = hits[index - 1]!.text.split("\n\n").at(-1)!;
      expect(hits[index]!.text.startsWith(previousLast)).toBe(true);
    }
  });

  it("shares one catalog per folder, and forgets a base another catalog dropped", async () => {
    const directory = join(dir, "kb");
    expect(KnowledgeCatalog.shared(directory)).toBe(KnowledgeCatalog.shared(directory));
    write("a.md", "# A\n\nAlpha about apples.");
    await catalog.create("gone").ingest(["docs"], { cwd: dir });
    const other = new KnowledgeCatalog({ directory });
    await other.drop("gone");
    expect(() => catalog.open("gone")).toThrow(/Knowledge base "gone" does not exist/);
    await KnowledgeCatalog.shared(directory).close();
  });

  it("ingest() fills a knowledge base by name", async () => {
    write("a.md", "# A\n\nAlpha about apples.");
    const summary = await ingest(["docs"], { knowledgeBase: "named", catalog, cwd: dir });
    expect(summary).toMatchObject({ files: 1, ingested: 1, chunks: 1 });
    expect((await catalog.open("named").search("apples")).passages[0]?.document).toBe("docs/a.md");
  });

  it("says clearly when a knowledge base is empty or missing", async () => {
    const empty = catalog.create("empty");
    await expect(empty.search("anything")).rejects.toThrow(
      'Knowledge base "empty" is empty: ingest documents first, e.g. llmteam ingest docs/ --kb empty.',
    );
    expect(() => catalog.open("nope")).toThrow(KnowledgeError);
    expect(() => catalog.open("nope")).toThrow(
      /does not exist in .*kb\. Available: empty\. Create it with: llmteam ingest <files> --kb nope/,
    );
    expect(catalog.names()).toEqual(["empty"]);
    await catalog.drop("empty");
    expect(catalog.names()).toEqual([]);
  });
});
