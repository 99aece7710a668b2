import { join } from "node:path";
import { llmteamPackage } from "../../internal/package-root.js";

/** File name of the built-in demo model, under `models/` in the package. */
export const DEMO_MODEL_FILE = "llmteam-demo.gguf";

/**
 * Absolute path of the built-in demo model: a tiny (2M parameters, 4 MB) llama model that
 * llmteam trained on its own example teams, so examples run offline with no API key. It writes
 * plans, short answers, reviews, triage JSON and tool calls in the style of the examples; it
 * knows almost nothing else. Resolved from the package root, so it works from `src/`, the bundled `dist/`
 * and an installed package alike.
 * @example
 * const model = createLocalModel({ modelPath: demoModelPath() });
 */
export function demoModelPath(): string {
  // Found from the package root, so it holds from src/, from the bundled dist/ and when installed.
  return join(llmteamPackage().root, "models", DEMO_MODEL_FILE);
}
