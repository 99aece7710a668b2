/**
 * A model designs a team for a task, then the team runs.
 *
 *   npx tsx examples/team-builder.ts "Answer customer billing questions politely"
 *
 * On openai/gpt-4o-mini when OPENAI_API_KEY is set. Offline it uses the built-in demo model,
 * which is far too small to design a valid team: the builder sends each invalid design back
 * with its problems, then gives up with a TeamBuildError saying what was still wrong. That
 * refusal is the expected outcome offline — nothing is built from an invalid design.
 */
import { buildTeam, TeamBuildError } from "llmteam";

const model = process.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : "local/demo";
const task = process.argv[2] ?? "Answer customer billing questions politely";

try {
  const { config, team, answers } = await buildTeam(task, {
    model,
    maxRepairs: 2,
    onInvalidAnswer: ({ answer, issues }) =>
      console.log(`design ${answer} refused: ${issues.map((issue) => issue.message).join("; ")}`),
  });
  console.log(`Designed in ${answers} answers:`, JSON.stringify(config, null, 2));
  const result = await team.run({ query: "Why was I charged twice this month?" });
  console.log(
    result.success ? result.finalOutput : `run ${result.status}: ${result.error?.message}`,
  );
} catch (error) {
  if (!TeamBuildError.isInstance(error)) throw error;
  console.log(`No team built (${model}): ${error.message}`);
  if (model !== "local/demo") process.exitCode = 1;
}
