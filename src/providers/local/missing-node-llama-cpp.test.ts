import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../errors/config-error.js";
import { createLocalModel, demoModelPath } from "./index.js";

vi.mock("node-llama-cpp", () => {
  throw new Error("Cannot find package 'node-llama-cpp'");
});

describe("createLocalModel without node-llama-cpp", () => {
  it("fails on the first call with a ConfigError saying what to install", async () => {
    const model = createLocalModel({ modelPath: demoModelPath() });
    const call = model.doGenerate({
      prompt: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    });
    const error: unknown = await Promise.resolve(call).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("npm install -E node-llama-cpp@3.21.1");
  });
});
