import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  LLMTeam,
  LifecycleError,
  SqliteRunStore,
  tool,
  type RunResult,
} from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { MemoryRunStore } from "./support/memory-run-store.js";

const HANG = Symbol("hang");

/** A model that answers each agent by the first words of its prompt; `HANG` never answers. */
function byAgent(answers: Record<string, ScriptedResponse | typeof HANG>, clock: FakeClock) {
  return new ScriptedModel({
    clock,
    responses: (call) => {
      const prompt = JSON.stringify(call.options.prompt);
      for (const [key, answer] of Object.entries(answers)) {
        if (!prompt.includes(`${key}:`)) continue;
        return answer === HANG ? { text: "never", delayMs: 1e12 } : answer;
      }
      throw new Error(`no answer for ${prompt}`);
    },
  });
}

function pipelineTeam(model: ScriptedModel, store: MemoryRunStore, clock: FakeClock): LLMTeam {
  const team = new LLMTeam({
    teamId: "press",
    model: "m/x",
    models: { "m/x": model },
    clock,
    runStore: store,
  });
  team.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
  team.addAgent({ type: "llm", role: "draft", prompt: "Draft: {research}" });
  team.addAgent({ type: "llm", role: "edit", prompt: "Edit: {draft}" });
  return team;
}

const ANSWERS = { Research: "facts", Draft: "a draft", Edit: "the article" } as const;

/** Waits until the store holds an `agent_completed` of `agentId`. */
async function storedCompletion(store: MemoryRunStore, agentId: string): Promise<string> {
  let runId = "";
  await vi.waitFor(() => {
    const entry = [...store.runs.values()].at(-1);
    expect(entry).toBeDefined();
    runId = entry!.run.runId;
    const done = entry!.events.some(
      (stored) => stored.event.type === "agent_completed" && stored.event.agentId === agentId,
    );
    expect(done).toBe(true);
  });
  return runId;
}

function outputsOf(result: RunResult): unknown {
  return { success: result.success, output: result.output, finalOutput: result.finalOutput };
}

describe("durable runs: a run store keeps every run", () => {
  it("stores the whole log in order with its end status", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const team = pipelineTeam(byAgent(ANSWERS, clock), store, clock);
    const result = await team.run("solar power");
    expect(result.success).toBe(true);
    const entry = store.runs.get(result.runId)!;
    expect(entry.run).toMatchObject({
      teamId: "press",
      status: "completed",
      input: { query: "solar power" },
    });
    expect(entry.events.map((stored) => stored.seq)).toEqual(
      Array.from({ length: result.eventCount }, (_, index) => index + 1),
    );
    expect(entry.events.at(-1)!.event.type).toBe("run_completed");
    // One commit per step boundary, plus the last step and the end.
    expect(store.commits.length).toBeGreaterThanOrEqual(4);
  });

  it("resumes after a crash between agents without running completed agents again", async () => {
    const clock = new FakeClock();
    const reference = await pipelineTeam(byAgent(ANSWERS, clock), new MemoryRunStore(), clock).run(
      "solar power",
    );

    const store = new MemoryRunStore();
    const crashing = byAgent({ ...ANSWERS, Edit: HANG }, clock);
    const controller = new AbortController();
    void pipelineTeam(crashing, store, clock).run("solar power", { signal: controller.signal });
    const runId = await storedCompletion(store, "draft");
    const survived = store.copy(); // what was on disk when the process died
    controller.abort();

    const model = byAgent(ANSWERS, clock);
    const handle = await pipelineTeam(model, survived, clock).resume(runId);
    const result = await handle.result;
    expect(outputsOf(result)).toEqual(outputsOf(reference));
    expect(result.runId).toBe(runId);
    expect(model.callsMade).toBe(1); // only "edit"
    expect(result.usage).toEqual(reference.usage);
    expect(result.cost.totalUsd).toBeCloseTo(reference.cost.totalUsd, 12);
    const events = survived.runs.get(runId)!.events;
    expect(events.map((stored) => stored.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((stored) => stored.event.type === "run_resumed")).toHaveLength(1);
    expect(survived.runs.get(runId)!.run.status).toBe("completed");
  });

  it("resumes inside a tool loop: finished rounds and their tools do not run again", async () => {
    const clock = new FakeClock();
    const executed: string[] = [];
    const add = tool({
      name: "add",
      description: "Add two numbers",
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }, context) => {
        executed.push(context.idempotencyKey);
        return a + b;
      },
    });
    const rounds =
      (final: ScriptedResponse | typeof HANG) => (call: { options: { prompt: unknown[] } }) => {
        const results = (call.options.prompt.length - 1) / 2;
        if (results >= 2) return final === HANG ? { text: "x", delayMs: 1e12 } : final;
        return {
          toolCalls: [{ toolCallId: `c${results}`, toolName: "add", input: { a: results, b: 1 } }],
        };
      };
    const makeTeam = (model: ScriptedModel, store: MemoryRunStore) => {
      const team = new LLMTeam({
        teamId: "calc",
        model: "m/x",
        models: { "m/x": model },
        clock,
        runStore: store,
        tools: [add],
      });
      team.addAgent({ type: "llm", role: "adder", prompt: "Add: {query}", tools: ["add"] });
      return team;
    };
    const store = new MemoryRunStore();
    const controller = new AbortController();
    void makeTeam(new ScriptedModel({ clock, responses: rounds(HANG) }), store).run("go", {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(executed).toHaveLength(2));
    // The second round's results are stored before the third model call starts.
    await vi.waitFor(() => expect([...store.runs.values()][0]!.snapshot).toBeDefined());
    const runId = [...store.runs.keys()][0]!;
    await vi.waitFor(() => {
      const loop = (
        store.runs.get(runId)!.snapshot!.state as {
          loops: Record<string, { state: { rounds: number; pending?: unknown } }>;
        }
      ).loops.adder;
      expect(loop?.state).toMatchObject({ rounds: 2 });
      expect(loop?.state.pending).toBeUndefined();
    });
    const survived = store.copy();
    controller.abort();

    const model = new ScriptedModel({ clock, responses: rounds("The sum is 3.") });
    const result = await (await makeTeam(model, survived).resume(runId)).result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("The sum is 3.");
    expect(model.callsMade).toBe(1);
    expect(executed).toHaveLength(2); // no tool ran again
    const agent = result.agentResults.find((entry) => entry.agentId === "adder")!;
    expect(agent.toolCalls).toHaveLength(2);
    expect(agent.modelCalls).toBe(3);
  });

  it("runs tools of an answer stored before they ran again, with the same idempotency keys", async () => {
    const clock = new FakeClock();
    const keys: string[] = [];
    let hang = true;
    const slow = tool({
      name: "charge",
      description: "Charge a card",
      parameters: z.object({ cents: z.number() }),
      execute: async (_args, context) => {
        keys.push(context.idempotencyKey);
        if (hang) await new Promise(() => undefined);
        return "charged";
      },
    });
    const answers = (call: { options: { prompt: unknown[] } }): ScriptedResponse =>
      call.options.prompt.length > 1
        ? { text: "Done." }
        : { toolCalls: [{ toolCallId: "pay-1", toolName: "charge", input: { cents: 500 } }] };
    const makeTeam = (model: ScriptedModel, store: MemoryRunStore) => {
      const team = new LLMTeam({
        teamId: "shop",
        model: "m/x",
        models: { "m/x": model },
        clock,
        runStore: store,
        tools: [slow],
      });
      team.addAgent({ type: "llm", role: "cashier", prompt: "Pay: {query}", tools: ["charge"] });
      return team;
    };
    const store = new MemoryRunStore();
    const controller = new AbortController();
    void makeTeam(new ScriptedModel({ clock, responses: answers }), store).run("5 dollars", {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(keys).toHaveLength(1));
    const survived = store.copy();
    controller.abort();
    hang = false;
    const model = new ScriptedModel({ clock, responses: answers });
    const runId = [...survived.runs.keys()][0]!;
    const result = await (await makeTeam(model, survived).resume(runId)).result;
    expect(result.success).toBe(true);
    expect(model.callsMade).toBe(1); // the answer that asked for the tool was stored
    expect(keys).toEqual([keys[0], keys[0]]);
    expect(keys[0]).toBe(`${runId}:shop/cashier:1:pay-1`);
  });

  it("stops at the next step boundary when the store fails, and resumes when it is back", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    let calls = 0;
    const model = new ScriptedModel({
      clock,
      responses: () => {
        calls++;
        if (calls === 2) store.failing = true; // the store goes away while "draft" runs
        return { text: `answer ${calls}` };
      },
    });
    const result = await pipelineTeam(model, store, clock).run("q");
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/run store unavailable/);
    expect(calls).toBe(2); // "edit" never started
    const runId = result.runId;
    expect(store.runs.get(runId)!.run.status).toBe("running");

    store.failing = false;
    const again = byAgent(ANSWERS, clock);
    const resumed = await (await pipelineTeam(again, store, clock).resume(runId)).result;
    expect(resumed.success).toBe(true);
    expect(again.callsMade).toBe(2); // "draft" was not stored: it runs again, then "edit"
    expect(resumed.output).toEqual({ research: "answer 1", draft: "a draft", edit: "the article" });
  });

  it("cancels at the next step boundary when a cancel is requested through the store", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const model = new ScriptedModel({
      clock,
      responses: () => {
        for (const runId of store.runs.keys()) void store.requestCancel(runId);
        return { text: "ok" };
      },
    });
    const result = await pipelineTeam(model, store, clock).run("q");
    expect(result.status).toBe("cancelled");
    expect(model.callsMade).toBe(1);
    expect(store.runs.get(result.runId)!.run.status).toBe("cancelled");
  });

  it("refuses to resume an unknown run, an ended run, or a team whose agents changed", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const team = pipelineTeam(byAgent(ANSWERS, clock), store, clock);
    const done = await team.run("q");
    await expect(team.resume("nope")).rejects.toThrow(ConfigError);
    await expect(team.resume("nope")).rejects.toThrow(/No run "nope" in the run store/);
    await expect(team.resume(done.runId)).rejects.toThrow(LifecycleError);
    await expect(team.resume(done.runId)).rejects.toThrow(/has completed/);

    const controller = new AbortController();
    const other = new MemoryRunStore();
    const crashing = pipelineTeam(byAgent({ ...ANSWERS, Draft: HANG }, clock), other, clock);
    void crashing.run("q", { signal: controller.signal });
    const runId = await storedCompletion(other, "research");
    const survived = other.copy();
    controller.abort();
    const changed = new LLMTeam({
      teamId: "press",
      model: "m/x",
      models: { "m/x": byAgent(ANSWERS, clock) },
      clock,
      runStore: survived,
    });
    changed.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
    changed.addAgent({ type: "llm", role: "edit", prompt: "Edit: {research}" });
    await expect(changed.resume(runId)).rejects.toThrow(
      /cannot resume with this team: its agents were research, draft, edit; now they are research, edit/,
    );
    // A changed prompt keeps the agents and flow: the run resumes with the new prompt.
    const reworded = new LLMTeam({
      teamId: "press",
      model: "m/x",
      models: { "m/x": byAgent(ANSWERS, clock) },
      clock,
      runStore: survived,
    });
    reworded.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
    reworded.addAgent({ type: "llm", role: "draft", prompt: "Draft: {research}, short" });
    reworded.addAgent({ type: "llm", role: "edit", prompt: "Edit: {draft}" });
    const resumed = await (await reworded.resume(runId)).result;
    expect(resumed.success).toBe(true);
  });
});

describe("durable runs: approvals across restarts", () => {
  function approvalTeam(store: MemoryRunStore, clock: FakeClock, model: ScriptedModel) {
    const team = new LLMTeam({
      teamId: "press",
      model: "m/x",
      models: { "m/x": model },
      clock,
      runStore: store,
    });
    team.addAgent({ type: "llm", role: "draft", prompt: "Draft: {query}" });
    team.addAgent({
      type: "llm",
      role: "publish",
      prompt: "Publish: {draft}",
      requiresApproval: true,
    });
    return team;
  }

  it("stores a waiting run; after a restart a decision from another process lets it go on", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const first = approvalTeam(
      store,
      clock,
      byAgent({ Draft: "a draft", Publish: "published" }, clock),
    );
    const handle = first.start("launch");
    await vi.waitFor(() =>
      expect(store.runs.get(handle.runId)?.run.status).toBe("waiting_approval"),
    );
    const survived = store.copy();
    void handle.cancel();
    await handle.result;

    // Another process (e.g. `llmteam runs approve`) decides in the store.
    await survived.recordDecision(handle.runId, {
      approvalId: "approval-1",
      approved: true,
      decidedAt: clock.now(),
    });
    const model = byAgent({ Draft: "a draft", Publish: "published" }, clock);
    const resumed = await approvalTeam(survived, clock, model).resume(handle.runId);
    const result = await resumed.result;
    expect(result.success).toBe(true);
    expect(result.output).toEqual({ draft: "a draft", publish: "published" });
    expect(model.callsMade).toBe(1);
  });

  it("a live run waiting for approval takes a decision stored by another process", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const team = approvalTeam(
      store,
      clock,
      byAgent({ Draft: "a draft", Publish: "published" }, clock),
    );
    const handle = team.start("launch");
    await vi.waitFor(() =>
      expect(store.runs.get(handle.runId)?.run.status).toBe("waiting_approval"),
    );
    await store.recordDecision(handle.runId, {
      approvalId: "approval-1",
      approved: false,
      reason: "not today",
      decidedAt: clock.now(),
    });
    await clock.advance(1_000);
    const result = await handle.result;
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/not today/);
  });

  it("keeps a decision made through the handle in the store", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const team = approvalTeam(
      store,
      clock,
      byAgent({ Draft: "a draft", Publish: "published" }, clock),
    );
    const handle = team.start("launch");
    await vi.waitFor(() => expect(handle.pendingApprovals).toHaveLength(1));
    handle.approve("approval-1");
    expect((await handle.result).success).toBe(true);
    expect(await store.readDecisions(handle.runId)).toMatchObject([
      { approvalId: "approval-1", approved: true },
    ]);
  });
});

describe("durable runs: the router", () => {
  it("takes stored decisions again instead of asking the orchestrator", async () => {
    const clock = new FakeClock();
    const decisions = [
      { object: { nextAgent: "research", reason: "first", done: false } },
      { object: { nextAgent: "draft", reason: "then", done: false } },
      { object: { nextAgent: "", reason: "finished", done: true } },
    ];
    const makeTeam = (store: MemoryRunStore, agents: ScriptedModel, router: ScriptedModel) => {
      const team = new LLMTeam({
        teamId: "desk",
        model: "m/x",
        models: { "m/x": agents, "m/router": router },
        clock,
        runStore: store,
        orchestration: true,
        orchestrator: { model: "m/router" },
      });
      team.addAgent({ type: "llm", role: "research", prompt: "Research: {query}" });
      team.addAgent({ type: "llm", role: "draft", prompt: "Draft: {query}" });
      return team;
    };
    const store = new MemoryRunStore();
    const controller = new AbortController();
    const router = new ScriptedModel({ clock, responses: decisions.slice(0, 2) });
    void makeTeam(store, byAgent({ Research: "facts", Draft: HANG }, clock), router).run("q", {
      signal: controller.signal,
    });
    const runId = await storedCompletion(store, "research");
    await vi.waitFor(() => {
      const stored = store.runs.get(runId)!.events.map((entry) => entry.event);
      expect(stored.filter((event) => event.type === "agent_selected")).toHaveLength(2);
    });
    const survived = store.copy();
    controller.abort();
    // Only the last decision is left to make: the first two are in the store.
    const nextRouter = new ScriptedModel({ clock, responses: decisions.slice(2) });
    const agents = byAgent({ Research: "facts", Draft: "a draft" }, clock);
    const result = await (await makeTeam(survived, agents, nextRouter).resume(runId)).result;
    expect(result.success).toBe(true);
    expect(agents.callsMade).toBe(1); // draft only
    expect(nextRouter.callsMade).toBe(1);
    expect(result.finalOutput).toBe("a draft");
  });
});

describe("durable runs: a store named by a spec", () => {
  it("opens the SQLite file a team file's runStore: names on first use, and close() closes it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "llmteam-spec-")), "runs.db");
    const clock = new FakeClock();
    const team = LLMTeam.fromConfig(
      {
        teamId: "press",
        model: "m/x",
        runStore: path,
        agents: [{ type: "llm", role: "research", prompt: "Research: {query}" }],
      },
      { models: { "m/x": byAgent(ANSWERS, clock) }, clock },
    );
    expect(team.toConfig().runStore).toBe(path);
    const result = await team.run("q");
    await team.close();
    const store = new SqliteRunStore({ path });
    expect((await store.getRun(result.runId))?.status).toBe("completed");
    await store.close();
  });
});
