import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./support/run-cli.js";

let dir: string;
let kbDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-kbcli-"));
  kbDir = join(dir, "kb");
  mkdirSync(join(dir, "docs"));
  writeFileSync(
    join(dir, "docs", "coffee.md"),
    "# Coffee\n\nBrew coffee at 93 degrees for four minutes.",
  );
  writeFileSync(join(dir, "docs", "tea.md"), "# Tea\n\nGreen tea wants water at 80 degrees.");
  writeFileSync(join(dir, "docs", "blob.bin"), new Uint8Array([1, 0, 2, 0]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmteam ingest and kb", () => {
  it("ingests with progress and a summary, skips what it cannot read, and is a no-op the second time", async () => {
    const first = await cli(["ingest", join(dir, "docs"), "--kb", "drinks", "--kb-dir", kbDir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("[1/3] skipped");
    expect(first.stderr).toMatch(/\[2\/3\] ingested .*coffee\.md \(1 chunk\)/);
    expect(first.stdout).toMatch(
      /^Knowledge base "drinks": 3 files — 2 ingested, 0 unchanged, 1 skipped\n {2}2 chunks, \d+ tokens written in [\d.]+ s \(\d+ chunks\/s\); index \d+ KiB\n {2}skipped .*blob\.bin: binary file\n$/,
    );
    const again = await cli([
      "ingest",
      join(dir, "docs"),
      "--kb",
      "drinks",
      "--kb-dir",
      kbDir,
      "--json",
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({
      files: 3,
      ingested: 0,
      unchanged: 2,
      chunks: 0,
    });
  });

  it("lists, shows, queries and drops knowledge bases", async () => {
    await cli(["ingest", join(dir, "docs", "tea.md"), "--kb", "tea", "--kb-dir", kbDir]);
    const list = await cli(["kb", "list", "--kb-dir", kbDir]);
    expect(list.stdout).toMatch(
      /drinks +2 documents, 2 chunks, \d+ tokens, \d+ KiB\n {2}tea +1 document/,
    );
    const show = await cli(["kb", "show", "drinks", "--kb-dir", kbDir]);
    expect(show.stdout).toContain("retrieval: BM25 (no embeddings)");
    expect(show.stdout).toMatch(/coffee\.md {2}markdown, 1 chunk, \d+ tokens/);
    const query = await cli([
      "kb",
      "query",
      "How hot should coffee be brewed?",
      "--kb",
      "drinks",
      "--kb-dir",
      kbDir,
    ]);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(
      /^\[1\] Brew coffee at 93 degrees for four minutes\.\n\nSources:\n\[1\] .*coffee\.md › Coffee \(chunk 0, score \d+\.\d{4}\)\n$/,
    );
    const ambiguous = await cli(["kb", "query", "tea", "--kb-dir", kbDir]);
    expect(ambiguous).toMatchObject({
      code: 2,
      stderr: "llmteam: name the knowledge base to query (--kb <name>): one of drinks, tea.\n",
    });
    const missing = await cli(["kb", "show", "juice", "--kb-dir", kbDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Knowledge base "juice" does not exist in');
    expect((await cli(["kb", "drop", "tea", "--kb-dir", kbDir])).stdout).toBe(
      'Dropped knowledge base "tea".\n',
    );
    expect((await cli(["kb", "list", "--kb-dir", kbDir])).stdout).not.toMatch(/^ {2}tea /m);
    expect((await cli(["ingest", "docs"])).stderr).toContain("ingest needs --kb <name>");
    const graph = await cli(["ingest", "docs", "--kb", "x", "--graph", "--kb-dir", kbDir]);
    expect(graph).toMatchObject({ code: 2 });
    expect(graph.stderr).toContain("--graph needs --model <provider/model>");
    const embedding = await cli([
      "ingest",
      "docs",
      "--kb",
      "x",
      "--embedding-model",
      "acme/e1",
      "--kb-dir",
      kbDir,
    ]);
    expect(embedding.stderr).toContain(
      '--embedding-model: Embedding model "acme/e1" is not one llmteam can create by name',
    );
  });

  it("runs a team with a rag agent from its default knowledge directory, in a real process", () => {
    const work = mkdtempSync(join(tmpdir(), "llmteam-kbrun-"));
    try {
      mkdirSync(join(work, "docs"));
      writeFileSync(join(work, "docs", "faq.md"), "# FAQ\n\nThe office opens at nine.");
      writeFileSync(
        join(work, "team.yaml"),
        "teamId: faq\nagents:\n  - { type: rag, role: lookup, knowledgeBase: faq }\n",
      );
      const entry = join(import.meta.dirname, "support", "cli-entry.ts");
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), entry, ...args], {
          cwd: work,
          encoding: "utf8",
          env: { ...process.env, LLMTEAM_KB_DIR: "" },
        });
      const before = run("validate", "team.yaml");
      expect(before.status).toBe(2);
      expect(before.stderr).toContain(
        'Agent "lookup" reads knowledge base "faq", which does not exist in',
      );
      expect(run("ingest", "docs", "--kb", "faq").status).toBe(0);
      const answered = run("run", "team.yaml", "--query", "When does the office open?");
      expect(answered.stderr).toBe("");
      expect(answered.status).toBe(0);
      expect(answered.stdout).toContain("[1] The office opens at nine.");
      expect(answered.stdout).toContain('⌕ 1 passage from "faq" (bm25): [1] docs/faq.md (chunk 0)');
      expect(answered.stdout).toContain("[1] docs/faq.md › FAQ (chunk 0)");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
