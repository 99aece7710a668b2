/**
 * A workflow mixing steps that call no model with an LLM agent: an `http` step reads an order
 * from an API, a `transform` (JSONata) reshapes it, an `llm` agent drafts the reply, a `human`
 * step asks a reviewer (answered here in code; `llmteam run` asks in the terminal), and a
 * `switch` routes to "send" or "hold".
 *
 *   npx tsx examples/workflow.ts 1042
 *
 * The "order API" is a small HTTP server this script starts on 127.0.0.1, so the example runs
 * offline. Runs on openai/gpt-4o-mini when OPENAI_API_KEY is set, else on the built-in demo model.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LLMTeam } from "llmteam";

const orderId = process.argv[2] ?? "1042";
const model = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "local/demo";

const api = createServer((request, response) => {
  const id = /^\/orders\/(\d+)$/.exec(request.url ?? "")?.[1];
  response.writeHead(id ? 200 : 404, { "content-type": "application/json" });
  response.end(
    JSON.stringify(
      id
        ? {
            id,
            customer: { name: "Ada", email: "ada@example.com" },
            items: [
              { sku: "kettle", qty: 1, price: 39.5 },
              { sku: "mug", qty: 4, price: 6.25 },
            ],
            status: "delayed",
          }
        : { error: "no such order" },
    ),
  );
});
await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
const { port } = api.address() as AddressInfo;

const team = new LLMTeam({
  teamId: "order-desk",
  model,
  flow: "order -> summary -> draft -> review -> decide -> send, hold",
  agents: [
    {
      type: "http",
      role: "order",
      http: {
        url: `http://127.0.0.1:${port}/orders/{query}`,
        allowPrivate: ["127.0.0.1"], // only this local API; every other private address stays refused
        timeoutMs: 5_000,
      },
      retryPolicy: { maxRetries: 2 },
    },
    {
      type: "transform",
      role: "summary",
      transform: {
        expression:
          '{ "customer": order.customer.name, "total": $sum(order.items.(qty * price)), "status": order.status }',
      },
    },
    {
      type: "llm",
      role: "draft",
      prompt: "Write two sentences to {summary.customer} about their order: {summary}",
      maxTokens: 80,
    },
    {
      type: "human",
      role: "review",
      human: {
        prompt: "Send this reply to {summary.customer}?\n{draft}",
        assignee: "support lead",
        form: {
          type: "object",
          properties: { send: { type: "boolean" }, note: { type: "string" } },
          required: ["send"],
        },
        timeoutMs: 3_600_000,
        onTimeout: "reject",
      },
    },
    {
      type: "switch",
      role: "decide",
      switch: { cases: [{ when: "review.value.send == true", to: "send" }], default: "hold" },
    },
    {
      type: "transform",
      role: "send",
      transform: { expression: '"SENT to " & order.customer.email & ": " & draft' },
    },
    {
      type: "transform",
      role: "hold",
      transform: { expression: '"HELD: " & (review.reason ? review.reason : "not approved")' },
    },
  ],
});

const handle = team.start({ query: orderId });
for await (const event of handle) {
  if (event.type === "agent_completed")
    console.log(`[${event.agentId}] ${JSON.stringify(event.data.output)}`);
  if (event.type === "approval_requested" && event.data.kind === "human") {
    console.log(`? ${event.data.assignee} is asked: ${event.data.prompt}`);
    handle.answer(event.data.approvalId, { send: true, note: "looks fine" });
  }
}
const result = await handle.result;
api.close();
const final = result.success ? JSON.stringify(result.finalOutput) : result.error?.message;
console.log(`\n${result.success ? "✓" : "✗"} ${final}`);
console.log(`steps: ${result.agentsCalled.join(" → ")}`);
if (!result.success || !JSON.stringify(result.finalOutput).startsWith('"SENT')) process.exit(1);
