/**
 * The import graph of `src/` (tests excluded): each file's relative imports and the cycles among
 * them (strongly connected components of more than one file, or a file importing itself).
 * `npx tsx scripts/import-graph.ts` prints the cycles; the test `test/architecture.test.ts`
 * fails on any.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** Every non-test `.ts` file under `root`, as paths relative to `root`. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) files.push(relative(root, path));
    }
  };
  walk(root);
  return files.sort();
}

/**
 * File → the files it imports: relative imports only, `.js` mapped to `.ts`. Every form counts —
 * `import`/`import type` (over any number of lines), `export … from`, `export * from`, side-effect
 * `import "./x.js"`, `import("./x.js")` and `import("./x.js").Type`; comments and strings do not.
 * TypeScript's own import scanner reads the files.
 */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    const targets: string[] = [];
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = relative(root, resolve(root, dirname(file), fileName)).replace(/\.js$/, ".ts");
      targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components with more than one file. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file))
        cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(import.meta.dirname, "../src");
  const cycles = importCycles(importGraph(root));
  for (const cycle of cycles) console.log(cycle.join("  <->  "));
  console.log(`${cycles.length} import cycle(s)`);
}
