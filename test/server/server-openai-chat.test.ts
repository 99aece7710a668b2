import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { closeServed, press, serve, user, type TeamSpec } from "../support/openai-endpoint.js";

afterEach(closeServed);

describe("OpenAI-compatible endpoint: what a chat gives a team, and what reaches the client", () => {
  it("fills the team's one required string input, and `history` with the earlier messages", async () => {
    const asker: TeamSpec = {
      teamId: "asker",
      inputs: { question: "string", history: "string" },
      agents: [{ type: "llm", role: "answer", prompt: "Before:\n{history}\nNow: {question}" }],
      responses: ["fine"],
    };
    const lister: TeamSpec = {
      teamId: "lister",
      inputs: {
        type: "object",
        properties: {
          query: { type: "string" },
          history: { type: "array" },
          tone: { type: "string" },
        },
        required: ["query"],
      },
      agents: [{ type: "llm", role: "answer", prompt: "{query}" }],
      responses: ["fine"],
    };
    const letter: TeamSpec = {
      teamId: "letter",
      inputs: { recipient: "string", topic: "string" },
      agents: [{ type: "llm", role: "write", prompt: "To {recipient}: {topic}" }],
      responses: [],
    };
    const { client, models, url } = await serve([asker, lister, letter]);
    const conversation = [
      { role: "system" as const, content: "Be kind." },
      { role: "user" as const, content: [{ type: "text" as const, text: "hi" }] },
      { role: "assistant" as const, content: "hello" },
      { role: "user" as const, content: "how are you?" },
    ];
    await client.chat.completions.create({ model: "asker", messages: conversation });
    const prompt = (models[0]!.calls[0]!.options.prompt as { content: { text: string }[] }[])
      .flatMap((message) => message.content.map((part) => part.text))
      .join("");
    expect(prompt).toBe("Before:\nsystem: Be kind.\nuser: hi\nassistant: hello\nNow: how are you?");
    const listed = await client.chat.completions
      .create({ model: "lister", messages: conversation })
      .withResponse();
    const runId = listed.response.headers.get("x-llmteam-run-id")!;
    const run = (await (await fetch(`${url}/runs/${runId}`)).json()) as { input: unknown };
    expect(run.input).toEqual({
      query: "how are you?",
      history: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    });
    await expect(
      client.chat.completions.create({ model: "letter", messages: user("x") }),
    ).rejects.toMatchObject({
      status: 422,
      message:
        '422 Team "letter" cannot take its input from a chat: it declares the inputs recipient, topic (recipient, topic required), and a chat fills one text input (the team\'s only required string input, else "query") and "history". Start its runs with POST /teams/letter/runs.',
    });
  });

  it("text the answering agent streamed before a retry stays; the retried answer follows after a blank line", async () => {
    const flaky: TeamSpec = {
      teamId: "flaky",
      retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0 },
      agents: [{ type: "llm", role: "answer", prompt: "{query}" }],
      responses: [
        {
          chunks: ["Hel", "lo"],
          streamError: Object.assign(new Error("reset"), { code: "ECONNRESET" }),
        },
        { chunks: ["Hello ", "world"] },
      ],
    };
    const { client } = await serve([flaky]);
    const stream = await client.chat.completions.create({
      model: "flaky",
      messages: user("q"),
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? "");
    expect(deltas.filter((text) => text !== "")).toEqual(["Hel", "lo", "\n\nHello ", "world"]);
  });

  it("a flow whose last agent is known only at the end streams the final output as one delta", async () => {
    const panel: TeamSpec = {
      teamId: "panel",
      flow: "left, right -> join",
      agents: [
        { type: "llm", role: "left", prompt: "Left: {query}" },
        { type: "llm", role: "right", prompt: "Right: {query}" },
        { type: "llm", role: "join", prompt: "Join {left} and {right}" },
      ],
      // Parallel calls: answered by prompt, not by order.
      responses: (call) =>
        JSON.stringify(call.options.prompt).includes("Join")
          ? { chunks: ["joined ", "answer"] }
          : { chunks: ["side ", "notes"] },
    };
    const { client, models } = await serve([panel]);
    const model = models[0]!;
    const stream = await client.chat.completions.create({
      model: "panel",
      messages: user("q"),
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? "");
    expect(deltas.filter((text) => text !== "")).toEqual(["joined answer"]);
    expect(model.callsMade).toBe(3);
  });

  it("a client that goes away cancels its run, streamed or not", async () => {
    const slow: TeamSpec = {
      teamId: "slow",
      agents: [
        { type: "llm", role: "first", prompt: "{query}" },
        { type: "llm", role: "second", prompt: "{first}" },
      ],
      responses: (call) => (call.index % 2 === 0 ? "quick" : { text: "never", delayMs: 30_000 }),
    };
    const { client, url } = await serve([slow]);
    const controller = new AbortController();
    const stream = await client.chat.completions
      .create({ model: "slow", messages: user("q"), stream: true }, { signal: controller.signal })
      .withResponse();
    const runId = stream.response.headers.get("x-llmteam-run-id")!;
    for await (const _chunk of stream.data) {
      controller.abort();
    }
    const status = async () =>
      ((await (await fetch(`${url}/runs/${runId}`)).json()) as { status: string }).status;
    await expect.poll(status, { timeout: 5000 }).toBe("cancelled");
    const plain = new AbortController();
    const request = client.chat.completions
      .create({ model: "slow", messages: user("q") }, { signal: plain.signal })
      .catch((error: unknown) => error);
    const running = async () =>
      (
        (await (await fetch(`${url}/runs?teamId=slow&status=running`)).json()) as {
          runs: { runId: string }[];
        }
      ).runs;
    await expect.poll(async () => (await running()).length, { timeout: 5000 }).toBe(1);
    const [{ runId: plainRunId }] = (await running()) as [{ runId: string }];
    plain.abort();
    expect(await request).toBeInstanceOf(OpenAI.APIUserAbortError);
    const plainStatus = async () =>
      ((await (await fetch(`${url}/runs/${plainRunId}`)).json()) as { status: string }).status;
    await expect.poll(plainStatus, { timeout: 5000 }).toBe("cancelled");
  });

  it("adds OpenAI's error member to every problem under /v1, unknown routes included", async () => {
    const { url } = await serve([press(0)]);
    const response = await fetch(`${url}/v1/embeddings`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      type: "about:blank",
      status: 404,
      detail: "No route POST /v1/embeddings. The API is described at /openapi.json.",
      error: {
        message: "No route POST /v1/embeddings. The API is described at /openapi.json.",
        type: "not_found_error",
        param: null,
        code: null,
      },
    });
    const other = await fetch(`${url}/runs/run_nope`);
    expect(await other.json()).not.toHaveProperty("error");
  });
});
