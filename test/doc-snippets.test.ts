import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { agentConfigSchema, ConfigError, formatConfigIssue, loadTeamOrGroup } from "llmteam";
import { docSnippets, type DocSnippet } from "./support/doc-snippets.js";

const root = join(import.meta.dirname, "..");
const snippets = docSnippets(root);
const where = (snippet: DocSnippet) => `${snippet.file}:${snippet.line}`;

/** The minimal team a `fragment=team` snippet is laid over. */
const BASE_TEAM = {
  teamId: "snippet",
  agents: [{ type: "llm", role: "writer", prompt: "{query}" }],
};

/** Loads a YAML/JSON snippet the way its marking says; returns the problems found. */
async function check(snippet: DocSnippet, directory: string): Promise<string[]> {
  let value: unknown;
  try {
    value = snippet.language === "json" ? JSON.parse(snippet.code) : parseYaml(snippet.code);
  } catch (error) {
    return [`not valid ${snippet.language}: ${(error as Error).message}`];
  }
  if (snippet.fragment === "any") return [];
  if (snippet.fragment === "agent") {
    const agents = Array.isArray(value) ? value : [value];
    return agents.flatMap((agent) => {
      const parsed = agentConfigSchema.safeParse(agent);
      return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
    });
  }
  if (snippet.fragment !== undefined && snippet.fragment !== "team")
    return [
      `unknown fragment kind "${snippet.fragment}" (valid: fragment, fragment=agent, fragment=team)`,
    ];
  const config =
    snippet.fragment === "team" ? { ...BASE_TEAM, ...(value as Record<string, unknown>) } : value;
  const file = join(directory, `${snippet.file.replace(/\W/g, "-")}-${snippet.line}.json`);
  writeFileSync(file, JSON.stringify(config));
  try {
    await loadTeamOrGroup(file, {
      env: { OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-test", LAB_KEY: "k" },
    });
    return [];
  } catch (error) {
    if (ConfigError.isInstance(error))
      return error.issues.map((issue) => formatConfigIssue({ ...issue, file: undefined } as never));
    return [(error as Error).message];
  }
}

describe("the YAML and JSON snippets of README.md and docs/", () => {
  const data = snippets.filter((snippet) => snippet.language !== "ts");
  it("are found", () => expect(data.length).toBeGreaterThan(10));
  it.each(data.map((snippet) => [where(snippet), snippet] as const))(
    "%s loads as a team, a group or the fragment it is marked as",
    async (_, snippet) => {
      const directory = join(root, ".doc-snippets", "data");
      mkdirSync(directory, { recursive: true });
      expect(await check(snippet, directory)).toEqual([]);
    },
  );
});

describe("the TypeScript snippets of README.md and docs/", () => {
  // `ts fragment` blocks are outlines of data shapes (with `…`), not code: they are not compiled.
  const code = snippets.filter(
    (snippet) => snippet.language === "ts" && snippet.fragment === undefined,
  );

  it("type-check against the llmteam package", () => {
    expect(code.length).toBeGreaterThan(20);
    const directory = join(root, ".doc-snippets", "ts");
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    const names = new Map<string, DocSnippet>();
    for (const snippet of code) {
      const name = `${snippet.file.replace(/\W/g, "-")}-${snippet.line}.ts`;
      names.set(name, snippet);
      // The prelude declares what the page defines elsewhere; `export {}` makes each a module.
      writeFileSync(join(directory, name), `${snippet.prelude}\n${snippet.code}\nexport {};\n`);
    }
    writeFileSync(
      join(directory, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false },
        include: ["*.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(
        process.execPath,
        [join(root, "node_modules/typescript/bin/tsc"), "-p", join(directory, "tsconfig.json")],
        { cwd: root, encoding: "utf8", stdio: "pipe" },
      );
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    // Each error named by the doc and line it comes from.
    const problems = output
      .split("\n")
      .filter((line) => /error TS/.test(line))
      .map((line) => {
        const match = /([\w.-]+\.ts)\((\d+),\d+\): (.*)$/.exec(line);
        const snippet = match ? names.get(match[1]!) : undefined;
        if (!match || !snippet) return line;
        const preludeLines = snippet.prelude.split("\n").length;
        return `${snippet.file}:${snippet.line + Number(match[2]) - preludeLines}: ${match[3]}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);
});
