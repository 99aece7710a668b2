import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFrames } from "../support/sse-reader.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const AGENTS = 20;
const CHUNKS = 1000;

/** Opens the events of a run over a raw socket and does not read them (a stalled client). */
async function stalledClient(port: number, runId: string): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(
    `GET /runs/${runId}/events HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

describe("a slow SSE client", () => {
  it("does not hold up the run or other clients, and catches up with every event once", async () => {
    const store = new SqliteRunStore({
      path: join(mkdtempSync(join(tmpdir(), "llmteam-slow-")), "runs.db"),
    });
    const words = Array.from({ length: CHUNKS }, (_, index) => `word${index} `.padEnd(100, "."));
    const model = new ScriptedModel({ responses: () => ({ chunks: words }), recordCalls: false });
    const team = new LLMTeam({
      teamId: "long",
      model: "m/x",
      models: { "m/x": model },
      runStore: store,
    });
    for (let index = 0; index < AGENTS; index++) {
      team.addAgent({
        type: "llm",
        role: `a${index}`,
        prompt: index === 0 ? "Go {query}" : `Go {a${index - 1}}`,
      });
    }
    const server = await createServer({ teams: [team], runStore: store, log: () => undefined });
    const listening = await server.listen({ port: 0 });
    cleanups.push(async () => {
      await listening.close();
      await server.close();
      await store.close();
    });

    const response = await fetch(`${listening.url}/teams/long/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "x" }),
    });
    const { runId } = (await response.json()) as { runId: string };
    const stalled = await stalledClient(listening.port, runId);
    const reader = fetch(`${listening.url}/runs/${runId}/events`).then((events) =>
      readFrames(events, (frame) => frame.event === "run_completed"),
    );

    const frames = await reader;
    const ids = frames.map((frame) => frame.id);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
    expect(frames.filter((frame) => frame.event === "token")).toHaveLength(AGENTS * CHUNKS);
    const run = (await (await fetch(`${listening.url}/runs/${runId}`)).json()) as {
      status: string;
    };
    expect(run.status).toBe("completed");

    // The stalled client (about 5 MB of frames behind) reads now and gets it all.
    let received = "";
    stalled.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    stalled.resume();
    await new Promise<void>((resolve) => {
      const check = () =>
        received.includes("event: run_completed") ? resolve() : setTimeout(check, 20);
      check();
    });
    stalled.destroy();
    const stalledIds = [...received.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    expect(stalledIds).toEqual(ids);
  }, 60_000);
});
