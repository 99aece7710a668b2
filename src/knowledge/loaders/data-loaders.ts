import { SkippedDocument, type DocumentSection, type LoadedDocument } from "./loaded-document.js";

/** Most records (JSON array items, JSONL lines, CSV rows) one section holds. */
const RECORDS_PER_SECTION = 20;

/** `key: value` lines of a JSON value, nested keys joined with dots. */
function flatten(value: unknown, prefix: string, lines: string[]): void {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value)
      ? value.map((item, index) => [String(index), item] as const)
      : Object.entries(value);
    if (entries.length === 0) lines.push(`${prefix}: ${Array.isArray(value) ? "[]" : "{}"}`);
    for (const [key, item] of entries) flatten(item, prefix ? `${prefix}.${key}` : key, lines);
    return;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  lines.push(prefix ? `${prefix}: ${text}` : text);
}

/** One paragraph per record, `RECORDS_PER_SECTION` records per section. */
function recordSections(records: string[], label: string): DocumentSection[] {
  const sections: DocumentSection[] = [];
  for (let start = 0; start < records.length; start += RECORDS_PER_SECTION) {
    const end = Math.min(records.length, start + RECORDS_PER_SECTION);
    sections.push({
      headings: [`${label} ${start + 1}–${end}`],
      text: records.slice(start, end).join("\n\n"),
    });
  }
  return sections;
}

function recordText(value: unknown): string {
  const lines: string[] = [];
  flatten(value, "", lines);
  return lines.join("\n");
}

/**
 * Reads JSON: an array is one record per item; an object one record per top-level key. Each
 * record is its `path: value` lines, so field names are searchable with their values.
 */
export function loadJson(text: string, title: string): LoadedDocument | SkippedDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return new SkippedDocument(`not valid JSON (${(error as Error).message})`);
  }
  const records = Array.isArray(value)
    ? value.map(recordText)
    : value !== null && typeof value === "object"
      ? Object.entries(value).map(([key, item]) => recordText({ [key]: item }))
      : [recordText(value)];
  return { title, format: "json", sections: recordSections(records, "records") };
}

/** Reads JSON Lines: one record per non-empty line. */
export function loadJsonLines(text: string, title: string): LoadedDocument | SkippedDocument {
  const records: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim().length === 0) continue;
    try {
      records.push(recordText(JSON.parse(line)));
    } catch {
      return new SkippedDocument(`line ${index + 1} is not valid JSON`);
    }
  }
  return { title, format: "jsonl", sections: recordSections(records, "lines") };
}

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string, delimiter = ","): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[index + 1] === '"') {
        field += '"';
        index++;
      } else quoted = false;
    } else if (char === '"' && field.length === 0) quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index++;
      row.push(field);
      if (row.some((cell) => cell.length > 0)) rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  row.push(field);
  if (row.some((cell) => cell.length > 0)) rows.push(row);
  return rows;
}

/** Reads CSV (or TSV): the first row names the columns; each row is `column: value` lines. */
export function loadCsv(
  text: string,
  title: string,
  delimiter = ",",
): LoadedDocument | SkippedDocument {
  const [header, ...rows] = parseCsv(text, delimiter);
  if (!header) return new SkippedDocument("empty CSV file");
  const records = rows.map((row) =>
    row.map((cell, index) => `${header[index] ?? `column ${index + 1}`}: ${cell}`).join("\n"),
  );
  return { title, format: "csv", sections: recordSections(records, "rows") };
}
