import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startOpenAIWireServer } from "../../test/support/openai-wire-server.js";
import { main } from "./main.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const TEAM = (baseURL: string) => `# Support team: edited by hand, comments must survive
teamId: support
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}", apiKey: "\${LAB_KEY}" }
model: lab/small # the cheap one
agents:
  # First classify the request.
  - type: llm
    role: triage
    prompt: "Classify: {query}" # keep it short
  - type: llm
    role: writer
    prompt: "Reply to {query} ({triage})"
`;

async function teamFile(text: string, name = "team.yaml"): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "llmteam-configure-")), name);
  await writeFile(file, text);
  return file;
}

async function configure(argv: string[], lines: string[]) {
  let stdout = "";
  let stderr = "";
  const stdin = Readable.from(lines.map((line) => `${line}\n`));
  const code = await main(["configure", ...argv], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { LAB_KEY: "k" },
    stdin,
  });
  return { code, stdout, stderr };
}

const reply = (body: unknown) => ({ text: JSON.stringify(body) });

describe("llmteam configure", () => {
  it("chats through stdin, applies the accepted proposals and rewrites the YAML keeping its comments", async () => {
    const server = await startOpenAIWireServer([
      reply({
        message: "Two ideas.",
        proposals: [
          {
            reason: "Formal tone",
            changes: [
              {
                op: "updateAgent",
                agentId: "writer",
                set: { prompt: "Write a formal reply to {query} ({triage})" },
              },
            ],
          },
          { reason: "Drop triage", changes: [{ op: "removeAgent", agentId: "triage" }] },
        ],
      }),
      reply({
        message: "Added.",
        proposals: [
          {
            reason: "Review step",
            changes: [
              {
                op: "addAgent",
                agent: { type: "llm", role: "reviewer", prompt: "Check: {writer}" },
              },
            ],
          },
        ],
      }),
    ]);
    close = server.close;
    const file = await teamFile(TEAM(server.baseURL));
    const { code, stdout, stderr } = await configure(
      [file],
      ["make the writer formal", "y", "n", "add a reviewer", "yes", ""],
    );

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("configurator: Two ideas.");
    expect(stdout).toContain(
      '~ agents.writer.prompt: "Reply to {query} ({triage})" → "Write a formal reply to {query} ({triage})"',
    );
    expect(stdout).toContain("✓ Applied p-1 (config version 2).");
    expect(stdout).toContain("✗ Rejected p-2.");
    expect(stdout).toContain("✓ Applied p-3 (config version 3).");
    expect(stdout).toMatch(/✓ Wrote .*team\.yaml: 2 changes \(config version 3\)\./);

    const written = await readFile(file, "utf8");
    for (const comment of [
      "# Support team: edited by hand",
      "# the cheap one",
      "# First classify the request.",
      "# keep it short",
    ]) {
      expect(written).toContain(comment);
    }
    expect(parseYaml(written)).toMatchObject({
      model: "lab/small",
      agents: [
        { role: "triage", prompt: "Classify: {query}" },
        { role: "writer", prompt: "Write a formal reply to {query} ({triage})" },
        { role: "reviewer", prompt: "Check: {writer}" },
      ],
    });
    expect(written).toContain('apiKey: "${LAB_KEY}"');

    const first = server.requests[0]!.body;
    expect(first.response_format).toBeDefined();
    expect(JSON.stringify(first.messages)).toContain("make the writer formal");
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain("Two ideas.");
  });

  it("applies everything with --yes and --task, and writes JSON files as JSON", async () => {
    const server = await startOpenAIWireServer([
      reply({
        message: "ok",
        proposals: [
          { reason: "Cheaper", changes: [{ op: "updateTeam", set: { maxTokens: 200 } }] },
        ],
      }),
    ]);
    close = server.close;
    const json = JSON.stringify(parseYaml(TEAM(server.baseURL)), null, 2);
    const file = await teamFile(json, "team.json");
    const output = join(file, "..", "out.json");
    const { code, stdout } = await configure(
      [file, "--task", "cap the output", "--yes", "--output", output],
      [],
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain("Apply p-1?");
    expect(JSON.parse(await readFile(output, "utf8"))).toMatchObject({
      teamId: "support",
      maxTokens: 200,
    });
    expect(await readFile(file, "utf8")).toBe(json);
  });

  it("leaves the file alone when nothing is applied", async () => {
    const server = await startOpenAIWireServer([reply({ message: "Which agent?", proposals: [] })]);
    close = server.close;
    const text = TEAM(server.baseURL);
    const file = await teamFile(text);
    const { code, stdout } = await configure([file], ["improve it"]);
    expect(code).toBe(0);
    expect(stdout).toContain("configurator: Which agent?");
    expect(stdout).toContain("Nothing applied;");
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("has --help and reports bad usage with exit code 2", async () => {
    const help = await configure(["--help"], []);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("llmteam configure <team-file>");
    expect((await configure([], [])).code).toBe(2);
    expect((await configure(["a.yaml", "--bogus"], [])).code).toBe(2);
  });
});
