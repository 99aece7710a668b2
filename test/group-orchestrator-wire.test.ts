import { afterEach, describe, expect, it } from "vitest";
import {
  LLMGroup,
  MemoryBreakerStore,
  ORCHESTRATOR_ID,
  PricingRegistry,
  type StreamEvent,
} from "llmteam";
import { FakeClock } from "llmteam/testing";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const decide = (nextAgent: string, done: boolean): WireReply => ({
  text: JSON.stringify({ nextAgent, reason: done ? "answered" : "write it", done }),
  usage: { prompt_tokens: 1_000, completion_tokens: 100 },
});

/** A router group on the wire server: provider `lab` priced at $1 / $2 per 1M tokens. */
async function routerGroup(
  replies: WireReply[],
  settings: Record<string, unknown> = {},
  runtime: Record<string, unknown> = {},
) {
  const server = await startOpenAIWireServer(replies);
  close = server.close;
  const clock = new FakeClock();
  const group = LLMGroup.fromConfig(
    {
      groupId: "desk",
      role: "router",
      providers: {
        lab: {
          type: "openai-compatible",
          baseURL: server.baseURL,
          pricing: { inputPer1M: 1, outputPer1M: 2 },
        },
      },
      orchestrator: { model: "lab/boss" },
      ...settings,
      teams: [
        {
          team: {
            teamId: "writers",
            model: "lab/small",
            agents: [{ type: "llm", role: "writer", prompt: "Reply to {query}", stream: false }],
          },
        },
      ],
    },
    { clock, ...runtime },
  );
  return { group, clock, requests: server.requests };
}

/** Runs the group's stream to its end, moving the fake clock whenever the run sleeps. */
async function drive(group: LLMGroup, clock: FakeClock, onSleep: () => Promise<void>) {
  const stream = group.stream({ query: "hello" });
  const events: StreamEvent[] = [];
  let ended = false;
  const reading = (async () => {
    for await (const event of stream) events.push(event);
    ended = true;
  })();
  while (!ended) {
    // Real HTTP: give the sockets a turn, then look for a sleep (a retry's wait).
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (events.some((event) => event.type === "retry") && clock.pendingSleeps > 0) {
      await onSleep();
      break;
    }
  }
  await reading;
  return { events, result: await stream.result };
}

describe("a group orchestrator's calls go through the model pipeline", () => {
  it("retries a 429 after its Retry-After and prices the orchestrator in the group's result", async () => {
    const { group, clock, requests } = await routerGroup([
      { status: 429, error: "slow down", headers: { "retry-after": "7" } },
      decide("writers", false),
      { text: "Hi.", usage: { prompt_tokens: 10, completion_tokens: 5 } },
      decide("", true),
    ]);
    const { events, result } = await drive(group, clock, async () => {
      await clock.advance(6_999);
      expect(requests).toHaveLength(1); // Retry-After is honoured: no attempt before 7 s
      await clock.advance(1);
    });
    expect(result.success).toBe(true);
    expect(result.output).toBe("Hi.");
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.type === "retry" && retry.data).toMatchObject({ attempt: 1, delayMs: 7_000 });
    expect(requests).toHaveLength(4);
    // Orchestrator: 2 priced decisions of 1,000 in + 100 out; the team: 10 in + 5 out.
    const orchestratorUsd = 2 * (1_000 * 1e-6 + 100 * 2e-6);
    const teamUsd = 10 * 1e-6 + 5 * 2e-6;
    expect(result.run.cost.byAgent[ORCHESTRATOR_ID]).toBeCloseTo(orchestratorUsd, 12);
    expect(result.cost.totalUsd).toBeCloseTo(orchestratorUsd + teamUsd, 12);
    expect(result.cost.usage.totalTokens).toBe(2 * 1_100 + 15);
  });

  it("takes the group's retryPolicy: `false` fails the run on the 429", async () => {
    const { group, requests } = await routerGroup(
      [{ status: 429, error: "slow down", headers: { "retry-after": "7" } }],
      { retryPolicy: false },
    );
    const result = await group.run({ query: "hello" });
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/slow down|429/);
    expect(requests).toHaveLength(1);
  });

  it("accepts every team runtime option, pricing with a given registry", async () => {
    const pricing = new PricingRegistry().register("lab/boss", { inputPer1k: 1, outputPer1k: 0 });
    const { group } = await routerGroup(
      [decide("writers", false), { text: "Hi." }, decide("", true)],
      {},
      { pricing, breakerStore: new MemoryBreakerStore(), tools: [], enforceLifecycle: false },
    );
    const result = await group.run({ query: "hello" });
    expect(result.success).toBe(true);
    // The registry's exact name wins over the provider's declared price: $1 per 1k input.
    expect(result.run.cost.byAgent[ORCHESTRATOR_ID]).toBeCloseTo(2 * 1_000 * 1e-3, 12);
  });
});
