import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors/config-error.js";
import { demoModelPath, localProvider } from "./index.js";

describe("localProvider", () => {
  it("maps local/demo to the built-in demo model and a path to itself", async () => {
    const demo = localProvider("demo");
    expect(demo).toMatchObject({ specificationVersion: "v4", provider: "local", modelId: "demo" });
    const result = await demo.doGenerate({
      prompt: [{ role: "user", content: [{ type: "text", text: "Make a short plan for: tea" }] }],
      maxOutputTokens: 2,
    });
    expect(result.usage.outputTokens.total).toBeGreaterThan(0);
    expect(demoModelPath()).toMatch(/[/\\]models[/\\]llmteam-demo\.gguf$/);
    expect(localProvider("models/qwen.gguf").modelId).toBe("models/qwen.gguf");
  });

  it("rejects an empty model id with a ConfigError that shows the naming", () => {
    expect(() => localProvider(" ")).toThrow(ConfigError);
    expect(() => localProvider("")).toThrow(/local\/<path-to-model.gguf>/);
  });
});
