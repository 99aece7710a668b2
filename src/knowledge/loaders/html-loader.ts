import type { DocumentSection, LoadedDocument } from "./loaded-document.js";

const DROPPED = /<(script|style|noscript|template|svg|head|nav|iframe)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const HEADING = /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi;
const BLOCK =
  /<\/?(p|div|section|article|main|header|footer|aside|br|li|ul|ol|tr|table|blockquote|pre|dd|dt|dl|figure|figcaption|hr)\b[^>]*>/gi;
const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  copy: "©",
};

/** Decodes HTML character references (named ones of {@link NAMED}, and numeric ones). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X"
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Text of an HTML fragment: tags removed, entities decoded, runs of blanks collapsed. */
function textOf(html: string): string {
  return decodeEntities(html.replace(BLOCK, "\n\n").replace(/<[^>]*>/g, ""))
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Reads the readable text of an HTML page (not its markup): scripts, styles, navigation and the
 * head are dropped, `<h1>`–`<h6>` start sections, block elements end paragraphs. The title is
 * `<title>`, else the first `<h1>`, else `fallbackTitle`.
 */
export function loadHtml(html: string, fallbackTitle: string): LoadedDocument {
  const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  const body = html.replace(/<!--[\s\S]*?-->/g, "").replace(DROPPED, "");
  const sections: DocumentSection[] = [];
  const trail: string[] = [];
  let firstHeading: string | undefined;
  let last = 0;
  const push = (fragment: string): void => {
    const text = textOf(fragment);
    if (text.length > 0) sections.push({ headings: trail.filter(Boolean), text });
  };
  for (const match of body.matchAll(HEADING)) {
    push(body.slice(last, match.index));
    last = match.index + match[0].length;
    const level = Number(match[1]);
    const name = textOf(match[2]!).replace(/\s+/g, " ");
    firstHeading ??= level === 1 ? name : undefined;
    trail.splice(level - 1);
    while (trail.length < level - 1) trail.push("");
    trail[level - 1] = name;
  }
  push(body.slice(last));
  const title = titleTag ? textOf(titleTag[1]!) : undefined;
  return { title: title || firstHeading || fallbackTitle, format: "html", sections };
}
