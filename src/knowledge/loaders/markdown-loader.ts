import type { DocumentSection, LoadedDocument } from "./loaded-document.js";

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Reads Markdown into sections, one per ATX heading (`#` to `######`), each with its heading
 * trail; headings inside fenced code blocks are text. The title is the first `#` heading, else
 * `fallbackTitle`.
 */
export function loadMarkdown(text: string, fallbackTitle: string): LoadedDocument {
  const sections: DocumentSection[] = [];
  const trail: string[] = [];
  let lines: string[] = [];
  let title: string | undefined;
  let fenced = false;
  const flush = (): void => {
    const body = lines.join("\n").trim();
    if (body.length > 0) sections.push({ headings: [...trail], text: body });
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    flush();
    const level = heading[1]!.length;
    const name = heading[2]!.trim();
    if (level === 1 && title === undefined) title = name;
    trail.splice(level - 1);
    while (trail.length < level - 1) trail.push("");
    trail[level - 1] = name;
  }
  flush();
  for (const section of sections) section.headings = section.headings.filter(Boolean);
  return { title: title ?? fallbackTitle, format: "markdown", sections };
}
