import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { cli, tempFile } from "./support/run-cli.js";

const TEAM = `teamId: desk
agents:
  - type: transform
    role: draft
    transform: { expression: '"Draft: " & query' }
  - type: human
    role: review
    human:
      prompt: "Publish {draft}?"
      assignee: editor
      form: { type: object, properties: { publish: { type: boolean } }, required: [publish] }
  - type: switch
    role: decide
    switch: { cases: [{ when: "review.value.publish == true", to: publish }], default: hold }
  - type: transform
    role: publish
    transform: { expression: '"published " & draft' }
  - type: transform
    role: hold
    transform: { expression: '"held"' }
flow: "draft -> review -> decide -> publish, hold"
`;

describe("llmteam run with human steps", () => {
  it("takes the answer from --answer <step>=<json>", async () => {
    const file = await tempFile(TEAM);
    const { code, stdout } = await cli([
      "run",
      file,
      "--query",
      "tides",
      "--answer",
      'review={"publish":true}',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("published Draft: tides");
  });

  it("asks in the terminal, repeats the question after an answer that does not fit the form", async () => {
    const file = await tempFile(TEAM);
    let stdout = "";
    const code = await main(["run", file, "--query", "tides"], {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
      env: {},
      stdin: Readable.from(['{"publish":"yes"}\n', '{"publish":false}\n']),
    });
    expect(code).toBe(0);
    expect(stdout).toContain("? review asks editor: Publish Draft: tides?");
    expect(stdout).toMatch(/does not match its form: publish/);
    expect(stdout).toContain("held");
  });

  it("fails with a clear message when nobody can answer", async () => {
    const file = await tempFile(TEAM);
    const { code, stderr } = await cli(["run", file, "--query", "tides"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/review asks a person.*--answer review=<json>/);
  });
});
