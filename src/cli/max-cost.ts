import type { LLMTeam } from "../team/llm-team.js";
import { UsageError } from "./cli-options.js";
import { usd } from "./usd.js";

/** Exit code of `llmteam run --max-cost` refusing a run (nothing was run). */
export const REFUSED_EXIT_CODE = 3;

/**
 * `llmteam run --max-cost`: refuses a run whose most estimated cost is above `maxCostUsd`, or
 * cannot be known (an unpriced model). Returns the refusal's message, or undefined to run.
 */
export async function checkMaxCost(
  team: LLMTeam,
  input: Record<string, unknown>,
  maxCostUsd: number,
): Promise<string | undefined> {
  const estimate = await team.estimate(input);
  if (!estimate.complete) {
    return `✗ Not run: --max-cost ${usd(maxCostUsd)} cannot be checked, because ${estimate.unpricedModels.join(", ")} ${estimate.unpricedModels.length === 1 ? "has" : "have"} no known price. Declare prices under \`pricing:\` in the team file (see docs/cost.md).\n`;
  }
  if (estimate.maxUsd <= maxCostUsd) return undefined;
  return `✗ Not run: the run may cost up to ${usd(estimate.maxUsd)} (least ${usd(estimate.minUsd)}), above --max-cost ${usd(maxCostUsd)}. Raise --max-cost, or lower maxTokens, maxToolRounds or loop maxIterations; llmteam estimate shows each agent's part.\n`;
}

/** Parses `--max-cost`. @throws UsageError when it is not a number of USD >= 0. */
export function parseMaxCost(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const amount = Number(value);
  if (value.trim() === "" || !Number.isFinite(amount) || amount < 0)
    throw new UsageError(
      `--max-cost must be a number of USD >= 0, e.g. --max-cost 0.50 (got "${value}").`,
    );
  return amount;
}
