import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LLMTeam, tool, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const sent: string[] = [];
const sendEmail = tool({
  name: "send_email",
  description: "Sends an email.",
  parameters: z.object({ to: z.string() }),
  needsApproval: true,
  execute: ({ to }) => {
    sent.push(to);
    return `sent to ${to}`;
  },
});

function team(model: ScriptedModel): LLMTeam {
  const built = new LLMTeam({
    teamId: "mail",
    model: "m/x",
    models: { "m/x": model },
    tools: [sendEmail],
  });
  built.addAgent({ type: "llm", role: "mailer", prompt: "{query}", tools: ["send_email"] });
  return built;
}

async function runWithDecision(
  decide: (handle: ReturnType<LLMTeam["start"]>, approvalId: string) => void,
) {
  const model = new ScriptedModel({
    responses: [
      {
        toolCalls: [
          { toolName: "send_email", input: { to: "a@example.com" }, toolCallId: "call-1" },
        ],
      },
      "done",
    ],
  });
  const handle = team(model).start({ query: "email a" });
  const events: StreamEvent[] = [];
  for await (const event of handle) {
    events.push(event);
    if (event.type === "approval_requested") {
      expect(sent).toEqual([]);
      decide(handle, event.data.approvalId);
    }
  }
  return { result: await handle.result, events, model };
}

describe("tools that need approval, in a run started with team.start()", () => {
  it("waits for approve(id) before the tool runs", async () => {
    sent.length = 0;
    const { result, events } = await runWithDecision((handle, id) => handle.approve(id));
    expect(result.success).toBe(true);
    expect(sent).toEqual(["a@example.com"]);
    expect(events.filter((event) => event.type === "approval_requested")).toHaveLength(1);
  });

  it("reports a rejection to the model as refused and never runs the tool", async () => {
    sent.length = 0;
    const { result, model } = await runWithDecision((handle, id) =>
      handle.reject(id, "not to customers"),
    );
    expect(result.success).toBe(true);
    expect(sent).toEqual([]);
    expect(JSON.stringify(model.calls[1]!.options.prompt)).toContain("execution-denied");
    expect(result.agentResults[0]!.toolCalls).toEqual([
      expect.objectContaining({ name: "send_email", success: false }),
    ]);
  });

  it("refuses such calls in a plain run(), where nobody can approve", async () => {
    sent.length = 0;
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "send_email", input: { to: "b@example.com" } }] },
        "could not send",
      ],
    });
    const result = await team(model).run({ query: "email b" });
    expect(sent).toEqual([]);
    expect(result.agentResults[0]!.toolCalls).toEqual([
      expect.objectContaining({ success: false }),
    ]);
  });
});
