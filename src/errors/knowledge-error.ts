import { LLMTeamError, errorMarker, hasMarker, type LLMTeamErrorOptions } from "./llmteam-error.js";

const MARKER = errorMarker("KnowledgeError");

/**
 * A knowledge base could not do what was asked: it does not exist, it is empty, its stored
 * embeddings have another dimension than the model's, its file is not a knowledge base. The
 * message says what is wrong and how to fix it.
 */
export class KnowledgeError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "knowledge_error";

  constructor(message: string, options: LLMTeamErrorOptions = {}) {
    super(message, options);
  }

  static override isInstance(error: unknown): error is KnowledgeError {
    return hasMarker(error, MARKER);
  }
}
