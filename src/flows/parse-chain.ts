import type { ConfigIssue } from "../errors/config-error.js";

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A chain split into stages: `"a -> b, c -> d"` is `[["a"], ["b", "c"], ["d"]]`. */
export type ChainStages = string[][];

/**
 * Parses a chain such as `"a -> b, c -> d"`: `->` separates steps, `,` lists agents that run
 * concurrently. Every name written is kept: nothing is silently dropped.
 * @returns the stages, or the problems (each at `path`, with the column in the message).
 */
export function parseChain(
  text: string,
  path: (string | number)[] = ["flow"],
): { stages: ChainStages } | { issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const stages: ChainStages = [];
  const seen = new Map<string, number>();
  let offset = 0;
  const segments = text.split("->");
  segments.forEach((segment, stageIndex) => {
    const stage: string[] = [];
    let itemOffset = offset;
    for (const item of segment.split(",")) {
      const name = item.trim();
      const column = itemOffset + (item.length - item.trimStart().length) + 1;
      itemOffset += item.length + 1;
      if (name.length === 0) {
        const where =
          segments.length > 1 && segment.trim().length === 0
            ? describeEmptyStep(stageIndex, segments.length)
            : "an empty name between commas";
        issues.push({
          path,
          message: `flow ${JSON.stringify(text)}: ${where} at column ${column}. Write steps as "a -> b, c -> d".`,
        });
        continue;
      }
      if (!NAME.test(name)) {
        issues.push({
          path,
          message: `flow ${JSON.stringify(text)}: ${JSON.stringify(name)} at column ${column} is not an agent id. Separate steps with "->" and agents that run together with ",".`,
        });
        continue;
      }
      const previous = seen.get(name);
      if (previous !== undefined) {
        issues.push({
          path,
          message: `flow ${JSON.stringify(text)}: agent "${name}" appears twice (columns ${previous} and ${column}). A chain runs each agent once; for a loop use a graph edge with maxIterations.`,
        });
        continue;
      }
      seen.set(name, column);
      stage.push(name);
    }
    stages.push(stage);
    offset += segment.length + 2;
  });
  return issues.length > 0 ? { issues } : { stages };
}

function describeEmptyStep(index: number, count: number): string {
  if (index === 0) return 'nothing before the first "->"';
  if (index === count - 1) return 'nothing after the last "->"';
  return 'an empty step between two "->"';
}
