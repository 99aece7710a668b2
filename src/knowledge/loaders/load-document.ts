import { basename, extname } from "node:path";
import { loadCsv, loadJson, loadJsonLines } from "./data-loaders.js";
import { loadHtml } from "./html-loader.js";
import { SkippedDocument, type DocumentFormat, type LoadedDocument } from "./loaded-document.js";
import { loadMarkdown } from "./markdown-loader.js";
import { loadPdf } from "./pdf-loader.js";

const BY_EXTENSION: Record<string, DocumentFormat> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".mdx": "markdown",
  ".html": "html",
  ".htm": "html",
  ".xhtml": "html",
  ".json": "json",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".csv": "csv",
  ".tsv": "csv",
  ".pdf": "pdf",
};

/** The format of a file by its extension; any other file is read as text (when it is text). */
export function formatOf(path: string): DocumentFormat {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? "text";
}

/**
 * Decodes text: a UTF-8 or UTF-16 byte-order mark is honoured; else the bytes must be UTF-8.
 * Bytes with NUL characters in the first 8 KiB are a binary file.
 */
export function decodeText(bytes: Uint8Array): string | SkippedDocument {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  if (bytes.subarray(0, 8192).includes(0)) return new SkippedDocument("binary file");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new SkippedDocument(
      "not UTF-8 text (bad encoding): convert it first, e.g. iconv -f latin1 -t utf-8",
    );
  }
}

/** Reads one file's bytes as a document of its format, or says why it cannot be ingested. */
export async function loadDocument(
  path: string,
  bytes: Uint8Array,
): Promise<LoadedDocument | SkippedDocument> {
  const format = formatOf(path);
  const name = basename(path);
  const fallbackTitle = name.slice(0, name.length - extname(name).length) || name;
  if (format === "pdf") return loadPdf(bytes, fallbackTitle);
  const text = decodeText(bytes);
  if (text instanceof SkippedDocument) return text;
  switch (format) {
    case "markdown":
      return loadMarkdown(text, fallbackTitle);
    case "html":
      return loadHtml(text, fallbackTitle);
    case "json":
      return loadJson(text, fallbackTitle);
    case "jsonl":
      return loadJsonLines(text, fallbackTitle);
    case "csv":
      return loadCsv(text, fallbackTitle, extname(path).toLowerCase() === ".tsv" ? "\t" : ",");
    default:
      return {
        title: fallbackTitle,
        format: "text",
        sections: text.trim().length > 0 ? [{ headings: [], text: text.trim() }] : [],
      };
  }
}
