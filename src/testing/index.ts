export { FakeClock } from "./fake-clock.js";
export { ScriptedModel } from "./scripted-model.js";
export type {
  ScriptedCall,
  ScriptedHttpError,
  ScriptedModelOptions,
  ScriptedResponse,
  ScriptedToolCall,
} from "./scripted-model.js";
export { ScriptedEmbeddingModel } from "./scripted-embedding-model.js";
export type { ScriptedEmbeddingModelOptions } from "./scripted-embedding-model.js";
