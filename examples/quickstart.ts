/**
 * A team built in TypeScript, with a tool, streamed token by token.
 *
 *   npx tsx examples/quickstart.ts "What is 17 * 23?"
 *
 * Runs on openai/gpt-4o-mini when OPENAI_API_KEY is set, else on the built-in demo model
 * (offline, tiny: expect on-topic but simple answers).
 */
import { LLMTeam } from "llmteam";

const model = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "local/demo";
const query = process.argv[2] ?? "What is 17 * 23?";

const team = new LLMTeam({ teamId: "calculator", model });
team.addAgent({
  type: "llm",
  role: "solver",
  systemPrompt: "You solve arithmetic with the calculator tool, then answer in one sentence.",
  prompt: "{query}",
  tools: ["calculator"],
  maxToolRounds: 3,
  maxTokens: 120,
});
team.addAgent({
  type: "llm",
  role: "reviewer",
  prompt: "Review this answer to {query} and give the final version: {solver}",
  maxTokens: 120,
});

console.log(
  `model: ${model}${model === "local/demo" ? " (tiny built-in demo model — set OPENAI_API_KEY for real answers)" : ""}`,
);
const stream = team.stream({ query });
for await (const event of stream) {
  if (event.type === "agent_started") process.stdout.write(`\n[${event.agentId}] `);
  if (event.type === "token") process.stdout.write(event.data.token);
  if (event.type === "tool_call")
    process.stdout.write(
      `\n  calls ${event.data.toolName}(${JSON.stringify(event.data.arguments)})`,
    );
  if (event.type === "tool_result")
    process.stdout.write(` → ${JSON.stringify(event.data.output)}\n`);
}
const result = await stream.result;
console.log(
  `\n\n${result.success ? "done" : `failed: ${result.error?.message}`} — ${result.usage.totalTokens} tokens in ${result.durationMs} ms`,
);
process.exitCode = result.success ? 0 : 1;
