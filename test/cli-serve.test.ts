import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqliteRunStore } from "llmteam";
import { newApiKey } from "llmteam/server";
import { startOpenAIWireServer, type WireRequest } from "./support/openai-wire-server.js";
import { bundleCli } from "./support/bundled-cli.js";
import { cli } from "./support/run-cli.js";

const ENTRY = join(import.meta.dirname, "support", "cli-entry.ts");
const directory = mkdtempSync(join(tmpdir(), "llmteam-serve-"));

/** A running `llmteam serve` child process. */
interface ServeChild {
  process: ChildProcess;
  url: string;
  /** Milliseconds from spawn to its URL on stdout. */
  startMs: number;
  /** CPU time (user + system) the process had used when it printed its URL, in ms. */
  startCpuMs: number;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Starts `llmteam serve` from the sources (through tsx), or from `entry`, a bundled CLI. */
function serve(args: string[], entry?: string): Promise<ServeChild> {
  const started = performance.now();
  const command = entry === undefined ? ["--import", "tsx", ENTRY] : [entry];
  const child = spawn(process.execPath, [...command, "serve", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "" },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stdout);
      if (found) {
        resolve({
          process: child,
          url: found[1]!,
          startMs: performance.now() - started,
          startCpuMs: cpuMs(child.pid!),
          stderr: () => stderr,
          exited,
        });
      }
    });
    void exited.then(({ code }) =>
      reject(new Error(`llmteam serve exited with ${code}: ${stderr}`)),
    );
  });
}

/** CPU time a process has used (Linux: /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The wire server's requests, by the agent whose prompt they carry. */
function callsOf(requests: WireRequest[]): string[] {
  return requests.map((request) => {
    const messages = request.body.messages as { role: string; content: string }[];
    return messages.at(-1)!.content.split(" ")[0]!;
  });
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("llmteam serve: graceful shutdown", () => {
  let wire: Awaited<ReturnType<typeof startOpenAIWireServer>>;
  let teamFile: string;
  beforeAll(async () => {
    // Draft streams slowly (10 deltas, 150 ms apart); "Stall" never answers.
    wire = await startOpenAIWireServer((request) => {
      const prompt = (request.body.messages as { content: string }[]).at(-1)!.content;
      if (prompt.startsWith("Stall")) return { fault: { kind: "freeze" } };
      if (prompt.startsWith("Draft")) {
        const chunks = Array.from({ length: 10 }, (_, index) => `d${index} `);
        return { text: chunks.join(""), chunks, chunkDelayMs: 150 };
      }
      return { text: prompt.startsWith("Research") ? "notes" : "final text" };
    });
    teamFile = join(directory, "press.yaml");
    writeFileSync(
      teamFile,
      `teamId: press
model: lab/m
providers:
  lab: { type: openai-compatible, baseURL: "${wire.baseURL}", apiKey: none }
pricing: { "lab/m": { inputPer1M: 1, outputPer1M: 2 } }
agents:
  - { type: llm, role: research, prompt: "Research {query}" }
  - { type: llm, role: draft, prompt: "Draft from {research}" }
  - { type: llm, role: edit, prompt: "Edit {draft}" }
`,
    );
    writeFileSync(
      join(directory, "stall.yaml"),
      `teamId: stall
model: lab/m
providers:
  lab: { type: openai-compatible, baseURL: "${wire.baseURL}", apiKey: none }
agents:
  - { type: llm, role: stuck, prompt: "Stall {query}" }
`,
    );
  });
  afterAll(() => wire.close());

  it("on SIGTERM refuses new runs, parks a running one as interrupted at its step boundary, ends SSE streams and exits 0; the next server resumes it without repeating a step", async () => {
    const store = join(directory, "shutdown.db");
    const first = await serve([teamFile, "--port", "0", "--store", store]);
    const started = await fetch(`${first.url}/teams/press/runs`, json({ input: "tea" }));
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const events = await fetch(`${first.url}/runs/${runId}/events`);
    const sse = (async () => {
      let text = "";
      const reader = events.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        text += Buffer.from(read.value).toString();
      }
      return text;
    })();
    await until(
      () => callsOf(wire.requests),
      (calls) => calls.includes("Draft"),
    );
    first.process.kill("SIGTERM");
    await until(
      () => first.stderr(),
      (text) => text.includes("Shutting down"),
    );
    // While the draft streams on, the server takes no new runs.
    const refused = await fetch(`${first.url}/teams/press/runs`, json({ input: "more" }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await fetch(`${first.url}/health`)).status).toBe(503);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain(
      `SIGTERM received. Shutting down: new runs get 503; 1 live run stop`,
    );
    expect(first.stderr()).toContain(`run ${runId} stored as interrupted`);
    // A 503 is an answer, not a failure: nothing but the shutdown's lines is logged.
    expect(first.stderr()).not.toContain("HttpProblem");
    // The SSE stream ended cleanly, after the draft's last event.
    const streamed = await sse;
    expect(streamed.match(/^event: agent_completed$/gm)).toHaveLength(2);
    expect(streamed).toContain("d9");
    expect(callsOf(wire.requests)).toEqual(["Research", "Draft"]);

    const stored = new SqliteRunStore({ path: store });
    expect((await stored.getRun(runId))?.status).toBe("interrupted");
    await stored.close();

    const second = await serve([teamFile, "--port", "0", "--store", store]);
    const resumed = await fetch(`${second.url}/runs/${runId}/resume`, { method: "POST" });
    expect(resumed.status).toBe(200);
    const run = await until(
      async () =>
        (await (await fetch(`${second.url}/runs/${runId}`)).json()) as {
          status: string;
          finalOutput: unknown;
        },
      (body) => body.status === "completed" || body.status === "failed",
    );
    expect(run).toMatchObject({ status: "completed", finalOutput: "final text" });
    // Research and draft ran once, before the shutdown; only edit ran after it.
    expect(callsOf(wire.requests)).toEqual(["Research", "Draft", "Edit"]);
    second.process.kill("SIGINT");
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("exits at once on a second signal while a run has not reached a step boundary", async () => {
    const server = await serve([
      join(directory, "stall.yaml"),
      "--port",
      "0",
      "--store",
      join(directory, "stall.db"),
    ]);
    const started = await fetch(`${server.url}/teams/stall/runs`, json({ input: "x" }));
    expect(started.status).toBe(202);
    await until(
      () => callsOf(wire.requests),
      (calls) => calls.includes("Stall"),
    );
    server.process.kill("SIGTERM");
    await until(
      () => server.stderr(),
      (text) => text.includes("Shutting down"),
    );
    const second = performance.now();
    server.process.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 143, signal: null });
    expect(performance.now() - second).toBeLessThan(1_000);
  });
});

describe("llmteam serve", () => {
  const demoTeam = join(directory, "demo.yaml");
  beforeAll(() => {
    writeFileSync(
      demoTeam,
      `teamId: demo
model: local/demo
agents:
  - { type: llm, role: answer, prompt: "Answer {query}" }
`,
    );
  });

  it("starts in under a second of CPU time (bundled as npm run build does), prints its URL and says it serves this machine only without keys", async () => {
    const team = join(directory, "remote.yaml");
    writeFileSync(
      team,
      `teamId: remote
model: lab/m
providers:
  lab: { type: openai-compatible, baseURL: "http://127.0.0.1:9/v1", apiKey: none }
agents:
  - { type: llm, role: answer, prompt: "Answer {query}" }
`,
    );
    const entry = await bundleCli();
    const server = await serve(
      [team, "--port", "0", "--store", join(directory, "start.db")],
      entry,
    );
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // CPU time, not the wall clock: on a busy machine the process waits for a core.
    expect(server.startCpuMs).toBeLessThan(1_000);
    console.log(
      `llmteam serve started: ${server.startMs.toFixed(0)} ms wall, ${server.startCpuMs} ms CPU`,
    );
    await until(
      () => server.stderr(),
      (text) => text.includes("no API keys: listening on this machine only (127.0.0.1)"),
    );
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    server.process.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });

  it("runs agents without a model on the CLI's default model, as llmteam run does, and says so", async () => {
    const team = join(directory, "plain.yaml");
    writeFileSync(
      team,
      `teamId: plain\nagents:\n  - { type: llm, role: answer, prompt: "Answer {query}", maxTokens: 8 }\n`,
    );
    const server = await serve([team, "--port", "0", "--store", join(directory, "plain.db")]);
    await until(
      () => server.stderr(),
      (text) => text.includes("agents without a model (teams plain) run on local/demo"),
    );
    const response = await fetch(`${server.url}/teams/plain/runs?wait=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "hi" }),
    });
    const result = (await response.json()) as { status: string; agents?: unknown };
    expect(response.status).toBe(200);
    expect(result.status).toBe("completed");
    server.process.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });

  it("with --keys, needs a key on every request and may listen on any address", async () => {
    const { key, hash } = newApiKey();
    const keys = join(directory, "keys.yaml");
    writeFileSync(keys, `- { id: ci, hash: "${hash}", scopes: [read] }\n`);
    const server = await serve([
      demoTeam,
      "--port",
      "0",
      "--host",
      "0.0.0.0",
      "--keys",
      keys,
      "--store",
      join(directory, "keys.db"),
    ]);
    const url = server.url.replace("0.0.0.0", "127.0.0.1");
    expect((await fetch(`${url}/runs`)).status).toBe(401);
    const allowed = await fetch(`${url}/runs`, { headers: { authorization: `Bearer ${key}` } });
    expect(allowed.status).toBe(200);
    await until(
      () => server.stderr(),
      (text) => text.includes("1 API key (ci); rate limit 600 requests/min"),
    );
    expect(server.stderr()).not.toContain(hash);
    server.process.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  });

  it("has --help, listed in llmteam --help", async () => {
    for (const command of ["serve", "keys"]) {
      const { code, stdout } = await cli([command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain(`llmteam ${command}`);
    }
    expect((await cli(["--help"])).stdout).toContain("serve options:\n  --port <n>");
  });

  it("refuses --host 0.0.0.0 without keys, with exit code 2", async () => {
    const result = await cli(["serve", demoTeam, "--host", "0.0.0.0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "llmteam: refusing to listen on 0.0.0.0 without API keys: anyone who reaches it could run teams and spend money. Give keys with --keys <file> or $LLMTEAM_API_KEYS (llmteam keys new makes one), or leave out --host (127.0.0.1).\n",
    );
  });

  it("names a bad keys file, and a bad option value", async () => {
    const bad = join(directory, "bad-keys.yaml");
    writeFileSync(bad, "- { id: ci, hash: llmt_plain, scopes: [read] }\n");
    const result = await cli(["serve", demoTeam, "--keys", bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad} 0.hash: hash must be "sha256:"`);
    const port = await cli(["serve", demoTeam, "--port", "http"]);
    expect(port).toMatchObject({
      code: 2,
      stderr: "llmteam: --port must be a whole number 0-65535 (got http).\n",
    });
    const none = await cli(["serve"]);
    expect(none.code).toBe(2);
  });
});

describe("llmteam keys", () => {
  it("makes a key and the line for the keys file, which llmteam keys hash agrees with", async () => {
    const made = await cli([
      "keys",
      "new",
      "--id",
      "ci",
      "--scopes",
      "read,run",
      "--teams",
      "press",
    ]);
    expect(made.code).toBe(0);
    const [key, line] = made.stdout.trimEnd().split("\n");
    expect(key).toMatch(/^llmt_[\w-]{43}$/);
    const hashed = await cli(["keys", "hash", key!]);
    expect(line).toBe(
      `- { id: ci, hash: "${hashed.stdout.trim()}", scopes: [read, run], teams: [press] }`,
    );
    const badScope = await cli(["keys", "new", "--scopes", "write"]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain("A scope is one of read, run, approve, admin.");
  });
});
