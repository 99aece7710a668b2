export { createLocalModel, LOCAL_MODEL_DEFAULTS } from "./local-model.js";
export type { LocalModelOptions } from "./local-model.js";
export { localProvider, DEMO_MODEL_ID } from "./local-provider.js";
export { demoModelPath, DEMO_MODEL_FILE } from "./demo-model-path.js";
export { createLocalEmbeddingModel } from "./local-embedding-model.js";
export type { LocalEmbeddingModelOptions } from "./local-embedding-model.js";
