import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import {
  closeServed,
  keyAuth,
  press,
  promptOf,
  serve,
  user,
  type TeamSpec,
} from "../support/openai-endpoint.js";

afterEach(closeServed);

describe("OpenAI-compatible endpoint", () => {
  it("answers a chat completion with the final output and the run's total usage; the run is stored", async () => {
    const { client, models, url } = await serve([press()]);
    const response = await client.chat.completions
      .create({
        model: "press",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "an old question" },
          { role: "assistant", content: "an old answer" },
          { role: "user", content: "solar panels" },
        ],
        temperature: 0.2,
      })
      .withResponse();
    const completion = response.data;
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("press");
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: { role: "assistant", content: "The draft is done.", refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ]);
    expect(completion.usage).toEqual({
      prompt_tokens: 30,
      completion_tokens: 10,
      total_tokens: 40,
    });
    expect(promptOf(models[0]!, 0)).toContain("Research: solar panels");
    expect(promptOf(models[0]!, 0)).not.toContain("old question");
    const runId = response.response.headers.get("x-llmteam-run-id")!;
    expect(completion.id).toBe(`chatcmpl-${runId}`);
    const listed = (await (await fetch(`${url}/runs?teamId=press`)).json()) as {
      runs: { runId: string; status: string }[];
    };
    expect(listed.runs).toMatchObject([{ runId, status: "completed" }]);
  });

  it("streams the answering agent's tokens as chunks, then stop, the usage chunk and [DONE]", async () => {
    const { client, url } = await serve([press(2)]);
    const stream = await client.chat.completions.create({
      model: "press",
      messages: [{ role: "user", content: "solar panels" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content));
    expect(deltas.filter((text) => text)).toEqual(["The ", "draft ", "is ", "done."]);
    const finish = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason));
    expect(finish.filter((reason) => reason !== null)).toEqual(["stop"]);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 30, completion_tokens: 10, total_tokens: 40 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    // The raw stream ends with [DONE]; without include_usage there is no usage chunk.
    const raw = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "press",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    });
    expect(raw.status).toBe(200);
    const text = await raw.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain('"usage"');
  });
});

/** API keys for tests: token → scopes and teams (an implementation of the public ServerAuth). */
describe("OpenAI-compatible endpoint: models, errors and failures", () => {
  it("lists the teams a key may use as models (read scope); completions need the run scope", async () => {
    const auth = keyAuth({
      reader: { scopes: ["read"], teams: ["press"] },
      runner: { scopes: ["run"] },
    });
    const other: TeamSpec = { ...press(), teamId: "other" };
    const { client, url } = await serve([press(1), other], auth, "reader");
    const models = await client.models.list();
    expect(models.data).toEqual([
      { id: "press", object: "model", created: expect.any(Number), owned_by: "llmteam" },
    ]);
    expect((await client.models.retrieve("press")).id).toBe("press");
    await expect(client.models.retrieve("other")).rejects.toMatchObject({
      status: 403,
      message: '403 This API key may not use team "other".',
    });
    await expect(
      client.chat.completions.create({ model: "press", messages: user("x") }),
    ).rejects.toMatchObject({
      status: 403,
      message: '403 This API key lacks the "run" scope.',
      type: "permission_error",
    });
    const runner = new OpenAI({ baseURL: `${url}/v1`, apiKey: "runner" });
    await expect(runner.models.list()).rejects.toMatchObject({ status: 403 });
    const answer = await runner.chat.completions.create({ model: "press", messages: user("x") });
    expect(answer.choices[0]!.message.content).toBe("The draft is done.");
    const nobody = new OpenAI({ baseURL: `${url}/v1`, apiKey: "wrong" });
    await expect(nobody.models.list()).rejects.toMatchObject({
      status: 401,
      message: "401 Send a valid API key: Authorization: Bearer <key>.",
      type: "authentication_error",
    });
  });

  it("answers an unknown model with 404 naming the models, and a bad body with 422 naming the field", async () => {
    const { client, models, url } = await serve([press(0)]);
    const unknown = await client.chat.completions
      .create({ model: "pres", messages: user("x") })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as Error).message).toBe(
      '404 Unknown model "pres": a model is a team id. Models: press.',
    );
    const cases: [Record<string, unknown>, string][] = [
      [{ model: "press", messages: [] }, "messages must not be empty"],
      [{ model: "press", messages: user("x"), n: 2 }, "n must be 1"],
      [{ model: "press", messages: [{ role: "robot", content: "x" }] }, "role must be one of"],
      [
        { model: "press", messages: [{ role: "system", content: "x" }] },
        'no message with role "user"',
      ],
      [
        {
          model: "press",
          messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }],
        },
        'messages.0.content.0 is a "image_url" part; a team takes text only',
      ],
    ];
    for (const [body, detail] of cases) {
      const error = await client.chat.completions
        .create(body as never)
        .catch((thrown: unknown) => thrown);
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.UnprocessableEntityError);
      expect((error as Error).message).toContain(detail);
    }
    // Still problem+json, like every error of the server, with OpenAI's `error` member added.
    const raw = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "press", messages: [] }),
    });
    expect(raw.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await raw.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 422,
      title: "Unprocessable Content",
      error: { type: "invalid_request_error", message: problem.detail },
    });
    expect(models[0]!.callsMade).toBe(0);
  });

  it("a failed run is an error for the client (502, not retried), plain and streamed", async () => {
    const fragile: TeamSpec = {
      teamId: "fragile",
      agents: [{ type: "llm", role: "answer", prompt: "{query}" }],
      responses: [
        { httpError: { status: 400, message: "the model refused" } },
        { httpError: { status: 400, message: "the model refused" } },
      ],
    };
    const { client, models, url } = await serve([fragile]);
    const plain = await client.chat.completions
      .create({ model: "fragile", messages: user("x") })
      .catch((error: unknown) => error);
    expect(plain).toBeInstanceOf(OpenAI.APIError);
    expect(plain).toMatchObject({ status: 502, type: "run_failed", code: "failed" });
    expect((plain as Error).message).toMatch(
      /^502 Run run_\S+ failed at agent "answer": .*the model refused/,
    );
    expect(models[0]!.callsMade).toBe(1);
    const stream = await client.chat.completions.create({
      model: "fragile",
      messages: user("x"),
      stream: true,
    });
    const seen: string[] = [];
    const streamed = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((error: unknown) => error);
    expect(streamed).toBeInstanceOf(OpenAI.APIError);
    expect((streamed as Error).message).toMatch(/^Run run_\S+ failed at agent "answer"/);
    expect(seen).toEqual([""]);
    const listed = (await (await fetch(`${url}/runs?teamId=fragile`)).json()) as {
      runs: { status: string }[];
    };
    expect(listed.runs.map((run) => run.status)).toEqual(["failed", "failed"]);
  });
});
