import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { main } from "../src/cli/main.js";
import { EventRenderer } from "../src/cli/render-events.js";
import { summary } from "../src/cli/run-command.js";
import { closeServed, keyAuth, press, serve, type TeamSpec } from "./support/openai-endpoint.js";
import { cli } from "./support/run-cli.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await closeServed();
});

/** What `llmteam run` prints for a local run of `spec` (times as `N ms`). */
async function localOutput(spec: TeamSpec, query: string): Promise<string> {
  const { responses, ...options } = spec;
  const model = new ScriptedModel({ responses });
  const team = new LLMTeam({ ...options, model: "m/x", models: { "m/x": model } });
  let text = "";
  const renderer = new EventRenderer((written) => (text += written));
  const stream = team.stream({ query });
  for await (const event of stream as AsyncIterable<StreamEvent>) renderer.render(event);
  return normalized(text + summary(await stream.result));
}

const normalized = (text: string) => text.replace(/\d+ ms/g, "N ms");

/** The CLI in process with its own Ctrl-C: `act` runs once, when stdout first matches `when`. */
async function cliWatching(
  argv: string[],
  when: RegExp,
  act: (interrupt: () => void) => void,
  env: Record<string, string> = {},
) {
  const controller = new AbortController();
  let stdout = "";
  let stderr = "";
  let acted = false;
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
      if (acted || !when.test(stdout)) return;
      acted = true;
      act(() => controller.abort(new Error("Interrupted (Ctrl-C).")));
    },
    stderr: (text) => (stderr += text),
    env,
    signal: controller.signal,
  });
  return { code, stdout, stderr };
}

const slow: TeamSpec = {
  teamId: "slow",
  agents: [
    { type: "llm", role: "research", prompt: "Research: {query}" },
    { type: "llm", role: "draft", prompt: "Draft from: {research}" },
  ],
  responses: ["notes", { text: "never", delayMs: 30_000 }],
};

describe("llmteam run --server", () => {
  it("shows a run on a server as a local run: same events, tokens, summary and exit code", async () => {
    const { url } = await serve([press(2)]);
    const { code, stdout, stderr } = await cli([
      "run",
      "--server",
      url,
      "press",
      "--query",
      "solar",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const [shown, note] = [
      stdout.slice(0, stdout.lastIndexOf("Run ")),
      stdout.slice(stdout.lastIndexOf("Run ")),
    ];
    expect(normalized(shown)).toBe(await localOutput(press(), "solar"));
    expect(shown).toContain("● draft [m/x]\nThe draft is done.");
    expect(note).toMatch(
      new RegExp(`^Run (run_\\S+) is kept by the server: ${url}/runs/run_\\S+\\n$`),
    );
    const json = await cli(["run", "--server", url, "--query", "solar", "--json"]);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as StreamEvent);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const tokens = events.filter((event) => event.type === "token" && event.agentId === "draft");
    expect(tokens.map((event) => event.data)).toEqual(
      ["The ", "draft ", "is ", "done."].map((token) => ({ token })),
    );
    expect(events.at(-1)!.type).toBe("run_completed");
  });

  it("reconnects with Last-Event-ID after a dropped connection and shows every event once", async () => {
    const spec: TeamSpec = {
      ...press(),
      responses: [
        { text: "secret research notes", usage: { inputTokens: 10, outputTokens: 4 } },
        {
          chunks: ["The ", "draft ", "is ", "done."],
          usage: { inputTokens: 20, outputTokens: 6 },
          delayMs: 400,
        },
      ],
    };
    const { url } = await serve([spec]);
    proxy = await startTcpProxy(Number(new URL(url).port));
    const cut = proxy;
    const { code, stdout, stderr } = await cliWatching(
      ["run", "--server", `http://127.0.0.1:${cut.port}`, "press", "--query", "solar"],
      /✓ research done/,
      () => {
        cut.cut("reset");
        setTimeout(() => cut.restore(), 100);
      },
    );
    expect(stderr).toMatch(
      /↺ lost the events of run run_\S+ after event \d+ \(.+\); reconnecting \(attempt 1\)/,
    );
    expect(code).toBe(0);
    const shown = stdout.slice(0, stdout.lastIndexOf("Run "));
    expect(normalized(shown)).toBe(await localOutput(press(), "solar"));
  });

  it("Ctrl-C cancels the run on the server and ends as a cancelled local run (exit 130)", async () => {
    const { url, store } = await serve([slow]);
    const { code, stdout, stderr } = await cliWatching(
      ["run", "--server", url, "slow", "--query", "q"],
      /● draft/,
      (interrupt) => interrupt(),
    );
    expect(stderr).toBe("✗ run cancelled: Cancelled with POST /runs/:runId/cancel.\n");
    expect(code).toBe(130);
    const runId = /Run (run_\S+) is kept by the server/.exec(stdout)![1]!;
    expect((await store.getRun(runId))!.status).toBe("cancelled");
  });

  it("Ctrl-C when the server cannot be asked: stops following and says how to cancel", async () => {
    const { url, store } = await serve([slow]);
    proxy = await startTcpProxy(Number(new URL(url).port));
    const cut = proxy;
    const { code, stderr } = await cliWatching(
      ["run", "--server", `http://127.0.0.1:${cut.port}`, "slow", "--query", "q", "--api-key", "k"],
      /● draft/,
      (interrupt) => {
        cut.cut("reset");
        interrupt();
      },
    );
    expect(code).toBe(130);
    const runId = /Could not cancel run (run_\S+) \(/.exec(stderr)?.[1];
    expect(stderr).toContain(
      `Cancel it with: curl -X POST -H "Authorization: Bearer $LLMTEAM_API_KEY" http://127.0.0.1:${cut.port}/runs/${runId}/cancel\n`,
    );
    expect(stderr).toContain(`Stopped following run ${runId}; it may still be running on`);
    expect((await store.getRun(runId!))!.status).toBe("running");
    await fetch(`${url}/runs/${runId}/cancel`, { method: "POST" });
    await expect.poll(async () => (await store.getRun(runId!))!.status).toBe("cancelled");
  });

  it("sends the API key; a 4xx of the server is exit code 2 with the problem's detail", async () => {
    const auth = keyAuth({ k: { scopes: ["read", "run"] } });
    const { url } = await serve([press(2), { ...press(), teamId: "other" }], auth);
    const run = ["run", "--server", url, "press", "--query", "solar"];
    const anonymous = await cli(run);
    expect(anonymous).toMatchObject({
      code: 2,
      stderr: `llmteam: server ${url} answered 401: Send a valid API key: Authorization: Bearer <key>.\n`,
    });
    expect((await cli(run, { LLMTEAM_API_KEY: "k" })).code).toBe(0);
    expect((await cli([...run, "--api-key", "k"])).code).toBe(0);
    const unknown = await cli(["run", "--server", url, "nope", "--query", "x", "--api-key", "k"]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: `llmteam: server ${url} answered 404: Unknown team "nope". Known teams: other, press.\n`,
    });
    const which = await cli(["run", "--server", url, "--query", "x", "--api-key", "k"]);
    expect(which).toMatchObject({
      code: 2,
      stderr: `llmteam: name the team to run: llmteam run --server ${url} <team-id>. Teams: press, other.\n`,
    });
    const local = await cli(["run", "--server", url, "press", "--query", "x", "--model", "m/y"]);
    expect(local.stderr).toBe(
      "llmteam: --model works on local runs only; with --server the server's team runs with its own settings (models, budgets, run store).\n",
    );
    expect(local.code).toBe(2);
    const keyAlone = await cli(["run", "team.yaml", "--query", "x", "--api-key", "k"]);
    expect(keyAlone.stderr).toBe(
      "llmteam: --api-key goes with --server <url> (a key of that server).\n",
    );
  });

  it("an unreachable server is exit code 1, naming it", async () => {
    const { url } = await serve([press(0)]);
    await closeServed();
    const { code, stderr } = await cli(["run", "--server", url, "press", "--query", "x"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^llmteam: Cannot reach the server at ${url}: .+\\.\\n$`));
  });
});
