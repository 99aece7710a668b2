import { createRequire } from "node:module";

let yamlModule: typeof import("yaml") | undefined;

/**
 * The `yaml` package, loaded on first use so `import("llmteam")` does not pay for it (it is a
 * CommonJS package of ~60 files).
 *
 * @example
 * const document = loadYaml().parseDocument(text);
 */
export function loadYaml(): typeof import("yaml") {
  yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yamlModule;
}
