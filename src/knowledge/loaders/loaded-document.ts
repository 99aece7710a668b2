/** The formats ingest reads. */
export const DOCUMENT_FORMATS = [
  "text",
  "markdown",
  "html",
  "json",
  "jsonl",
  "csv",
  "pdf",
] as const;

/** One of {@link DOCUMENT_FORMATS}. */
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A part of a document under one heading trail (a Markdown section, a PDF page, a CSV row group). */
export interface DocumentSection {
  /** The headings above the section, outermost first (`["Install", "On Linux"]`). */
  headings: string[];
  /** The section's text; paragraphs separated by blank lines. */
  text: string;
  /** The page, for paged formats (PDF), from 1. */
  page?: number;
}

/** A document read by a loader: its title and its sections in order. */
export interface LoadedDocument {
  title: string;
  format: DocumentFormat;
  sections: DocumentSection[];
}

/** A loader's verdict that a file cannot be ingested, with why (reported in the summary). */
export class SkippedDocument {
  constructor(readonly reason: string) {}
}
