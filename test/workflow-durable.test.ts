import { afterEach, describe, expect, it, vi } from "vitest";
import { LLMTeam, type AgentConfig } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { startHttpStepServer } from "./support/http-step-server.js";
import { MemoryRunStore } from "./support/memory-run-store.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("workflow steps in durable runs", () => {
  it("resumes after a crash in the llm step without calling the HTTP endpoint again", async () => {
    const api = await startHttpStepServer([{ body: { rate: 1.08 } }]);
    close = api.close;
    const clock = new FakeClock();
    const agents: AgentConfig[] = [
      {
        type: "http",
        role: "rate",
        http: { url: `${api.url}/rate?pair={query}`, allowPrivate: true },
      },
      { type: "transform", role: "amount", transform: { expression: "rate.rate * 100" } },
      { type: "llm", role: "reply", prompt: "100 EUR is {amount} USD. Say it nicely." },
    ];
    const makeTeam = (model: ScriptedModel, store: MemoryRunStore) =>
      new LLMTeam({
        teamId: "fx",
        model: "m/x",
        models: { "m/x": model },
        clock,
        runStore: store,
        agents,
      });

    const store = new MemoryRunStore();
    const hanging = new ScriptedModel({ clock, responses: [{ text: "never", delayMs: 1e12 }] });
    const controller = new AbortController();
    void makeTeam(hanging, store).run("EURUSD", { signal: controller.signal });
    await vi.waitFor(() => expect(hanging.callsMade).toBe(1));
    const survived = store.copy(); // what was on disk when the process died
    controller.abort();
    const runId = [...survived.runs.keys()][0]!;
    const stored = survived.runs.get(runId)!.events.map((entry) => entry.event.type);
    expect(stored.filter((type) => type === "agent_completed")).toHaveLength(2);

    const model = new ScriptedModel({ responses: ["That is 108 dollars."] });
    const handle = await makeTeam(model, survived).resume(runId);
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("That is 108 dollars.");
    expect(result.output.amount).toBe(108);
    expect(api.received).toHaveLength(1); // the http step was replayed, not run again
    expect(model.callsMade).toBe(1);
    expect(JSON.stringify(model.calls[0]!.options.prompt)).toContain("100 EUR is 108 USD");
    const events = survived.runs.get(runId)!.events;
    expect(events.map((entry) => entry.seq)).toEqual(events.map((_, index) => index + 1));
    expect(result.agentResults.map((agent) => agent.agentId)).toEqual(["rate", "amount", "reply"]);
  });
});
