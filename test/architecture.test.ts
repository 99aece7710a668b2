import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "../scripts/import-graph.js";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../src");

/** A throwaway source tree: file path → text. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "llmteam-graph-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/**
 * The layers of src/, top first: a folder may import its own layer and those below it, never
 * one above (docs/architecture.md, "Layers").
 */
const LAYERS: string[][] = [
  ["cli"],
  ["server", "worker"],
  ["team", "groups"],
  ["flows", "router"],
  ["run"],
  ["agents", "tools"],
  ["knowledge"],
  ["pipeline", "telemetry"],
  ["cost", "resilience"],
  ["providers"],
  ["store"],
  ["events", "errors", "config", "internal", "testing"],
];

/** Known exceptions, each with its reason; a new upward import fails the test. */
const ALLOWED_UPWARD = new Set([
  // The agent_completed/agent_failed event data is typed with the agent's details (type only).
  "events/stream-event.ts -> agents/agent-result.ts",
]);

/** The layer of a file of src/ (0 is the top); the root index.ts sits above all. */
function layerOf(file: string): number {
  const folder = file.includes("/") ? file.split("/")[0]! : undefined;
  if (folder === undefined) return -1;
  const layer = LAYERS.findIndex((names) => names.includes(folder));
  if (layer < 0) throw new Error(`src/${folder}/ is in no layer: add it to LAYERS`);
  return layer;
}

describe("architecture", () => {
  it("a folder imports only its own layer and those below it", () => {
    const upward: string[] = [];
    for (const [file, targets] of importGraph(SRC)) {
      for (const target of targets) {
        const edge = `${file} -> ${target}`;
        if (layerOf(target) < layerOf(file) && !ALLOWED_UPWARD.has(edge)) upward.push(edge);
      }
    }
    expect(upward, `imports of a higher layer:\n${upward.join("\n")}`).toEqual([]);
  });

  it("src/ has no import cycles (type-only imports included)", () => {
    const graph = importGraph(SRC);
    // The graph is the real one: the entry point reaches the run engine and its steps.
    expect(graph.get("index.ts")).toContain("team/llm-team.ts");
    expect(graph.get("run/run-execution.ts")).toContain("run/agent-call.ts");
    const cycles = importCycles(graph);
    const named = cycles.map((cycle) => cycle.join("  <->  "));
    expect(named, `import cycles in src/ (break each one):\n${named.join("\n")}`).toEqual([]);
  });

  it("finds a cycle through any import form, and not through comments or strings", async () => {
    const root = await tree({
      "a.ts": 'import type {\n  B,\n} from "./b.js";\nexport type A = B;\n',
      "b.ts": 'export * from "./c.js";\nexport type B = string;\n',
      "c.ts": 'import "./d.js";\n',
      "d.ts": 'export type D = import("./e/e.js").E;\n',
      "e/e.ts": 'export const load = () => import("../a.js");\nexport type E = number;\n',
      "quiet.ts": '// import { A } from "./a.js";\nexport const text = \'import "./a.js"\';\n',
      "a.test.ts": 'import "./quiet.js";\n',
    });
    const graph = importGraph(root);
    expect(graph.has("a.test.ts")).toBe(false);
    expect(graph.get("quiet.ts")).toEqual([]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts", "d.ts", "e/e.ts"]]);
  });

  it("reports each cycle on its own, a file importing itself included", async () => {
    const root = await tree({
      "x.ts": 'import { y } from "./y.js";\nexport const x = y;\n',
      "y.ts": 'import type { X } from "./x.js";\nexport const y = 1;\n',
      "self.ts": 'import * as me from "./self.js";\nexport const self = me;\n',
      "leaf.ts": 'import { x } from "./x.js";\nexport const leaf = x;\n',
    });
    const cycles = importCycles(importGraph(root));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContainEqual(["x.ts", "y.ts"]);
    expect(cycles).toContainEqual(["self.ts"]);
  });
});
