import type { DocumentSection, LoadedDocument } from "./loaders/loaded-document.js";
import type { Tokenizer } from "./tokenizer.js";

/** How documents are cut into chunks. */
export interface ChunkOptions {
  /** Most tokens of a chunk (default 400, counted with the knowledge base's tokenizer). */
  maxTokens?: number;
  /** Tokens of the end of a chunk repeated at the start of the next (default 50). */
  overlapTokens?: number;
}

/** The chunking defaults: 400-token chunks with a 50-token overlap. */
export const CHUNK_DEFAULTS = { maxTokens: 400, overlapTokens: 50 } as const;

/** One chunk of a document, ready to store. */
export interface DocumentChunk {
  /** Its place in the document, from 0. */
  position: number;
  text: string;
  /** The heading trail of the section it comes from. */
  headings: string[];
  page?: number;
  /** Its length in tokens. */
  tokens: number;
}

interface Unit {
  text: string;
  tokens: number;
}

const SENTENCE_END = /(?<=[.!?。！？])\s+(?=\S)/u;

/**
 * Cuts a document by its structure: chunks never cross a section (heading, page); inside one,
 * paragraphs are packed up to `maxTokens`, a paragraph too long is cut at sentence ends, and a
 * sentence too long at token boundaries. Each chunk after the first of a section starts with
 * the last paragraphs or sentences of the one before, up to `overlapTokens`.
 */
export function chunkDocument(
  document: LoadedDocument,
  tokenizer: Tokenizer,
  options: ChunkOptions = {},
): DocumentChunk[] {
  const maxTokens = options.maxTokens ?? CHUNK_DEFAULTS.maxTokens;
  const overlapTokens = Math.min(
    options.overlapTokens ?? CHUNK_DEFAULTS.overlapTokens,
    Math.floor(maxTokens / 2),
  );
  const chunks: DocumentChunk[] = [];
  for (const section of document.sections) {
    for (const text of packSection(section, tokenizer, maxTokens, overlapTokens)) {
      const chunk: DocumentChunk = {
        position: chunks.length,
        text,
        headings: section.headings,
        tokens: tokenizer.count(text),
      };
      if (section.page !== undefined) chunk.page = section.page;
      chunks.push(chunk);
    }
  }
  return chunks;
}

/** The units of a section (paragraphs, else sentences, else token windows) packed into chunks. */
function packSection(
  section: DocumentSection,
  tokenizer: Tokenizer,
  maxTokens: number,
  overlapTokens: number,
): string[] {
  const units: Unit[] = [];
  for (const paragraph of section.text.split(/\n[ \t]*\n/)) {
    const text = paragraph.trim();
    if (text.length === 0) continue;
    const tokens = tokenizer.count(text);
    if (tokens <= maxTokens) units.push({ text, tokens });
    else units.push(...splitLong(text, tokenizer, maxTokens, overlapTokens));
  }
  const chunks: string[] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const unit of units) {
    if (current.length > 0 && size + unit.tokens + 1 > maxTokens) {
      chunks.push(current.map((part) => part.text).join("\n\n"));
      current = overlapOf(current, overlapTokens, maxTokens - unit.tokens - 1);
      size = current.reduce((sum, part) => sum + part.tokens + 1, 0);
    }
    current.push(unit);
    size += unit.tokens + 1;
  }
  if (current.length > 0) chunks.push(current.map((part) => part.text).join("\n\n"));
  return chunks;
}

/** The last units of a chunk that fit in `overlapTokens` (and in the room the next unit leaves). */
function overlapOf(units: Unit[], overlapTokens: number, room: number): Unit[] {
  const kept: Unit[] = [];
  let size = 0;
  for (let index = units.length - 1; index >= 0; index--) {
    const unit = units[index]!;
    if (size + unit.tokens + 1 > Math.min(overlapTokens, room)) break;
    kept.unshift(unit);
    size += unit.tokens + 1;
  }
  return kept;
}

/** A paragraph over the budget: its sentences, and sentences over the budget as token windows. */
function splitLong(
  text: string,
  tokenizer: Tokenizer,
  maxTokens: number,
  overlapTokens: number,
): Unit[] {
  const units: Unit[] = [];
  for (const sentence of text.split(SENTENCE_END)) {
    const tokens = tokenizer.count(sentence);
    if (tokens <= maxTokens) {
      units.push({ text: sentence, tokens });
      continue;
    }
    const encoded = tokenizer.encode(sentence);
    const stride = Math.max(1, maxTokens - overlapTokens);
    for (let start = 0; start < encoded.length; start += stride) {
      const window = encoded.slice(start, start + maxTokens);
      units.push({ text: tokenizer.decode(window), tokens: window.length });
      if (start + maxTokens >= encoded.length) break;
    }
  }
  return units;
}
