import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A fenced code block of a Markdown file. */
export interface DocSnippet {
  /** `README.md`, `docs/tools.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The language: `yaml`, `json`, `ts`. */
  language: string;
  /** `fragment` or `fragment=<kind>` from the info string (```yaml fragment=agent). */
  fragment: string | undefined;
  /** Declarations from a `<!-- prelude: ... -->` comment above the fence (TS; one blank line between may stand). */
  prelude: string;
  code: string;
}

const CHECKED = new Set(["yaml", "yml", "json", "ts", "typescript"]);

/** The YAML, JSON and TypeScript blocks of README.md and docs/*.md under `root`. */
export function docSnippets(root: string): DocSnippet[] {
  const files = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  return files.flatMap((file) => snippetsOf(file, readFileSync(join(root, file), "utf8")));
}

function snippetsOf(file: string, text: string): DocSnippet[] {
  const lines = text.split("\n");
  const found: DocSnippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(\w+)(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !lines[index]!.startsWith("```"); index++)
      body.push(lines[index]!);
    const language = open[1]!.toLowerCase();
    if (!CHECKED.has(language)) continue;
    const fragment = /\bfragment(?:=([\w-]+))?/.exec(open[2]!);
    // The prelude comment stands right above the fence, or one blank line above (as prettier puts it).
    let previous = start - 1;
    if (previous > 0 && lines[previous]!.trim() === "") previous--;
    const above = previous >= 0 ? /^<!--\s*prelude:([\s\S]*?)-->$/.exec(lines[previous]!) : null;
    found.push({
      file,
      line: start + 1,
      language: language === "yml" ? "yaml" : language === "typescript" ? "ts" : language,
      fragment: fragment ? (fragment[1] ?? "any") : undefined,
      prelude: above ? above[1]!.trim() : "",
      code: body.join("\n"),
    });
  }
  return found;
}
