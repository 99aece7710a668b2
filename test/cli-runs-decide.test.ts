import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { cli } from "./support/run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-runs-decide-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const FORM = {
  type: "object",
  properties: { publish: { type: "boolean" } },
  required: ["publish"],
};

function desk(store: SqliteRunStore, clock: FakeClock): LLMTeam {
  return new LLMTeam({
    teamId: "desk",
    model: "m/x",
    models: { "m/x": new ScriptedModel({ responses: [] }) },
    clock,
    runStore: store,
    agents: [
      { type: "transform", role: "draft", transform: { expression: '"Draft about " & query' } },
      { type: "human", role: "review", human: { prompt: "Publish {draft}?", form: FORM } },
    ],
  });
}

describe("llmteam runs approve | reject | answer", () => {
  it("answers a waiting human task from another process, checked against its form", async () => {
    const path = join(directory, "runs.db");
    const store = new SqliteRunStore({ path });
    const clock = new FakeClock();
    const handle = desk(store, clock).start("tides");
    await vi.waitFor(async () =>
      expect((await store.getRun(handle.runId))?.status).toBe("waiting_approval"),
    );
    const [task] = handle.pendingApprovals;
    const id = task!.approvalId;
    const at = ["--store", path];

    const approve = await cli(["runs", "approve", handle.runId, id, ...at]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain(
      `human task ${id} has a form: answer it with llmteam runs answer`,
    );
    const wrong = await cli(["runs", "answer", handle.runId, id, '{"publish":"yes"}', ...at]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not match the form");
    const notJson = await cli(["runs", "answer", handle.runId, id, "{publish", ...at]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("the answer must be JSON");
    const unknown = await cli(["runs", "answer", handle.runId, "approval-9", "true", ...at]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`never asked for approval "approval-9". Asked: ${id}`);

    const answered = await cli(["runs", "answer", handle.runId, id, '{"publish":true}', ...at]);
    expect(answered.stdout).toContain(`✓ answered ${id} of run ${handle.runId}.`);
    expect(answered.code).toBe(0);
    const twice = await cli(["runs", "reject", handle.runId, id, ...at]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("was decided already; the first decision stands");

    await clock.advance(1_000); // the live run looks in the store once a second
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.output.review).toMatchObject({ approved: true, value: { publish: true } });
    await store.close();
  });
});

describe("llmteam run --store and runs resume", () => {
  it("stores a run, says where, and refuses to resume it once completed or unknown", async () => {
    const { startOpenAIWireServer } = await import("./support/openai-wire-server.js");
    const { tempFile } = await import("./support/run-cli.js");
    const server = await startOpenAIWireServer([{ text: "facts" }]);
    try {
      const file = await tempFile(`teamId: press
providers:
  lab: { type: openai-compatible, baseURL: "${server.baseURL}" }
model: lab/writer
agents:
  - { type: llm, role: research, prompt: "Research: {query}" }
`);
      const path = join(directory, "cli-runs.db");
      const run = await cli(["run", file, "--query", "solar", "--store", path]);
      expect(run.code).toBe(0);
      const runId = /Stored as run (\S+) in /.exec(run.stdout)?.[1];
      expect(runId).toMatch(/^run_/);
      const again = await cli(["runs", "resume", runId!, "--store", path]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`run ${runId} has completed: there is nothing to resume.`);
      const unknown = await cli(["runs", "resume", "run_nope", "--store", path]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no run "run_nope" in the run store');
    } finally {
      await server.close();
    }
  });
});
