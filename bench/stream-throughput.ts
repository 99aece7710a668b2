import { LLMTeam, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import type { BenchRow } from "./harness.js";

const DELTAS = 100_000;

/** 100,000 deltas through team.stream() vs reading the model's stream directly. */
export async function benchStreamThroughput(): Promise<BenchRow[]> {
  const chunks = Array.from({ length: DELTAS }, (_, index) => (index % 10 === 9 ? " w" : "w"));
  const makeModel = () => new ScriptedModel({ responses: () => ({ chunks }), recordCalls: false });

  const direct = async (): Promise<number> => {
    const { stream } = await makeModel().doStream({
      prompt: [{ role: "user", content: [{ type: "text", text: "go" }] }],
    });
    let count = 0;
    const reader = stream.getReader();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      if (next.value.type === "text-delta") count++;
    }
    return count;
  };
  const team = new LLMTeam({
    teamId: "bench",
    model: "bench/model",
    models: { "bench/model": makeModel() },
  });
  team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
  const throughTeam = async (): Promise<number> => {
    let count = 0;
    for await (const event of team.stream({ query: "go" }) as AsyncIterable<StreamEvent>)
      if (event.type === "token") count++;
    return count;
  };

  const rate = async (body: () => Promise<number>): Promise<number> => {
    await body();
    let best = 0;
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      const count = await body();
      if (count !== DELTAS) throw new Error(`expected ${DELTAS} deltas, got ${count}`);
      best = Math.max(best, count / ((performance.now() - started) / 1000));
    }
    return best;
  };
  const directRate = await rate(direct);
  const teamRate = await rate(throughTeam);
  return [
    {
      scenario: "stream 100k deltas",
      measure: "model stream read directly",
      value: directRate / 1e6,
      unit: "M deltas/s",
    },
    {
      scenario: "stream 100k deltas",
      measure: "team.stream() token events",
      value: teamRate / 1e6,
      unit: "M deltas/s",
      note: `${((teamRate / directRate) * 100).toFixed(0)}% of direct`,
    },
  ];
}
